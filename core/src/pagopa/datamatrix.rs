//! The Data Matrix on the Poste bollettino of a pagoPA notice ("codfase=NBPA;…").
//!
//! Layout, 256 characters, as Poste's "stampa in proprio" manual and pagoPA's notice generator
//! write it:
//!
//! | chars | content |
//! |---|---|
//! | 0..13 | `codfase=NBPA;` |
//! | 13..15 | `18`, then the notice number at 15..33 |
//! | 33..35 | `12`, then the postal account, 12 digits zero-padded, at 35..47 |
//! | 47..49 | `10`, then the amount in cents, 10 digits zero-padded, at 49..59 |
//! | 59..63 | `3896` (document type 896: pagoPA bollettino) |
//! | 63..66 | `1P1` |
//! | 66..77 | ente fiscal code |
//! | 77..93 | debtor's fiscal code, 16 characters space-padded |
//! | 93..133 | debtor's name, 40 characters space-padded |
//! | 133..243 | subject of the payment, 110 characters space-padded |
//! | 243..255 | filler, 12 spaces |
//! | 255 | `A` |
//!
//! Parsing reads only what a payment needs (notice number, amount, ente) and, like pagoPA's own
//! app, does not insist on the debtor fields: printers trim trailing spaces and fill names with
//! characters outside ASCII.

use std::ops::Range;

use super::{parse_amount_cents, EnteFiscalCode, NoticeNumber, PagopaError, PaymentNotice};

const PREFIX: &str = "codfase=NBPA;";
const NOTICE_NUMBER_AT: Range<usize> = 15..33;
const AMOUNT_AT: Range<usize> = 49..59;
const DOCUMENT_TYPE_AT: Range<usize> = 59..63;
const FISCAL_CODE_AT: Range<usize> = 66..77;
/// Everything the parser reads lies before this offset.
const MIN_LEN: usize = FISCAL_CODE_AT.end;
const AMOUNT_DIGITS: usize = 10;
const MAX_AMOUNT_CENTS: i64 = 9_999_999_999;
const ACCOUNT_DIGITS: usize = 12;
const POSTE_DOCUMENT_TYPE: &str = "896";
const DEBTOR_FISCAL_CODE_WIDTH: usize = 16;
const DEBTOR_NAME_WIDTH: usize = 40;
const SUBJECT_WIDTH: usize = 110;
const FILLER_WIDTH: usize = 12;
/// Total length of a Data Matrix laid out in full.
pub const POSTE_DATAMATRIX_LEN: usize = 256;

/// Reads a scanned Poste Data Matrix.
pub fn parse_poste_datamatrix(payload: &str) -> Result<PaymentNotice, PagopaError> {
    if !payload.starts_with(PREFIX) {
        return Err(PagopaError::DataMatrixPrefix);
    }
    // Characters, not bytes: the layout counts characters, and a name in UTF-8 takes more bytes.
    let length = payload.chars().count();
    if length < MIN_LEN {
        return Err(PagopaError::DataMatrixLength { found: length });
    }
    // `str::get` answers None when a range would split a non-ASCII character, so a malformed
    // payload becomes an error here instead of a panic.
    let notice_number = payload
        .get(NOTICE_NUMBER_AT)
        .ok_or(PagopaError::NotDigits)?;
    let amount = payload.get(AMOUNT_AT).ok_or(PagopaError::AmountDigits)?;
    let fiscal_code = payload
        .get(FISCAL_CODE_AT)
        .ok_or(PagopaError::FiscalCodeNotDigits)?;
    let notice = PaymentNotice {
        notice_number: NoticeNumber::parse_compact(notice_number)?,
        fiscal_code: EnteFiscalCode::parse(fiscal_code)?,
        amount_cents: parse_amount_cents(amount, AMOUNT_DIGITS, AMOUNT_DIGITS)?,
    };
    // Only the pagoPA bollettino carries a notice number; an ordinary postal one (3674) does not.
    if payload.get(DOCUMENT_TYPE_AT) != Some(&format!("3{POSTE_DOCUMENT_TYPE}")[..]) {
        return Err(PagopaError::DataMatrixPrefix);
    }
    Ok(notice)
}

