//! The one error type the apps see, and the one place core errors become it.

use comunicapp_core::{
    api::{Error as CoreError, ErrorKind},
    money::AmountError,
    pagopa::PagopaError,
    ricarica::RicaricaError,
};

/// What the app can act on. The apps branch on the variant and show `detail` (Italian); they
/// never parse it. `key` is the stable key of that message for the apps' own string tables.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// Input from the parent, a QR code, a URL or the portal's validation was refused; nothing
    /// was stored.
    #[error("{detail}")]
    InvalidInput {
        /// Which input was wrong (`amount`, `notice_number`, `qr`, `email`, …).
        field: String,
        key: String,
        /// The Italian text to show. Not `message`: Kotlin exceptions already have one.
        detail: String,
    },
    /// No network, or the connection dropped: the app shows cached data marked stale.
    #[error("{detail}")]
    Offline { key: String, detail: String },
    #[error("{detail}")]
    Timeout { key: String, detail: String },
    /// The login is gone (refresh token revoked or reused): the parent must log in again.
    #[error("{detail}")]
    SessionExpired { key: String, detail: String },
    #[error("{detail}")]
    NotLoggedIn { key: String, detail: String },
    /// The login round trip failed (state mismatch, code refused).
    #[error("{detail}")]
    Login { key: String, detail: String },
    /// pagoPA: a payment of this notice is already in progress (the session lasts up to 30 min).
    #[error("{detail}")]
    PaymentInProgress { key: String, detail: String },
    /// pagoPA: the notice is already paid.
    #[error("{detail}")]
    PaymentDuplicated { key: String, detail: String },
    #[error("{detail}")]
    NotFound { key: String, detail: String },
    /// The portal is down or busy; `retry_after_seconds` when it said when to come back.
    #[error("{detail}")]
    Server {
        retry_after_seconds: Option<u64>,
        key: String,
        detail: String,
    },
    /// The portal answered something the contract does not allow.
    #[error("{detail}")]
    Contract { key: String, detail: String },
    /// Another problem code of the portal, passed through.
    #[error("{detail}")]
    Portal {
        code: String,
        key: String,
        detail: String,
    },
    /// The device's storage (cache file) failed.
    #[error("{detail}")]
    Storage { key: String, detail: String },
    /// PROSEGUI was stored but the portal's answer never came: nothing is lost, the top-up
    /// `local_id` is settled by `resume_pending` (and shown as pending meanwhile).
    #[error("{detail}")]
    RicaricaNotConfirmed {
        local_id: String,
        key: String,
        detail: String,
    },
    /// A URL opened the app that is not a pending top-up's return URL (forged, foreign,
    /// already handled or malformed). Nothing changed.
    #[error("{detail}")]
    ReturnUrlRejected { key: String, detail: String },
    /// The platform's secure storage (Keychain / Keystore) failed.
    #[error("{detail}")]
    SecureStorage { key: String, detail: String },
}

impl ApiError {
    pub(crate) fn invalid(field: &str, key: &str, detail: String) -> Self {
        ApiError::InvalidInput {
            field: field.to_owned(),
            key: key.to_owned(),
            detail,
        }
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
        let key = e.message_key().to_owned();
        let detail = e.to_string();
        match e.kind() {
            ErrorKind::Offline => ApiError::Offline { key, detail },
            ErrorKind::Timeout => ApiError::Timeout { key, detail },
            ErrorKind::SessionExpired => ApiError::SessionExpired { key, detail },
            ErrorKind::NotLoggedIn => ApiError::NotLoggedIn { key, detail },
            ErrorKind::InvalidInput { field } => ApiError::InvalidInput { field, key, detail },
            ErrorKind::PaymentInProgress => ApiError::PaymentInProgress { key, detail },
            ErrorKind::PaymentDuplicated => ApiError::PaymentDuplicated { key, detail },
            ErrorKind::NotFound => ApiError::NotFound { key, detail },
            ErrorKind::Server { retry_after } => ApiError::Server {
                retry_after_seconds: retry_after.map(|d| d.as_secs()),
                key,
                detail,
            },
            ErrorKind::Contract => ApiError::Contract { key, detail },
            ErrorKind::Portal { code } => ApiError::Portal { code, key, detail },
            ErrorKind::Login => ApiError::Login { key, detail },
            ErrorKind::Storage => ApiError::Storage { key, detail },
            ErrorKind::SecureStore => ApiError::SecureStorage { key, detail },
        }
    }
}

impl From<RicaricaError> for ApiError {
    fn from(e: RicaricaError) -> Self {
        let key = e.message_key().to_owned();
        let detail = e.to_string();
        match e {
            RicaricaError::Api(e) => e.into(),
            RicaricaError::NotConfirmed { local_id, .. } => ApiError::RicaricaNotConfirmed {
                local_id,
                key,
                detail,
            },
            RicaricaError::ReturnUrl(_) => ApiError::ReturnUrlRejected { key, detail },
            RicaricaError::Transition(_) => ApiError::InvalidInput {
                field: "ricarica".to_owned(),
                key,
                detail,
            },
            RicaricaError::Email(_) => ApiError::InvalidInput {
                field: "email".to_owned(),
                key,
                detail,
            },
            RicaricaError::UnknownChild { .. } | RicaricaError::NotEnrolled { .. } => {
                ApiError::InvalidInput {
                    field: "servizio".to_owned(),
                    key,
                    detail,
                }
            }
            RicaricaError::UnknownRicarica { .. } => ApiError::NotFound { key, detail },
            RicaricaError::CatalogMissing => ApiError::Offline { key, detail },
            RicaricaError::Corrupt { .. } => ApiError::Storage { key, detail },
            RicaricaError::Contract { .. } => ApiError::Contract { key, detail },
        }
    }
}
