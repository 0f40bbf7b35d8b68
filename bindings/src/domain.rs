//! Free functions over the domain: amounts and pagoPA codes, usable before any login.

use comunicapp_core::{money, pagopa};

use crate::error::{pagopa_error, ApiError};

/// An amount as the apps show it: integer cents plus the it-IT text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ParsedAmount {
    pub cents: i64,
    pub display: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NoticeNumberInfo {
    pub digits: String,
    pub aux_digit: u8,
    pub formatted: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentNoticeInfo {
    pub notice_number: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
}

impl From<money::Amount> for ParsedAmount {
    fn from(amount: money::Amount) -> Self {
        ParsedAmount {
            cents: amount.cents(),
            display: amount.format_it(),
        }
    }
}

impl From<pagopa::PaymentNotice> for PaymentNoticeInfo {
    fn from(notice: pagopa::PaymentNotice) -> Self {
        PaymentNoticeInfo {
            notice_number: notice.notice_number.as_str().to_owned(),
            fiscal_code: notice.fiscal_code.as_str().to_owned(),
            amount_cents: notice.amount_cents,
        }
    }
}

/// Parses what a parent typed as a top-up amount ("20", "20,50", "€ 1.000,00").
#[uniffi::export]
pub fn parse_amount(text: String) -> Result<ParsedAmount, ApiError> {
    Ok(money::Amount::parse_it(&text)?.into())
}

#[uniffi::export]
pub fn format_cents(cents: i64) -> String {
    money::format_cents(cents)
}

#[uniffi::export]
pub fn parse_notice_number(text: String) -> Result<NoticeNumberInfo, ApiError> {
    let nav = pagopa::NoticeNumber::parse(&text).map_err(|e| pagopa_error("notice_number", e))?;
    Ok(NoticeNumberInfo {
        digits: nav.as_str().to_owned(),
        aux_digit: nav.aux_digit(),
        formatted: nav.formatted(),
    })
}

#[uniffi::export]
pub fn parse_payment_qr(text: String) -> Result<PaymentNoticeInfo, ApiError> {
    Ok(pagopa::parse_payment_qr(&text)
        .map_err(|e| pagopa_error("qr", e))?
        .into())
}

#[uniffi::export]
pub fn parse_poste_datamatrix(text: String) -> Result<PaymentNoticeInfo, ApiError> {
    Ok(pagopa::parse_poste_datamatrix(&text)
        .map_err(|e| pagopa_error("datamatrix", e))?
        .into())
}

#[uniffi::export]
pub fn validate_rf_reference(text: String) -> bool {
    pagopa::validate_rf_reference(&text)
}

/// A QR code as rows of modules (`true` = dark), for the apps to draw with no QR library.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrMatrix {
    /// Modules per side; draw a quiet zone of 4 around them.
    pub size: u32,
    /// `size * size` modules, row by row.
    pub modules: Vec<bool>,
}

/// The QR code of an avviso's `qr_payload`; only a valid pagoPA payload is drawn.
#[uniffi::export]
pub fn qr_matrix(payload: String) -> Result<QrMatrix, ApiError> {
    let matrix = pagopa::qr_matrix(&payload).map_err(|e| pagopa_error("qr", e))?;
    Ok(QrMatrix {
        size: matrix.size,
        modules: matrix.modules,
    })
}

/// The core's recent log for support ("Invia diagnostica"): the last lines, with names,
/// e-mails, notice numbers and secrets already masked by the core.
#[uniffi::export]
pub fn support_log() -> String {
    comunicapp_core::diagnostics::support_log()
}
