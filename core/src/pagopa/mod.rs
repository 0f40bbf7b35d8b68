//! pagoPA codes: the notice number (NAV), the ente's fiscal code, the QR code and Poste Data
//! Matrix printed on a notice, and the RF creditor reference.
//!
//! Everything here is parsed once, at the edge; a [`NoticeNumber`] or [`PaymentNotice`] that
//! exists is valid.

mod datamatrix;
mod error;
mod fiscal_code;
mod notice;
mod qr;
mod rf;

#[cfg(test)]
mod proptests;

use serde::{Deserialize, Serialize};

pub use datamatrix::{parse_poste_datamatrix, PosteBollettino, POSTE_DATAMATRIX_LEN};
pub use error::PagopaError;
pub use fiscal_code::{EnteFiscalCode, FISCAL_CODE_LEN};
pub use notice::{check_digits, NoticeNumber, NOTICE_NUMBER_LEN};
pub use qr::{parse_payment_qr, qr_matrix, QrMatrix};
pub use rf::{validate_rf_reference, RfReference};

/// What a payer needs to pay a notice anywhere: notice number, ente and amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentNotice {
    pub notice_number: NoticeNumber,
    pub fiscal_code: EnteFiscalCode,
    pub amount_cents: i64,
}

impl PaymentNotice {
    /// The largest amount a pagoPA QR code can carry: 11 digits of cents.
    pub const MAX_AMOUNT_CENTS: i64 = 99_999_999_999;

    /// A notice with an amount every pagoPA payload can carry (1 cent to
    /// [`Self::MAX_AMOUNT_CENTS`]).
    pub fn new(
        notice_number: NoticeNumber,
        fiscal_code: EnteFiscalCode,
        amount_cents: i64,
    ) -> Result<Self, PagopaError> {
        check_amount(amount_cents, Self::MAX_AMOUNT_CENTS)?;
        Ok(PaymentNotice {
            notice_number,
            fiscal_code,
            amount_cents,
        })
    }
}

/// Reads an amount in cents written as `min_digits..=max_digits` ASCII digits.
fn parse_amount_cents(
    field: &str,
    min_digits: usize,
    max_digits: usize,
) -> Result<i64, PagopaError> {
    let digit_count_ok = (min_digits..=max_digits).contains(&field.len());
    if !digit_count_ok || !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PagopaError::AmountDigits);
    }
    // At most 11 digits reach here, far below i64::MAX, so the fold cannot overflow.
    let cents = field
        .bytes()
        .fold(0i64, |cents, b| cents * 10 + i64::from(b - b'0'));
    if cents == 0 {
        return Err(PagopaError::ZeroAmount);
    }
    Ok(cents)
}

fn check_amount(cents: i64, max_cents: i64) -> Result<(), PagopaError> {
    match cents {
        0 => Err(PagopaError::ZeroAmount),
        c if c < 0 || c > max_cents => Err(PagopaError::AmountOutOfRange { cents }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_notice() -> (NoticeNumber, EnteFiscalCode) {
        (
            NoticeNumber::parse("322201151398574181").unwrap(),
            EnteFiscalCode::parse("00000000201").unwrap(),
        )
    }

    #[test]
    fn payment_notice_amount_must_fit_every_payload() {
        let (nav, cf) = reference_notice();
        assert!(PaymentNotice::new(nav.clone(), cf.clone(), 1).is_ok());
        assert!(PaymentNotice::new(nav.clone(), cf.clone(), 99_999_999_999).is_ok());
        assert_eq!(
            PaymentNotice::new(nav.clone(), cf.clone(), 0),
            Err(PagopaError::ZeroAmount)
        );
        assert_eq!(
            PaymentNotice::new(nav.clone(), cf.clone(), -1500),
            Err(PagopaError::AmountOutOfRange { cents: -1500 })
        );
        assert_eq!(
            PaymentNotice::new(nav, cf, 100_000_000_000),
            Err(PagopaError::AmountOutOfRange {
                cents: 100_000_000_000
            })
        );
    }

    #[test]
    fn amount_fields_accept_only_the_allowed_digit_counts() {
        assert_eq!(parse_amount_cents("1500", 1, 11), Ok(1500));
        assert_eq!(parse_amount_cents("01", 1, 11), Ok(1));
        assert_eq!(parse_amount_cents("99999999999", 1, 11), Ok(99_999_999_999));
        assert_eq!(
            parse_amount_cents("999999999999", 1, 11),
            Err(PagopaError::AmountDigits)
        );
        assert_eq!(
            parse_amount_cents("", 1, 11),
            Err(PagopaError::AmountDigits)
        );
        assert_eq!(
            parse_amount_cents("15.00", 1, 11),
            Err(PagopaError::AmountDigits)
        );
        assert_eq!(
            parse_amount_cents("-15", 1, 11),
            Err(PagopaError::AmountDigits)
        );
        assert_eq!(
            parse_amount_cents("000", 1, 11),
            Err(PagopaError::ZeroAmount)
        );
    }

    #[test]
    fn every_error_has_its_own_message_key_and_an_italian_message() {
        let errors = [
            PagopaError::WrongLength { found: 3 },
            PagopaError::NotDigits,
            PagopaError::UnknownAuxDigit { aux_digit: 7 },
            PagopaError::WrongCheckDigits {
                expected: 86,
                found: 84,
            },
            PagopaError::FiscalCodeLength { found: 3 },
            PagopaError::FiscalCodeNotDigits,
            PagopaError::QrPrefix,
            PagopaError::QrVersion,
            PagopaError::QrFieldCount { found: 3 },
            PagopaError::AmountDigits,
            PagopaError::ZeroAmount,
            PagopaError::AmountOutOfRange { cents: -1 },
            PagopaError::DataMatrixPrefix,
            PagopaError::DataMatrixLength { found: 3 },
            PagopaError::PosteAccount,
            PagopaError::RfFormat,
            PagopaError::RfCheck,
        ];
        let keys: std::collections::HashSet<_> = errors.iter().map(|e| e.message_key()).collect();
        assert_eq!(keys.len(), errors.len());
        for e in &errors {
            assert!(e.message_key().starts_with("pagopa."));
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(
            PagopaError::WrongLength { found: 3 }.to_string(),
            "Il codice avviso deve avere 18 cifre"
        );
    }
}
