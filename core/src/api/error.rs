//! The core's one rich error, and the flat `ErrorKind` the bindings turn into their `ApiError`.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::SecureStoreError;

/// Every failure the portal client, the login, the store and the sync can report.
///
/// `Display` is the Italian message shown to the parent; `message_key` is its stable key for the
/// apps' own string tables; `kind` is what the app can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The portal could not be reached at all: no network, DNS failure, connection refused.
    #[error("Nessuna connessione: controlla la rete e riprova")]
    Offline(#[source] Arc<reqwest::Error>),
    /// The connection broke before a complete answer arrived (reset, closed without response).
    #[error("La connessione con il portale si è interrotta: riprova")]
    ConnectionLost(#[source] Arc<reqwest::Error>),
    #[error("Il portale non ha risposto in tempo: riprova")]
    Timeout,
    /// 5xx (or 429 without a problem document); `retry_after` when the portal said when to retry.
    #[error("Il portale non è al momento disponibile (errore {status}): riprova più tardi")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// The portal answered something the contract does not allow: bad JSON, a missing field,
    /// a truncated body, an unexpected status.
    #[error("Risposta del portale non valida")]
    Contract { what: String },
    /// The portal refused the access token even after a refresh.
    #[error("Accesso non autorizzato: effettua di nuovo l'accesso")]
    Unauthorized,
    /// The refresh token was refused (expired, revoked, or reused): the parent must log in again.
    #[error("La sessione è scaduta: effettua di nuovo l'accesso")]
    SessionExpired,
    #[error("Effettua l'accesso per continuare")]
    NotLoggedIn,
    /// The portal's own `application/problem+json` answer.
    #[error("{}", problem_message(code, detail.as_deref(), title))]
    Problem {
        status: u16,
        code: String,
        title: String,
        detail: Option<String>,
        field: Option<String>,
        retry_after: Option<Duration>,
    },
    /// A URL the client must not talk to (plain HTTP outside loopback development builds, …).
    #[error("Indirizzo non consentito: {url}")]
    InsecureUrl { url: String },
    /// The login callback did not match the login that was started (forged or stale).
    #[error("Accesso non riuscito: la risposta non corrisponde alla richiesta, riprova")]
    LoginStateMismatch,
    /// The authorization server refused the login (`error=access_denied`, bad code, …).
    #[error("Accesso non riuscito ({reason}): riprova")]
    LoginFailed { reason: String },
    /// Input from the parent, a URL or a configuration file was refused.
    #[error("Valore non valido: {field}")]
    InvalidInput { field: String, reason: String },
    #[error("Archivio sicuro del telefono non disponibile")]
    SecureStore(#[from] SecureStoreError),
    #[error("Errore dell'archivio locale")]
    Storage(#[from] rusqlite::Error),
    /// The profile's records were written by a newer version of the app: kept as they are, and
    /// not opened, until the app is updated.
    #[error("I dati salvati provengono da una versione più recente dell'app: aggiornala")]
    IncompatibleVersion { found: i64, supported: i64 },
    #[error("Errore dell'archivio locale")]
    Io(#[from] std::io::Error),
    /// JSON that the core itself wrote (cache, pending state) could not be read back.
    #[error("Dati locali non leggibili")]
    Json(#[from] serde_json::Error),
    #[error("Indirizzo non valido")]
    Url(#[from] url::ParseError),
    /// Any other HTTP-layer failure (building the client, a request that cannot be built).
    #[error("Errore di comunicazione con il portale")]
    Http(#[from] reqwest::Error),
}

fn problem_message(code: &str, detail: Option<&str>, title: &str) -> String {
    match code {
        "payment_in_progress" => "Un pagamento è già in corso: attendi qualche minuto".to_owned(),
        "payment_duplicated" => "Questo avviso risulta già pagato".to_owned(),
        _ => detail.unwrap_or(title).to_owned(),
    }
}

/// What the app can act on; the bindings map each variant to one `ApiError` variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    Offline,
    Timeout,
    SessionExpired,
    NotLoggedIn,
    InvalidInput {
        field: String,
    },
    PaymentInProgress,
    PaymentDuplicated,
    NotFound,
    /// The portal is down or asked us to slow down; retry after the given time if any.
    Server {
        retry_after: Option<Duration>,
    },
    /// The portal broke the contract; an app update or a portal fix is needed.
    Contract,
    /// Another problem code of the portal, passed through for the app's string table.
    Portal {
        code: String,
    },
    Login,
    Storage,
    SecureStore,
    /// A top-up created and perhaps sent whose answer never came: retrying settles it.
    NotConfirmed {
        local_id: String,
    },
    /// A return URL that is not one of ours for a waiting top-up.
    ReturnUrlRejected,
}

impl ErrorKind {
    /// Trying the same again later can help: the network or the portal, not the request. The
    /// one definition of "transient" the apps (their "Riprova") and the core's retries share.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ErrorKind::Offline | ErrorKind::Timeout | ErrorKind::Server { .. }
        )
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Offline(_) | Error::ConnectionLost(_) => ErrorKind::Offline,
            Error::Timeout => ErrorKind::Timeout,
            Error::Server { retry_after, .. } => ErrorKind::Server {
                retry_after: *retry_after,
            },
            Error::Contract { .. } | Error::Json(_) => ErrorKind::Contract,
            Error::Unauthorized | Error::SessionExpired => ErrorKind::SessionExpired,
            Error::NotLoggedIn => ErrorKind::NotLoggedIn,
            Error::Problem {
                code,
                field,
                retry_after,
                status,
                ..
            } => match code.as_str() {
                "payment_in_progress" => ErrorKind::PaymentInProgress,
                "payment_duplicated" => ErrorKind::PaymentDuplicated,
                "not_found" => ErrorKind::NotFound,
                "unauthorized" => ErrorKind::SessionExpired,
                "rate_limited" => ErrorKind::Server {
                    retry_after: *retry_after,
                },
                "validation_failed" => ErrorKind::InvalidInput {
                    field: field.clone().unwrap_or_default(),
                },
                _ if *status >= 500 => ErrorKind::Server {
                    retry_after: *retry_after,
                },
                other => ErrorKind::Portal {
                    code: other.to_owned(),
                },
            },
            Error::InsecureUrl { .. } => ErrorKind::InvalidInput {
                field: "url".to_owned(),
            },
            Error::Url(_) => ErrorKind::InvalidInput {
                field: "url".to_owned(),
            },
            Error::InvalidInput { field, .. } => ErrorKind::InvalidInput {
                field: field.clone(),
            },
            Error::LoginStateMismatch | Error::LoginFailed { .. } => ErrorKind::Login,
            Error::SecureStore(_) => ErrorKind::SecureStore,
            Error::Storage(_) | Error::Io(_) | Error::IncompatibleVersion { .. } => {
                ErrorKind::Storage
            }
            Error::Http(e) if e.is_timeout() => ErrorKind::Timeout,
            Error::Http(_) => ErrorKind::Offline,
        }
    }

    /// Stable key of the Italian message, for the apps' string tables.
    pub fn message_key(&self) -> &'static str {
        match self {
            Error::Offline(_) => "errore.offline",
            Error::ConnectionLost(_) => "errore.connessione_interrotta",
            Error::Timeout => "errore.timeout",
            Error::Server { .. } => "errore.server",
            Error::Contract { .. } => "errore.risposta_non_valida",
            Error::Unauthorized => "errore.non_autorizzato",
            Error::SessionExpired => "errore.sessione_scaduta",
            Error::NotLoggedIn => "errore.accesso_richiesto",
            Error::Problem { code, .. } => match code.as_str() {
                "payment_in_progress" => "errore.pagamento_in_corso",
                "payment_duplicated" => "errore.pagamento_duplicato",
                "validation_failed" => "errore.dati_non_validi",
                "not_found" => "errore.non_trovato",
                "rate_limited" => "errore.troppe_richieste",
                "idempotency_key_reused" => "errore.richiesta_duplicata",
                _ => "errore.portale",
            },
            Error::InsecureUrl { .. } => "errore.indirizzo_non_consentito",
            Error::LoginStateMismatch => "errore.accesso_non_corrispondente",
            Error::LoginFailed { .. } => "errore.accesso_non_riuscito",
            Error::InvalidInput { .. } => "errore.dati_non_validi",
            Error::SecureStore(_) => "errore.archivio_sicuro",
            Error::Storage(_) | Error::Io(_) => "errore.archivio_locale",
            Error::IncompatibleVersion { .. } => "errore.versione_archivio",
            Error::Json(_) => "errore.dati_locali",
            Error::Url(_) => "errore.indirizzo_non_valido",
            Error::Http(_) => "errore.comunicazione",
        }
    }

    /// Whether a retry of the same safe request may succeed: the one definition of transient,
    /// [`ErrorKind::is_retryable`], applied to this error.
    pub(crate) fn is_transient(&self) -> bool {
        self.kind().is_retryable()
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Server { retry_after, .. } | Error::Problem { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A copy of a transient failure, to hand the same outcome to every caller that waited on
    /// one shared attempt; `None` for errors that are not worth sharing.
    pub(crate) fn duplicate_transient(&self) -> Option<Error> {
        Some(match self {
            Error::Offline(e) => Error::Offline(Arc::clone(e)),
            Error::ConnectionLost(e) => Error::ConnectionLost(Arc::clone(e)),
            Error::Timeout => Error::Timeout,
            Error::Server {
                status,
                retry_after,
            } => Error::Server {
                status: *status,
                retry_after: *retry_after,
            },
            Error::Contract { what } => Error::Contract { what: what.clone() },
            _ => return None,
        })
    }

    pub(crate) fn contract(what: impl Into<String>) -> Self {
        Error::Contract { what: what.into() }
    }

    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(code: &str, status: u16) -> Error {
        Error::Problem {
            status,
            code: code.to_owned(),
            title: "t".to_owned(),
            detail: None,
            field: Some("email".to_owned()),
            retry_after: None,
        }
    }

    #[test]
    fn portal_problem_codes_map_to_what_the_app_acts_on() {
        assert_eq!(
            problem("payment_in_progress", 409).kind(),
            ErrorKind::PaymentInProgress
        );
        assert_eq!(
            problem("payment_duplicated", 409).kind(),
            ErrorKind::PaymentDuplicated
        );
        assert_eq!(
            problem("validation_failed", 422).kind(),
            ErrorKind::InvalidInput {
                field: "email".to_owned()
            }
        );
        assert_eq!(
            problem("something_new", 409).kind(),
            ErrorKind::Portal {
                code: "something_new".to_owned()
            }
        );
        assert!(problem("rate_limited", 429).is_transient());
        assert!(problem("internal_error", 503).is_transient());
        assert!(Error::Timeout.is_transient());
        assert!(!Error::Unauthorized.is_transient());
        assert!(!problem("validation_failed", 422).is_transient());
        assert_eq!(
            problem("payment_in_progress", 409).message_key(),
            "errore.pagamento_in_corso"
        );
    }
}
