//! The ente's fiscal code ("codice fiscale ente creditore"), the second half of a notice's key.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::PagopaError;

/// Digits in an ente's fiscal code.
pub const FISCAL_CODE_LEN: usize = 11;

/// A public body's fiscal code: exactly 11 ASCII digits.
///
/// pagoPA's own parsers check no more than that (no Partita IVA checksum), so neither do we:
/// refusing a code pagoPA accepts would block a payable notice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnteFiscalCode(String);

impl EnteFiscalCode {
    pub fn parse(input: &str) -> Result<Self, PagopaError> {
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PagopaError::FiscalCodeNotDigits);
        }
        if input.len() != FISCAL_CODE_LEN {
            return Err(PagopaError::FiscalCodeLength { found: input.len() });
        }
        Ok(EnteFiscalCode(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EnteFiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EnteFiscalCode {
    type Err = PagopaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EnteFiscalCode {
    type Error = PagopaError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EnteFiscalCode> for String {
    fn from(value: EnteFiscalCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_digits_are_a_fiscal_code() {
        let cf = EnteFiscalCode::parse("00000000201").unwrap();
        assert_eq!(cf.as_str(), "00000000201");
    }

    #[test]
    fn wrong_length_and_non_digits_are_distinct_errors() {
        assert_eq!(
            EnteFiscalCode::parse("0000000020"),
            Err(PagopaError::FiscalCodeLength { found: 10 })
        );
        assert_eq!(
            EnteFiscalCode::parse("810057500211"),
            Err(PagopaError::FiscalCodeLength { found: 12 })
        );
        assert_eq!(
            EnteFiscalCode::parse(""),
            Err(PagopaError::FiscalCodeLength { found: 0 })
        );
        assert_eq!(
            EnteFiscalCode::parse("0000000020A"),
            Err(PagopaError::FiscalCodeNotDigits)
        );
        assert_eq!(
            EnteFiscalCode::parse(" 00000000201"),
            Err(PagopaError::FiscalCodeNotDigits)
        );
    }
}
