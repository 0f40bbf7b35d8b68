//! Why the demo stopped, in Italian, each with a stable message key.

use comunicapp_core::ricarica::{RicaricaError, TransitionError};
use comunicapp_sandbox::StartError;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo.sandbox: la sandbox non parte: {0}")]
    Sandbox(#[from] StartError),
    // The core's errors are large; boxed so every Result of the demo stays small.
    #[error("demo.core: {}: {source}", source.message_key())]
    Core {
        #[source]
        source: Box<comunicapp_core::api::Error>,
    },
    #[error("demo.ricarica: {}: {source}", source.message_key())]
    Ricarica {
        #[source]
        source: Box<RicaricaError>,
    },
    #[error("demo.browser: il browser simulato non ha potuto completare la richiesta: {0}")]
    Browser(#[from] reqwest::Error),
    #[error("demo.io: {0}")]
    Io(#[from] std::io::Error),
    #[error("demo.qr: codice QR non disegnabile: {0}")]
    Qr(String),
    /// The sandbox or the core answered something the demo's story did not expect.
    #[error("demo.unexpected: {0}")]
    Unexpected(String),
}

impl From<comunicapp_core::api::Error> for DemoError {
    fn from(source: comunicapp_core::api::Error) -> Self {
        DemoError::Core {
            source: Box::new(source),
        }
    }
}

impl From<RicaricaError> for DemoError {
    fn from(source: RicaricaError) -> Self {
        DemoError::Ricarica {
            source: Box::new(source),
        }
    }
}

impl From<TransitionError> for DemoError {
    fn from(error: TransitionError) -> Self {
        RicaricaError::from(error).into()
    }
}

impl DemoError {
    pub fn message_key(&self) -> &'static str {
        match self {
            DemoError::Sandbox(_) => "demo.sandbox",
            DemoError::Core { .. } => "demo.core",
            DemoError::Ricarica { .. } => "demo.ricarica",
            DemoError::Browser(_) => "demo.browser",
            DemoError::Io(_) => "demo.io",
            DemoError::Qr(_) => "demo.qr",
            DemoError::Unexpected(_) => "demo.unexpected",
        }
    }
}

pub fn unexpected(what: impl Into<String>) -> DemoError {
    DemoError::Unexpected(what.into())
}
