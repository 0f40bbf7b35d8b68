//! The one error type the apps see, and the one place core errors become it.

use comunicapp_core::{
    api::{Error as CoreError, ErrorKind},
    copy::Lang,
    money::AmountError,
    pagopa::PagopaError,
    ricarica::RicaricaError,
};

/// What the app can act on. The apps branch on the variant, show `detail` (in the language the
/// app opened the core with) and offer "Riprova" when `retryable`; they never parse a message.
/// `code` is stable (the README lists every one).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// Input from the parent, a QR code, a URL or the portal's validation was refused; nothing
    /// was stored.
    #[error("{detail}")]
    InvalidInput {
        /// Which input was wrong (`amount`, `notice_number`, `qr`, `email`, …).
        field: String,
        code: String,
        /// The text to show, in the app's language. Not `message`: Kotlin exceptions already
        /// have one.
        detail: String,
        retryable: bool,
    },
    /// No network, or the connection dropped: the app shows cached data marked stale.
    #[error("{detail}")]
    Offline {
        code: String,
        detail: String,
        retryable: bool,
    },
    #[error("{detail}")]
    Timeout {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// The login is gone (refresh token revoked or reused): the parent must log in again.
    #[error("{detail}")]
    SessionExpired {
        code: String,
        detail: String,
        retryable: bool,
    },
    #[error("{detail}")]
    NotLoggedIn {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// The login round trip failed (state mismatch, code refused).
    #[error("{detail}")]
    Login {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// pagoPA: a payment of this notice is already in progress (the session lasts up to 30 min).
    #[error("{detail}")]
    PaymentInProgress {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// pagoPA: the notice is already paid.
    #[error("{detail}")]
    PaymentDuplicated {
        code: String,
        detail: String,
        retryable: bool,
    },
    #[error("{detail}")]
    NotFound {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// The portal is down or busy; `retry_after_seconds` when it said when to come back.
    #[error("{detail}")]
    Server {
        retry_after_seconds: Option<u64>,
        code: String,
        detail: String,
        retryable: bool,
    },
    /// The portal answered something the contract does not allow.
    #[error("{detail}")]
    Contract {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// Another problem code of the portal, passed through.
    #[error("{detail}")]
    Portal {
        /// The portal's own problem code.
        portal_code: String,
        code: String,
        detail: String,
        retryable: bool,
    },
    /// The device's storage (cache file) failed.
    #[error("{detail}")]
    Storage {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// PROSEGUI was stored but the portal's answer never came: nothing is lost, the top-up
    /// `local_id` is settled by `resume_pending` (and shown as pending meanwhile).
    #[error("{detail}")]
    RicaricaNotConfirmed {
        local_id: String,
        code: String,
        detail: String,
        retryable: bool,
    },
    /// A URL opened the app that is not a pending top-up's return URL (forged, foreign,
    /// already handled or malformed). Nothing changed.
    #[error("{detail}")]
    ReturnUrlRejected {
        code: String,
        detail: String,
        retryable: bool,
    },
    /// The platform's secure storage (Keychain / Keystore) failed.
    #[error("{detail}")]
    SecureStorage {
        code: String,
        detail: String,
        retryable: bool,
    },
}

impl ApiError {
    pub(crate) fn invalid(field: &str, code: &str, detail: String) -> Self {
        ApiError::InvalidInput {
            field: field.to_owned(),
            code: code.to_owned(),
            detail,
            retryable: false,
        }
    }

    /// The same error with its message in `lang` (conversions write the Italian `Display`).
    pub(crate) fn localized(mut self, lang: Lang) -> Self {
        let (code, detail) = self.code_and_detail();
        *detail = lang.error_message(code, detail);
        self
    }

    fn code_and_detail(&mut self) -> (&str, &mut String) {
        match self {
            ApiError::InvalidInput { code, detail, .. }
            | ApiError::Offline { code, detail, .. }
            | ApiError::Timeout { code, detail, .. }
            | ApiError::SessionExpired { code, detail, .. }
            | ApiError::NotLoggedIn { code, detail, .. }
            | ApiError::Login { code, detail, .. }
            | ApiError::PaymentInProgress { code, detail, .. }
            | ApiError::PaymentDuplicated { code, detail, .. }
            | ApiError::NotFound { code, detail, .. }
            | ApiError::Server { code, detail, .. }
            | ApiError::Contract { code, detail, .. }
            | ApiError::Portal { code, detail, .. }
            | ApiError::Storage { code, detail, .. }
            | ApiError::RicaricaNotConfirmed { code, detail, .. }
            | ApiError::ReturnUrlRejected { code, detail, .. }
            | ApiError::SecureStorage { code, detail, .. } => (code.as_str(), detail),
        }
    }
}

/// Converts core results for the methods of an app, in its language.
pub(crate) trait InLang<T> {
    fn in_lang(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> InLang<T> for Result<T, E> {
    fn in_lang(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| e.into().localized(lang))
    }
}

impl From<AmountError> for ApiError {
    fn from(e: AmountError) -> Self {
        ApiError::invalid("amount", e.message_key(), e.to_string())
    }
}

/// pagoPA parse errors carry the field they were raised for, since one error type serves the
/// notice number, the QR code and the Data Matrix alike.
pub(crate) fn pagopa_error(field: &str, e: PagopaError) -> ApiError {
    ApiError::invalid(field, e.message_key(), e.to_string())
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        let code = e.message_key().to_owned();
        comunicapp_core::diagnostics::record_error(&code, &e);
        let kind = e.kind();
        let retryable = kind.is_retryable();
        ApiError::of(kind, code, e.to_string(), retryable)
    }
}

impl From<RicaricaError> for ApiError {
    fn from(e: RicaricaError) -> Self {
        let code = e.message_key().to_owned();
        if !matches!(e, RicaricaError::Api(_)) {
            // Portal errors are recorded by their own conversion.
            comunicapp_core::diagnostics::record_error(&code, &e);
        }
        let retryable = e.is_retryable();
        ApiError::of(e.kind(), code, e.to_string(), retryable)
    }
}

impl ApiError {
    /// The one mapping: each kind the core classifies an error as is one `ApiError` variant.
    fn of(kind: ErrorKind, code: String, detail: String, retryable: bool) -> ApiError {
        match kind {
            ErrorKind::Offline => ApiError::Offline {
                code,
                detail,
                retryable,
            },
            ErrorKind::Timeout => ApiError::Timeout {
                code,
                detail,
                retryable,
            },
            ErrorKind::SessionExpired => ApiError::SessionExpired {
                code,
                detail,
                retryable,
            },
            ErrorKind::NotLoggedIn => ApiError::NotLoggedIn {
                code,
                detail,
                retryable,
            },
            ErrorKind::InvalidInput { field } => ApiError::InvalidInput {
                field,
                code,
                detail,
                retryable,
            },
            ErrorKind::PaymentInProgress => ApiError::PaymentInProgress {
                code,
                detail,
                retryable,
            },
            ErrorKind::PaymentDuplicated => ApiError::PaymentDuplicated {
                code,
                detail,
                retryable,
            },
            ErrorKind::NotFound => ApiError::NotFound {
                code,
                detail,
                retryable,
            },
            ErrorKind::Server { retry_after } => ApiError::Server {
                retry_after_seconds: retry_after.map(|d| d.as_secs()),
                code,
                detail,
                retryable,
            },
            ErrorKind::Contract => ApiError::Contract {
                code,
                detail,
                retryable,
            },
            ErrorKind::Portal { code: portal_code } => ApiError::Portal {
                portal_code,
                code,
                detail,
                retryable,
            },
            ErrorKind::Login => ApiError::Login {
                code,
                detail,
                retryable,
            },
            ErrorKind::Storage => ApiError::Storage {
                code,
                detail,
                retryable,
            },
            ErrorKind::NotConfirmed { local_id } => ApiError::RicaricaNotConfirmed {
                local_id,
                code,
                detail,
                retryable,
            },
            ErrorKind::ReturnUrlRejected => ApiError::ReturnUrlRejected {
                code,
                detail,
                retryable,
            },
            ErrorKind::SecureStore => ApiError::SecureStorage {
                code,
                detail,
                retryable,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use comunicapp_core::email::EmailError;
    use comunicapp_core::ricarica::ReturnUrlError;

    use super::*;

    fn variant(e: &ApiError) -> String {
        format!("{e:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn every_ricarica_error_becomes_the_variant_its_kind_says() {
        let cases: Vec<(RicaricaError, &str, &str, bool)> = vec![
            (
                RicaricaError::NotConfirmed {
                    local_id: "r1".into(),
                    source: Box::new(CoreError::Timeout),
                },
                "RicaricaNotConfirmed",
                "ricarica.non_confermata",
                true,
            ),
            (
                ReturnUrlError::Forged.into(),
                "ReturnUrlRejected",
                "ricarica.ritorno_contraffatto",
                false,
            ),
            (
                EmailError::MissingAt.into(),
                "InvalidInput",
                "email.manca_chiocciola",
                false,
            ),
            (
                RicaricaError::NotEnrolled {
                    child_id: "c".into(),
                    service_code: "s".into(),
                },
                "InvalidInput",
                "ricarica.servizio_non_attivo",
                false,
            ),
            (
                RicaricaError::UnknownRicarica {
                    local_id: "r".into(),
                },
                "NotFound",
                "ricarica.non_trovata",
                false,
            ),
            (
                RicaricaError::Conflict {
                    local_id: "r".into(),
                },
                "Storage",
                "ricarica.aggiornata_altrove",
                true,
            ),
            (
                RicaricaError::CatalogMissing,
                "Offline",
                "ricarica.catalogo_mancante",
                true,
            ),
            (CoreError::Timeout.into(), "Timeout", "errore.timeout", true),
        ];
        for (error, expected, code, retryable) in cases {
            let api = ApiError::from(error);
            assert_eq!(variant(&api), expected, "{api:?}");
            let mut copy = api;
            let (got, _) = copy.code_and_detail();
            assert_eq!(got, code);
            assert!(
                format!("{copy:?}").contains(&format!("retryable: {retryable}")),
                "{copy:?}"
            );
        }
    }

    #[test]
    fn a_core_error_keeps_its_field_and_portal_code() {
        let invalid = ApiError::from(CoreError::InvalidInput {
            field: "email".into(),
            reason: "x".into(),
        });
        assert!(matches!(invalid, ApiError::InvalidInput { ref field, .. } if field == "email"));
        let portal = ApiError::from(CoreError::Problem {
            status: 409,
            code: "something_new".into(),
            title: "t".into(),
            detail: None,
            field: None,
            retry_after: None,
        });
        assert!(
            matches!(portal, ApiError::Portal { ref portal_code, .. } if portal_code == "something_new")
        );
    }

    #[test]
    fn the_detail_is_in_the_app_s_language() {
        let english = ApiError::from(CoreError::Timeout).localized(Lang::En);
        assert!(
            english.to_string().contains("did not answer in time"),
            "{english}"
        );
    }
}