/// What a Poste bollettino adds to a notice: the ente's postal account and the debtor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosteBollettino {
    /// Postal current account of the ente, up to 12 digits.
    pub account_number: String,
    pub debtor_fiscal_code: String,
    pub debtor_name: String,
    /// Subject of the payment ("oggetto del pagamento").
    pub subject: String,
}

impl PaymentNotice {
    /// The full 256-character Data Matrix payload of this notice's Poste bollettino.
    ///
    /// Text fields are upper-cased, cut to their width and padded with spaces; characters
    /// outside printable ASCII become spaces, since Poste's readers accept no others.
    pub fn poste_datamatrix_payload(
        &self,
        bollettino: &PosteBollettino,
    ) -> Result<String, PagopaError> {
        match self.amount_cents {
            0 => return Err(PagopaError::ZeroAmount),
            c if !(1..=MAX_AMOUNT_CENTS).contains(&c) => {
                return Err(PagopaError::AmountOutOfRange { cents: c })
            }
            _ => {}
        }
        let account = &bollettino.account_number;
        if account.is_empty()
            || account.len() > ACCOUNT_DIGITS
            || !account.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(PagopaError::PosteAccount);
        }
        let mut out = String::with_capacity(POSTE_DATAMATRIX_LEN);
        out.push_str(PREFIX);
        out.push_str("18");
        out.push_str(self.notice_number.as_str());
        out.push_str("12");
        out.push_str(&format!("{account:0>ACCOUNT_DIGITS$}"));
        out.push_str("10");
        out.push_str(&format!("{:0AMOUNT_DIGITS$}", self.amount_cents));
        out.push('3');
        out.push_str(POSTE_DOCUMENT_TYPE);
        out.push_str("1P1");
        out.push_str(self.fiscal_code.as_str());
        push_text(
            &mut out,
            &bollettino.debtor_fiscal_code,
            DEBTOR_FISCAL_CODE_WIDTH,
        );
        push_text(&mut out, &bollettino.debtor_name, DEBTOR_NAME_WIDTH);
        push_text(&mut out, &bollettino.subject, SUBJECT_WIDTH);
        out.push_str(&" ".repeat(FILLER_WIDTH));
        out.push('A');
        Ok(out)
    }
}

