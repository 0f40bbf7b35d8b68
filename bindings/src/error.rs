//! The one error type the apps see, and the one place core errors become it.

use comunicapp_core::{money::AmountError, pagopa::PagopaError};

/// What the app can act on. The apps branch on the variant and show `message` (Italian);
/// they never parse it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// Input from the parent, a QR code or a URL was refused; nothing was stored.
    #[error("{detail}")]
    InvalidInput {
        /// Which input was wrong (`amount`, `notice_number`, `qr`, …).
        field: String,
        /// Stable key of the Italian message, for the apps' own string tables.
        key: String,
        /// The Italian text to show. Not `message`: Kotlin exceptions already have one.
        detail: String,
    },
}

impl ApiError {
    fn invalid(field: &str, key: &str, detail: String) -> Self {
        ApiError::InvalidInput {
            field: field.to_owned(),
            key: key.to_owned(),
            detail,
        }
    }
}

impl From<AmountError> for ApiError {
    fn from(e: AmountError) -> Self {
        ApiError::invalid("amount", e.message_key(), e.to_string())
    }
}

/// pagoPA parse errors carry the field they were raised for, since one error type serves the
/// notice number, the QR code and the Data Matrix alike.
pub(crate) fn pagopa_error(field: &str, e: PagopaError) -> ApiError {
    ApiError::invalid(field, e.message_key(), e.to_string())
}
