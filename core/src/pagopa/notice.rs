//! The notice number ("codice avviso", NAV): 18 digits whose layout depends on the first one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::PagopaError;

/// Digits in every notice number.
pub const NOTICE_NUMBER_LEN: usize = 18;
/// The check digits cover everything before them, which is the first 16 digits in every
/// layout that has them.
const CHECKED_LEN: usize = NOTICE_NUMBER_LEN - 2;
/// Check digits are a remainder modulo 93, so they run from 00 to 92.
const CHECK_MODULUS: u32 = 93;

/// A valid pagoPA notice number: 18 ASCII digits, a known aux digit, matching check digits.
///
/// Layouts by aux digit: `0 <application code 2> <IUV base 13> <check 2>`, `1 <IUV 17>`,
/// `2 <IUV base 15> <check 2>`, `3 <segregation code 2> <IUV base 13> <check 2>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NoticeNumber(String);

impl NoticeNumber {
    /// Parses what a parent typed or pasted. Spaces are ignored because notices print the
    /// number in groups of 4 ("3222 0115 1398 5741 81"); any other character is refused.
    pub fn parse(input: &str) -> Result<Self, PagopaError> {
        let digits: String = input.chars().filter(|c| *c != ' ').collect();
        Self::parse_compact(&digits)
    }

    /// Parses the 18 digits exactly as machine-readable codes carry them, without spaces.
    pub(crate) fn parse_compact(digits: &str) -> Result<Self, PagopaError> {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PagopaError::NotDigits);
        }
        if digits.len() != NOTICE_NUMBER_LEN {
            return Err(PagopaError::WrongLength {
                found: digits.len(),
            });
        }
        let bytes = digits.as_bytes();
        let aux_digit = bytes[0] - b'0';
        if aux_digit > 3 {
            return Err(PagopaError::UnknownAuxDigit { aux_digit });
        }
        if has_check_digits(aux_digit) {
            let expected = check_digits(&digits[..CHECKED_LEN])?;
            let found = two_digits(bytes, CHECKED_LEN);
            if expected != found {
                return Err(PagopaError::WrongCheckDigits { expected, found });
            }
        }
        Ok(NoticeNumber(digits.to_owned()))
    }

    /// Builds a notice number from its aux digit and the digits that follow it, appending the
    /// check digits the layout requires. `body` is 15 digits for aux 0, 2 and 3 (everything
    /// between the aux digit and the check digits) and the 17-digit IUV for aux 1.
    pub fn with_check_digits(aux_digit: u8, body: &str) -> Result<Self, PagopaError> {
        if aux_digit > 3 {
            return Err(PagopaError::UnknownAuxDigit { aux_digit });
        }
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PagopaError::NotDigits);
        }
        let check_len = if has_check_digits(aux_digit) { 2 } else { 0 };
        let total_len = 1 + body.len() + check_len;
        if total_len != NOTICE_NUMBER_LEN {
            return Err(PagopaError::WrongLength { found: total_len });
        }
        let mut digits = String::with_capacity(NOTICE_NUMBER_LEN);
        digits.push(char::from(b'0' + aux_digit));
        digits.push_str(body);
        if check_len > 0 {
            let check = check_digits(&digits)?;
            digits.push_str(&format!("{check:02}"));
        }
        Ok(NoticeNumber(digits))
    }

    /// The 18 digits, no spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn aux_digit(&self) -> u8 {
        self.0.as_bytes()[0] - b'0'
    }

    /// The 18 digits in groups of 4, as printed on the notice: "3222 0115 1398 5741 81".
    pub fn formatted(&self) -> String {
        let mut out = String::with_capacity(NOTICE_NUMBER_LEN + 4);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    /// The IUV (Identificativo Univoco di Versamento) inside the number: the 15 digits after
    /// the application code for aux 0, the 17 digits after the aux digit otherwise.
    pub fn iuv(&self) -> String {
        let start = if self.aux_digit() == 0 { 3 } else { 1 };
        self.0[start..].to_owned()
    }

    /// The station ("codice di segregazione") that holds the debt position; aux 3 only.
    pub fn segregation_code(&self) -> Option<u8> {
        (self.aux_digit() == 3).then(|| two_digits(self.0.as_bytes(), 1))
    }

    /// The application code of older aux-0 notices.
    pub fn application_code(&self) -> Option<u8> {
        (self.aux_digit() == 0).then(|| two_digits(self.0.as_bytes(), 1))
    }
}

/// The check digits for `prefix`: the number its digits spell, modulo 93.
///
/// Computed digit by digit, so a prefix of any length cannot overflow.
pub fn check_digits(prefix: &str) -> Result<u8, PagopaError> {
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PagopaError::NotDigits);
    }
    let remainder = prefix.bytes().fold(0u32, |remainder, b| {
        (remainder * 10 + u32::from(b - b'0')) % CHECK_MODULUS
    });
    // The remainder is below 93, so it always fits.
    Ok(u8::try_from(remainder).unwrap_or(u8::MAX))
}

/// Aux digit 1 carries a 17-digit IUV and no check digits; the others end with two.
fn has_check_digits(aux_digit: u8) -> bool {
    aux_digit != 1
}

