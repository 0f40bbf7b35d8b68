//! Placeholder: filled in by the client/store/sync work (issue 4).
