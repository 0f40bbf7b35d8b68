//! The sandbox portal for ComunicApp: the portal API of `core/api/portale.yaml`, its OAuth 2.0
//! authorization server, and a pagoPA checkout simulator, served on loopback by
//! [`start`]. Tests and the demo embed it; `comunicapp-sandbox` (src/main.rs) serves it alone.

mod admin;
mod checkout;
mod config;
mod faults;
mod http;
mod notice;
mod oauth;
mod portal;
mod seed;
mod server;
pub mod wire;
mod world;

pub use checkout::{CartRequest, CartReturnUrls, PaymentNotice, CHECKOUT_FEE_CENTS, MAX_NOTICES};
pub use config::SandboxConfig;
pub use faults::{FaultKind, FaultRule, LoggedRequest};
pub use notice::{is_valid_nav, nav_for_serial, qr_payload};
pub use oauth::{CLIENT_ID, REDIRECT_URIS, SCOPE};
pub use seed::{ASILO_NIDO, CBILL_CODE, FISCAL_CODE, PARENT_ID, SCUOLABUS};
pub use server::{start, SandboxHandle, SandboxState, StartError};
pub use world::{DemoCredentials, PayError, REFEZIONE, SCHOOL_YEAR};
