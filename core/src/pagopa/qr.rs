//! The QR code printed on every pagoPA notice: `PAGOPA|002|<NAV>|<CF ente>|<amount in cents>`.

use super::{parse_amount_cents, EnteFiscalCode, NoticeNumber, PagopaError, PaymentNotice};

const QR_PREFIX: &str = "PAGOPA";
const QR_VERSION: &str = "002";
/// The specification asks for 2 to 11 amount digits, but codes in circulation carry amounts
/// such as `9` (9 cents) with a single digit, so parsing accepts 1.
const MIN_AMOUNT_DIGITS: usize = 1;
const MAX_AMOUNT_DIGITS: usize = 11;

/// A QR code as its grid of modules, for the apps to draw with no QR library of their own (and
/// so the same on both platforms). Row by row, `true` for a dark module; draw a quiet zone of
/// 4 modules around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    pub size: u32,
    pub modules: Vec<bool>,
}

/// The QR code of a notice's payload, checked first: only a valid pagoPA payload is drawn.
/// Error correction M, as pagoPA's notice layout prints it.
pub fn qr_matrix(payload: &str) -> Result<QrMatrix, PagopaError> {
    let payload = payload.trim_matches(|c: char| c.is_ascii_whitespace());
    parse_payment_qr(payload)?;
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        .map_err(|_| PagopaError::QrNotDrawable)?;
    let size = u32::try_from(code.width()).map_err(|_| PagopaError::QrNotDrawable)?;
    let modules = code
        .to_colors()
        .into_iter()
        .map(|color| color == qrcode::Color::Dark)
        .collect();
    Ok(QrMatrix { size, modules })
}

/// Reads a scanned pagoPA QR code.
///
/// The payload is matched exactly (no spaces inside the notice number, `PAGOPA` in capitals);
/// only surrounding whitespace, which some scanner libraries leave at the end, is ignored.
pub fn parse_payment_qr(payload: &str) -> Result<PaymentNotice, PagopaError> {
    let fields: Vec<&str> = payload
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .split('|')
        .collect();
    if fields.first() != Some(&QR_PREFIX) {
        return Err(PagopaError::QrPrefix);
    }
    let [_, version, notice_number, fiscal_code, amount] = fields.as_slice() else {
        return Err(PagopaError::QrFieldCount {
            found: fields.len(),
        });
    };
    if *version != QR_VERSION {
        return Err(PagopaError::QrVersion);
    }
    Ok(PaymentNotice {
        notice_number: NoticeNumber::parse_compact(notice_number)?,
        fiscal_code: EnteFiscalCode::parse(fiscal_code)?,
        amount_cents: parse_amount_cents(amount, MIN_AMOUNT_DIGITS, MAX_AMOUNT_DIGITS)?,
    })
}

