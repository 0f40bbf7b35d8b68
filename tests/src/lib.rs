//! The sandbox portal.