/// The two-digit number at `at`; callers pass bytes already checked to be ASCII digits.
fn two_digits(bytes: &[u8], at: usize) -> u8 {
    (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0')
}

impl fmt::Display for NoticeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for NoticeNumber {
    type Err = PagopaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for NoticeNumber {
    type Error = PagopaError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NoticeNumber> for String {
    fn from(value: NoticeNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_notice_number_is_valid_and_formatted_in_groups_of_4() {
        let nav = NoticeNumber::parse("322201151398574181").unwrap();
        assert_eq!(nav.as_str(), "322201151398574181");
        assert_eq!(nav.formatted(), "3222 0115 1398 5741 81");
        assert_eq!(nav.aux_digit(), 3);
        assert_eq!(nav.segregation_code(), Some(22));
        assert_eq!(nav.application_code(), None);
        assert_eq!(nav.iuv(), "22201151398574181");
        assert_eq!(nav.to_string(), "322201151398574181");
    }

    #[test]
    fn notice_number_typed_in_groups_is_accepted() {
        let nav = NoticeNumber::parse("3222 0115 1398 5741 81").unwrap();
        assert_eq!(nav.as_str(), "322201151398574181");
    }

    #[test]
    fn wrong_check_digits_report_the_expected_ones() {
        assert_eq!(
            NoticeNumber::parse("302012387654312384"),
            Err(PagopaError::WrongCheckDigits {
                expected: 86,
                found: 84
            })
        );
    }

    #[test]
    fn other_separators_are_refused() {
        assert_eq!(
            NoticeNumber::parse("3222-0115-1398-5741-81"),
            Err(PagopaError::NotDigits)
        );
        assert_eq!(
            NoticeNumber::parse("3222\t0115\t1398\t5741\t81"),
            Err(PagopaError::NotDigits)
        );
        // Non-ASCII digits look like digits to a person but are not.
        assert_eq!(
            NoticeNumber::parse("32220115139857418１"),
            Err(PagopaError::NotDigits)
        );
    }

    #[test]
    fn wrong_length_reports_how_many_digits_were_found() {
        assert_eq!(
            NoticeNumber::parse("32220115139857418"),
            Err(PagopaError::WrongLength { found: 17 })
        );
        assert_eq!(
            NoticeNumber::parse(""),
            Err(PagopaError::WrongLength { found: 0 })
        );
        assert_eq!(
            NoticeNumber::parse("3222011513985741810"),
            Err(PagopaError::WrongLength { found: 19 })
        );
    }

    #[test]
    fn aux_digits_4_to_9_are_unknown() {
        for aux in 4..=9u8 {
            let nav = format!("{aux}22201151398574181");
            assert_eq!(
                NoticeNumber::parse(&nav),
                Err(PagopaError::UnknownAuxDigit { aux_digit: aux })
            );
        }
        assert_eq!(
            NoticeNumber::with_check_digits(4, "222011513985741"),
            Err(PagopaError::UnknownAuxDigit { aux_digit: 4 })
        );
    }

    #[test]
    fn aux_1_has_no_check_digits() {
        let nav = NoticeNumber::parse("100000000000000007").unwrap();
        assert_eq!(nav.iuv(), "00000000000000007");
        assert_eq!(nav.segregation_code(), None);
        let built = NoticeNumber::with_check_digits(1, "12345678901234567").unwrap();
        assert_eq!(built.as_str(), "112345678901234567");
    }

    #[test]
    fn layouts_0_and_2_expose_their_parts() {
        let aux0 = NoticeNumber::with_check_digits(0, "421234567890123").unwrap();
        let expected_check = 421_234_567_890_123u64 % 93;
        assert_eq!(
            aux0.as_str(),
            format!("0421234567890123{expected_check:02}")
        );
        assert_eq!(aux0.application_code(), Some(42));
        assert_eq!(aux0.iuv(), format!("1234567890123{expected_check:02}"));
        assert_eq!(aux0.iuv().len(), 15);

        let aux2 = NoticeNumber::with_check_digits(2, "123456789012345").unwrap();
        let expected_check = 2_123_456_789_012_345u64 % 93;
        assert_eq!(
            aux2.as_str(),
            format!("2123456789012345{expected_check:02}")
        );
        assert_eq!(aux2.iuv().len(), 17);
        assert_eq!(aux2.application_code(), None);
        assert_eq!(aux2.segregation_code(), None);
    }

    #[test]
    fn with_check_digits_refuses_wrong_bodies() {
        assert_eq!(
            NoticeNumber::with_check_digits(3, "22201151398574"),
            Err(PagopaError::WrongLength { found: 17 })
        );
        assert_eq!(
            NoticeNumber::with_check_digits(1, "222011513985741"),
            Err(PagopaError::WrongLength { found: 16 })
        );
        assert_eq!(
            NoticeNumber::with_check_digits(3, "2220115139857x1"),
            Err(PagopaError::NotDigits)
        );
    }

    #[test]
    fn check_digits_match_integer_arithmetic_and_never_overflow() {
        assert_eq!(check_digits("3222011513985741"), Ok(81));
        assert_eq!(check_digits("3020123876543123"), Ok(86));
        assert_eq!(check_digits("92"), Ok(92));
        assert_eq!(check_digits("93"), Ok(0));
        // Far beyond u128: 60 nines. 10^60 - 1 mod 93 computed independently below.
        let long = "9".repeat(60);
        let mut expected = 0u32;
        for _ in 0..60 {
            expected = (expected * 10 + 9) % 93;
        }
        assert_eq!(check_digits(&long), Ok(expected as u8));
        assert_eq!(check_digits(""), Err(PagopaError::NotDigits));
        assert_eq!(check_digits("12a"), Err(PagopaError::NotDigits));
    }

    #[test]
    fn serde_round_trip_validates() {
        let nav = NoticeNumber::parse("322201151398574181").unwrap();
        let json = serde_json::to_string(&nav).unwrap();
        assert_eq!(json, "\"322201151398574181\"");
        assert_eq!(serde_json::from_str::<NoticeNumber>(&json).unwrap(), nav);
        assert!(serde_json::from_str::<NoticeNumber>("\"322201151398574182\"").is_err());
    }
}
