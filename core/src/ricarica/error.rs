//! Why a ricarica operation failed, with the Italian message and its stable key.

use crate::api;
use crate::email::EmailError;

use super::{ReturnUrlError, TransitionError};

#[derive(Debug, thiserror::Error)]
pub enum RicaricaError {
    /// The portal could not be asked, or refused; the top-up (if any) is stored and will be
    /// settled by `resume_pending`.
    #[error(transparent)]
    Api(#[from] api::Error),
    /// The create request was stored and perhaps sent, but its answer never came: nothing is
    /// lost, `resume_pending` (or `retry`) asks the portal by idempotency key.
    #[error("Non è stato possibile confermare la richiesta: verificheremo con il portale")]
    NotConfirmed {
        local_id: String,
        source: Box<api::Error>,
    },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    ReturnUrl(#[from] ReturnUrlError),
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error("Ricarica non trovata")]
    UnknownRicarica { local_id: String },
    /// The stored top-up moved on (another writer settled it first) between reading and saving;
    /// nothing was written over it, and the next read shows where it stands.
    #[error("La ricarica è stata aggiornata nel frattempo: riprova")]
    Conflict { local_id: String },
    #[error("Alunno non presente nell'account")]
    UnknownChild { child_id: String },
    /// The ente's catalog or the account are not in the cache and the portal cannot be reached.
    #[error("Dati dell'ente non ancora disponibili: riprova quando sei in linea")]
    CatalogMissing,
    #[error("Il servizio {service_code} non è attivo per questo alunno")]
    NotEnrolled {
        child_id: String,
        service_code: String,
    },
    /// The stored top-up could not be read back (a newer app wrote it, or the disk garbled it).
    #[error("Dati locali della ricarica non leggibili")]
    Corrupt { local_id: String },
    /// The portal answered something the flow cannot accept (wrong mode, bad notice number…).
    #[error("Risposta del portale non valida per questa ricarica")]
    Contract { what: String },
}

impl RicaricaError {
    pub fn message_key(&self) -> &'static str {
        match self {
            RicaricaError::Api(error) => error.message_key(),
            RicaricaError::NotConfirmed { .. } => "ricarica.non_confermata",
            RicaricaError::Transition(error) => error.message_key(),
            RicaricaError::ReturnUrl(error) => error.message_key(),
            RicaricaError::Email(error) => error.message_key(),
            RicaricaError::UnknownRicarica { .. } => "ricarica.non_trovata",
            RicaricaError::Conflict { .. } => "ricarica.aggiornata_altrove",
            RicaricaError::UnknownChild { .. } => "ricarica.alunno_sconosciuto",
            RicaricaError::CatalogMissing => "ricarica.catalogo_mancante",
            RicaricaError::NotEnrolled { .. } => "ricarica.servizio_non_attivo",
            RicaricaError::Corrupt { .. } => "ricarica.dati_locali",
            RicaricaError::Contract { .. } => "errore.risposta_non_valida",
        }
    }

    /// What the app can act on, as [`api::Error::kind`] says it for the portal's errors.
    pub fn kind(&self) -> api::ErrorKind {
        use api::ErrorKind as K;
        let invalid = |field: &str| K::InvalidInput {
            field: field.to_owned(),
        };
        match self {
            RicaricaError::Api(error) => error.kind(),
            RicaricaError::NotConfirmed { local_id, .. } => K::NotConfirmed {
                local_id: local_id.clone(),
            },
            RicaricaError::Transition(_) => invalid("ricarica"),
            RicaricaError::ReturnUrl(_) => K::ReturnUrlRejected,
            RicaricaError::Email(_) => invalid("email"),
            RicaricaError::UnknownChild { .. } | RicaricaError::NotEnrolled { .. } => {
                invalid("servizio")
            }
            RicaricaError::UnknownRicarica { .. } => K::NotFound,
            RicaricaError::CatalogMissing => K::Offline,
            RicaricaError::Corrupt { .. } | RicaricaError::Conflict { .. } => K::Storage,
            RicaricaError::Contract { .. } => K::Contract,
        }
    }

    /// Whether trying the same operation later may succeed (network, portal down).
    pub fn is_transient(&self) -> bool {
        match self {
            RicaricaError::Api(error) => error.kind().is_retryable(),
            RicaricaError::NotConfirmed { source, .. } => source.kind().is_retryable(),
            _ => false,
        }
    }

    /// What the app's "Riprova" can fix: a transient failure, or a top-up sent but not yet
    /// confirmed (retrying settles it, never pays twice), or the catalog not downloaded yet.
    pub fn is_retryable(&self) -> bool {
        self.is_transient()
            || matches!(
                self,
                RicaricaError::NotConfirmed { .. }
                    | RicaricaError::CatalogMissing
                    | RicaricaError::Conflict { .. }
            )
    }

    pub(crate) fn contract(what: impl Into<String>) -> RicaricaError {
        RicaricaError::Contract { what: what.into() }
    }
}

impl From<rusqlite::Error> for RicaricaError {
    fn from(error: rusqlite::Error) -> Self {
        RicaricaError::Api(api::Error::Storage(error))
    }
}

impl From<serde_json::Error> for RicaricaError {
    fn from(error: serde_json::Error) -> Self {
        RicaricaError::Api(api::Error::Json(error))
    }
}
