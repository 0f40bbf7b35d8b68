//! The portal API: wire types (`dto`) and the HTTP client.
pub mod dto;
