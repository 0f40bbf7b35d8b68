//! ComunicApp core: the Saldo, Ricarica and Pagamenti logic shared by the Android and iOS apps.
//!
//! Each module is one idea; open the one named after what you are looking for.

pub mod api;
pub mod app;
pub mod auth;
pub mod background;
pub mod catalog;
pub mod comuni;
pub mod contatti;
pub mod copy;
pub mod diagnostics;
pub mod email;
pub mod live;
pub mod money;
pub mod pagamenti;
pub mod pagopa;
pub mod profiles;
pub mod ricarica;
pub mod saldo;
pub mod store;
pub mod sync;
