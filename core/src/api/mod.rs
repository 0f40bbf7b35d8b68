//! The portal API: wire types (`dto`), the HTTP client and its typed errors.

mod client;
pub mod dto;
mod error;
mod policy;

pub use client::{ApiClient, Fetched};
pub use error::{Error, ErrorKind};
pub(crate) use policy::parse_retry_after;
pub use policy::{check_url, ClientOptions, RetryPolicy};
