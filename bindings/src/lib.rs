//! UniFFI layer over `comunicapp-core`: conversion and delegation only.
//!
//! Every function here is one call into the core plus the conversion of its result into a type
//! Kotlin and Swift can hold. A decision about money or pagoPA found here belongs in `core`.

mod domain;
mod error;
mod live;
mod profiles;
mod ricarica;
mod session;

pub use domain::*;
pub use error::ApiError;
pub use live::*;
pub use profiles::*;
pub use ricarica::*;
pub use session::*;

uniffi::setup_scaffolding!();