fn push_text(out: &mut String, text: &str, width: usize) {
    let cleaned = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                c.to_ascii_uppercase()
            } else {
                ' '
            }
        })
        .chain(std::iter::repeat(' '))
        .take(width);
    out.extend(cleaned);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bollettino() -> PosteBollettino {
        PosteBollettino {
            account_number: "16302093".to_owned(),
            debtor_fiscal_code: "BSCMTT83A12L719R".to_owned(),
            debtor_name: "Mattia Bosco".to_owned(),
            subject: "Ricarica refezione scolastica - Giulia".to_owned(),
        }
    }

    fn notice(amount_cents: i64) -> PaymentNotice {
        PaymentNotice {
            notice_number: NoticeNumber::parse("322201151398574181").unwrap(),
            fiscal_code: EnteFiscalCode::parse("00000000201").unwrap(),
            amount_cents,
        }
    }

    #[test]
    fn full_payload_has_the_poste_layout() {
        let payload = notice(2050)
            .poste_datamatrix_payload(&bollettino())
            .unwrap();
        assert_eq!(payload.len(), POSTE_DATAMATRIX_LEN);
        assert_eq!(&payload[..15], "codfase=NBPA;18");
        assert_eq!(&payload[15..33], "322201151398574181");
        assert_eq!(&payload[33..47], "12000016302093");
        assert_eq!(&payload[47..59], "100000002050");
        assert_eq!(&payload[59..66], "38961P1");
        assert_eq!(&payload[66..77], "00000000201");
        assert_eq!(&payload[77..93], "BSCMTT83A12L719R");
        assert_eq!(payload[93..133].trim_end(), "MATTIA BOSCO");
        assert_eq!(
            payload[133..243].trim_end(),
            "RICARICA REFEZIONE SCOLASTICA - GIULIA"
        );
        assert_eq!(&payload[243..], "            A");
    }

    #[test]
    fn full_payload_round_trips() {
        let original = notice(2050);
        let payload = original.poste_datamatrix_payload(&bollettino()).unwrap();
        assert_eq!(parse_poste_datamatrix(&payload), Ok(original));
    }

    #[test]
    fn long_and_accented_text_keeps_the_layout() {
        let mut b = bollettino();
        b.debtor_name = "Niccolò D'Àlessandro Bianchi Visconti di Modrone".to_owned();
        b.subject = "è".repeat(200);
        let payload = notice(1).poste_datamatrix_payload(&b).unwrap();
        assert_eq!(payload.len(), POSTE_DATAMATRIX_LEN);
        assert!(payload.is_ascii());
        assert_eq!(
            &payload[93..133],
            "NICCOL  D' LESSANDRO BIANCHI VISCONTI DI"
        );
        assert_eq!(parse_poste_datamatrix(&payload).unwrap().amount_cents, 1);
    }

    #[test]
    fn builder_refuses_what_the_layout_cannot_hold() {
        assert_eq!(
            notice(10_000_000_000).poste_datamatrix_payload(&bollettino()),
            Err(PagopaError::AmountOutOfRange {
                cents: 10_000_000_000
            })
        );
        assert_eq!(
            notice(0).poste_datamatrix_payload(&bollettino()),
            Err(PagopaError::ZeroAmount)
        );
        let mut b = bollettino();
        b.account_number = "1234567890123".to_owned();
        assert_eq!(
            notice(100).poste_datamatrix_payload(&b),
            Err(PagopaError::PosteAccount)
        );
        b.account_number = "12345A".to_owned();
        assert_eq!(
            notice(100).poste_datamatrix_payload(&b),
            Err(PagopaError::PosteAccount)
        );
    }

    #[test]
    fn payload_trimmed_after_the_ente_fiscal_code_still_parses() {
        let payload = notice(1500)
            .poste_datamatrix_payload(&bollettino())
            .unwrap();
        assert_eq!(parse_poste_datamatrix(&payload[..77]), Ok(notice(1500)));
        assert_eq!(
            parse_poste_datamatrix(&payload[..76]),
            Err(PagopaError::DataMatrixLength { found: 76 })
        );
    }

    #[test]
    fn wrong_payloads_get_distinct_errors() {
        let good = notice(1500)
            .poste_datamatrix_payload(&bollettino())
            .unwrap();
        assert_eq!(
            parse_poste_datamatrix("PAGOPA|002|322201151398574181|00000000201|1500"),
            Err(PagopaError::DataMatrixPrefix)
        );
        assert_eq!(
            parse_poste_datamatrix(&good.replacen("NBPA", "NBPB", 1)),
            Err(PagopaError::DataMatrixPrefix)
        );
        assert_eq!(
            parse_poste_datamatrix("codfase=NBPA;18"),
            Err(PagopaError::DataMatrixLength { found: 15 })
        );
        let bad_check = good.replacen("322201151398574181", "322201151398574180", 1);
        assert_eq!(
            parse_poste_datamatrix(&bad_check),
            Err(PagopaError::WrongCheckDigits {
                expected: 81,
                found: 80
            })
        );
        let zero = good.replacen("100000001500", "100000000000", 1);
        assert_eq!(parse_poste_datamatrix(&zero), Err(PagopaError::ZeroAmount));
        let bad_cf = format!("{}X{}", &good[..66], &good[67..]);
        assert_eq!(
            parse_poste_datamatrix(&bad_cf),
            Err(PagopaError::FiscalCodeNotDigits)
        );
    }

    #[test]
    fn non_ascii_inside_a_field_is_an_error_not_a_panic() {
        let good = notice(1500)
            .poste_datamatrix_payload(&bollettino())
            .unwrap();
        // "é" is two bytes: placed at 32 it straddles the end of the notice number field.
        let split_nav = format!("{}é{}", &good[..32], &good[33..]);
        assert_eq!(
            parse_poste_datamatrix(&split_nav),
            Err(PagopaError::NotDigits)
        );
        let split_amount = format!("{}é{}", &good[..58], &good[59..]);
        assert_eq!(
            parse_poste_datamatrix(&split_amount),
            Err(PagopaError::AmountDigits)
        );
        let split_cf = format!("{}é{}", &good[..76], &good[77..]);
        assert_eq!(
            parse_poste_datamatrix(&split_cf),
            Err(PagopaError::FiscalCodeNotDigits)
        );
    }
}