impl PaymentNotice {
    /// The QR payload for this notice.
    ///
    /// The amount is written with at least 2 digits (`01` for 1 cent), as the specification and
    /// pagoPA's own notice generator do, so readers that follow the specification strictly
    /// accept it; [`parse_payment_qr`] accepts both forms. The amount is expected to be in
    /// `1..=MAX_AMOUNT_CENTS`, which [`PaymentNotice::new`] and every parser guarantee; a value
    /// assembled by hand with another amount yields a payload the parser refuses.
    pub fn qr_payload(&self) -> String {
        format!(
            "{QR_PREFIX}|{QR_VERSION}|{}|{}|{:02}",
            self.notice_number.as_str(),
            self.fiscal_code.as_str(),
            self.amount_cents
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_qr_payload_gives_15_euro() {
        let notice = parse_payment_qr("PAGOPA|002|322201151398574181|00000000201|1500").unwrap();
        assert_eq!(notice.notice_number.as_str(), "322201151398574181");
        assert_eq!(notice.fiscal_code.as_str(), "00000000201");
        assert_eq!(notice.amount_cents, 1500);
    }

    #[test]
    fn one_digit_amounts_in_circulation_are_accepted_and_rebuilt_with_two() {
        let notice = parse_payment_qr("PAGOPA|002|322201151398574181|00000000201|9").unwrap();
        assert_eq!(notice.amount_cents, 9);
        assert_eq!(
            notice.qr_payload(),
            "PAGOPA|002|322201151398574181|00000000201|09"
        );
        assert_eq!(parse_payment_qr(&notice.qr_payload()), Ok(notice));
    }

    #[test]
    fn trailing_newline_from_a_scanner_is_ignored() {
        let notice = parse_payment_qr("PAGOPA|002|322201151398574181|00000000201|1500\n").unwrap();
        assert_eq!(notice.amount_cents, 1500);
    }

    #[test]
    fn each_kind_of_wrong_payload_has_its_own_error() {
        let cases = [
            ("", PagopaError::QrPrefix),
            ("https://example.org", PagopaError::QrPrefix),
            (
                "pagopa|002|322201151398574181|00000000201|1500",
                PagopaError::QrPrefix,
            ),
            (
                "PAGOPA|001|322201151398574181|00000000201|1500",
                PagopaError::QrVersion,
            ),
            (
                "PAGOPA|002|322201151398574181|00000000201",
                PagopaError::QrFieldCount { found: 4 },
            ),
            (
                "PAGOPA|002|322201151398574181|00000000201|1500|",
                PagopaError::QrFieldCount { found: 6 },
            ),
            (
                "PAGOPA|002|322201151398574182|00000000201|1500",
                PagopaError::WrongCheckDigits {
                    expected: 81,
                    found: 82,
                },
            ),
            (
                "PAGOPA|002|3222 0115 1398 5741 81|00000000201|1500",
                PagopaError::NotDigits,
            ),
            (
                "PAGOPA|002|32220115139857418|00000000201|1500",
                PagopaError::WrongLength { found: 17 },
            ),
            (
                "PAGOPA|002|922201151398574181|00000000201|1500",
                PagopaError::UnknownAuxDigit { aux_digit: 9 },
            ),
            (
                "PAGOPA|002|322201151398574181|810057500211|01",
                PagopaError::FiscalCodeLength { found: 12 },
            ),
            (
                "PAGOPA|002|322201151398574181|0000000020X|01",
                PagopaError::FiscalCodeNotDigits,
            ),
            (
                "PAGOPA|002|322201151398574181|00000000201|15,00",
                PagopaError::AmountDigits,
            ),
            (
                "PAGOPA|002|322201151398574181|00000000201|",
                PagopaError::AmountDigits,
            ),
            (
                "PAGOPA|002|322201151398574181|00000000201|100000000000",
                PagopaError::AmountDigits,
            ),
            (
                "PAGOPA|002|322201151398574181|00000000201|00",
                PagopaError::ZeroAmount,
            ),
        ];
        for (payload, expected) in cases {
            assert_eq!(parse_payment_qr(payload), Err(expected), "{payload:?}");
        }
    }

    #[test]
    fn payload_built_from_a_notice_round_trips() {
        let notice = PaymentNotice::new(
            NoticeNumber::parse("322201151398574181").unwrap(),
            EnteFiscalCode::parse("00000000201").unwrap(),
            99_999_999_999,
        )
        .unwrap();
        assert_eq!(
            notice.qr_payload(),
            "PAGOPA|002|322201151398574181|00000000201|99999999999"
        );
        assert_eq!(parse_payment_qr(&notice.qr_payload()), Ok(notice));
    }

    /// Drawn as the apps draw it (4 modules of quiet zone, 8 pixels a module) and read back by
    /// an independent decoder: the matrix is the notice's payload.
    #[test]
    fn the_matrix_decodes_to_the_pagopa_payload() {
        let payload = "PAGOPA|002|322201151398574181|00000000201|2000";
        let matrix = qr_matrix(payload).unwrap();
        let size = matrix.size as usize;
        assert_eq!(matrix.modules.len(), size * size);
        let (scale, quiet) = (8, 4);
        let pixels = (size + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let inside = (quiet..quiet + size).contains(&mx) && (quiet..quiet + size).contains(&my);
            if inside && matrix.modules[(my - quiet) * size + (mx - quiet)] {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, decoded) = grids[0].decode().unwrap();
        assert_eq!(decoded, payload);
        assert_eq!(qr_matrix(&format!(" {payload}\n")).unwrap(), matrix);
    }

    #[test]
    fn only_a_pagopa_payload_is_drawn() {
        assert_eq!(qr_matrix("https://example.org"), Err(PagopaError::QrPrefix));
        assert_eq!(
            qr_matrix("PAGOPA|002|322201151398574182|00000000201|2000"),
            Err(PagopaError::WrongCheckDigits {
                expected: 81,
                found: 82
            })
        );
    }
}
