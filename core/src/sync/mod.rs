//! Stale-while-revalidate: every read answers at once from the cache with the time its data was
//! fetched; `refresh()` brings the cache up to date with conditional requests (ETag → 304) and
//! movements by cursor, and changes nothing unless everything arrived.
//!
//! [`Session`] is the facade the bindings and the demo use: one comune, one profile, its login,
//! its cache.

mod freshness;
mod session;

pub use freshness::{aggiornato_label, rome_time, Freshness};
pub use session::{RefreshReport, Session, SessionOptions};
