//! Euro amounts: parsing what a parent types in Italian, formatting it-IT, exact cents everywhere.
//!
//! An [`Amount`] is a `Decimal` held at exactly two decimals whose cents fit an `i64`, so the FFI,
//! the store and the portal (all speaking `i64` cents) can always receive it without loss.
//!
//! Parsing rules of [`Amount::parse_it`], in the order they are checked:
//! 1. surrounding whitespace (NBSP included) is ignored; nothing left → [`AmountError::Empty`];
//! 2. any digit other than ASCII 0–9 → [`AmountError::NonAsciiDigit`];
//! 3. one leading minus (`-` or `−`) and one `€` before or after the number are taken off;
//! 4. `e`/`E` right after a digit → [`AmountError::Exponent`]; any other letter or symbol →
//!    [`AmountError::InvalidCharacter`]; spaces, signs or `€` inside the number →
//!    [`AmountError::Malformed`];
//! 5. separators: `,` is the decimal separator, at most once; `.` before the comma groups
//!    thousands. Without a comma, `.` groups thousands when every group after the first has
//!    exactly 3 digits ("1.000", "1.000.000") and is a decimal point before 1–2 digits ("20.50").
//!    A comma before a dot ("1,000.00") is English notation and ambiguous in Italian.
//! 6. more than [`MAX_INTEGER_DIGITS`] integer digits → [`AmountError::Overflow`];
//! 7. a minus sign → [`AmountError::Negative`]; a zero value → [`AmountError::Zero`].

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The most integer digits a typed amount may have: below ten thousand billion euro.
///
/// Far above any top-up, and it keeps even a full cart of 5 such amounts inside `i64` cents
/// (5 × 10^15 < 9.2 × 10^18), so totals never need an overflow path in practice.
pub const MAX_INTEGER_DIGITS: usize = 13;

/// A signed euro amount with exactly two decimals. Negative balances are debts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "i64", into = "i64")]
pub struct Amount(Decimal);

/// Inclusive bounds of a "Ricarica personalizzata" for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AmountLimits {
    pub min: Amount,
    pub max: Amount,
}

/// Why a typed amount was refused. Each variant is one message a parent can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Inserisci un importo")]
    Empty,
    #[error("L'importo deve essere maggiore di zero")]
    Zero,
    #[error("L'importo non può essere negativo")]
    Negative,
    #[error("Puoi indicare al massimo due cifre decimali")]
    TooManyDecimals,
    #[error("Scrivi l'importo per esteso, senza notazione esponenziale")]
    Exponent,
    #[error("L'importo contiene un carattere non valido: «{found}»")]
    InvalidCharacter { found: char },
    #[error("Usa solo le cifre da 0 a 9")]
    NonAsciiDigit,
    #[error("Formato non chiaro: usa la virgola per i decimali (es. 1.000,50)")]
    AmbiguousSeparators,
    #[error("Usa una sola virgola per i decimali")]
    RepeatedDecimalSeparator,
    #[error("Separatore delle migliaia non valido (es. 1.000,00)")]
    MalformedGrouping,
    #[error("Importo non valido (es. 20,50)")]
    Malformed,
    #[error("L'importo è troppo grande")]
    Overflow,
    #[error("L'importo minimo è {min}")]
    BelowMinimum { min: Amount },
    #[error("L'importo massimo è {max}")]
    AboveMaximum { max: Amount },
}

impl AmountError {
    /// Stable key for the apps' own translations; never changes once released.
    pub fn message_key(&self) -> &'static str {
        match self {
            AmountError::Empty => "importo.vuoto",
            AmountError::Zero => "importo.zero",
            AmountError::Negative => "importo.negativo",
            AmountError::TooManyDecimals => "importo.troppi_decimali",
            AmountError::Exponent => "importo.esponente",
            AmountError::InvalidCharacter { .. } => "importo.carattere_non_valido",
            AmountError::NonAsciiDigit => "importo.cifre_non_ascii",
            AmountError::AmbiguousSeparators => "importo.separatori_ambigui",
            AmountError::RepeatedDecimalSeparator => "importo.virgole_multiple",
            AmountError::MalformedGrouping => "importo.migliaia_non_valide",
            AmountError::Malformed => "importo.non_valido",
            AmountError::Overflow => "importo.troppo_grande",
            AmountError::BelowMinimum { .. } => "importo.sotto_minimo",
            AmountError::AboveMaximum { .. } => "importo.sopra_massimo",
        }
    }
}

impl Amount {
    pub fn from_cents(cents: i64) -> Amount {
        Amount(Decimal::new(cents, 2))
    }

    pub fn zero() -> Amount {
        Amount::from_cents(0)
    }

    pub fn cents(&self) -> i64 {
        // The constructors keep scale 2 and the mantissa inside i64, so this cannot truncate;
        // the fallback only exists to avoid a panic path.
        i64::try_from(self.0.mantissa()).unwrap_or(if self.0.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    pub fn to_decimal(&self) -> Decimal {
        self.0
    }

    /// Accepts any sign and any scale that normalises to at most two decimals ("20.500" is fine).
    pub fn try_from_decimal(value: Decimal) -> Result<Amount, AmountError> {
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        let mut scaled = normalized;
        scaled.rescale(2);
        // rescale stops short of scale 2 when the 96-bit mantissa cannot hold the value, which is
        // far beyond i64 cents anyway.
        if scaled.scale() != 2 {
            return Err(AmountError::Overflow);
        }
        let cents = i64::try_from(scaled.mantissa()).map_err(|_| AmountError::Overflow)?;
        Ok(Amount::from_cents(cents))
    }

    pub fn is_positive(&self) -> bool {
        self.cents() > 0
    }

    pub fn is_negative(&self) -> bool {
        self.cents() < 0
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.cents()
            .checked_add(other.cents())
            .map(Amount::from_cents)
    }

    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.cents()
            .checked_sub(other.cents())
            .map(Amount::from_cents)
    }

    /// Parses what a parent typed; only positive amounts come out. Rules in the module docs.
    pub fn parse_it(text: &str) -> Result<Amount, AmountError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(AmountError::Empty);
        }
        if trimmed
            .chars()
            .any(|c| c.is_numeric() && !c.is_ascii_digit())
        {
            return Err(AmountError::NonAsciiDigit);
        }
        let (negative, body) = strip_sign_and_currency(trimmed);
        if body.is_empty() {
            return Err(if negative {
                AmountError::Malformed
            } else {
                AmountError::Empty
            });
        }
        check_characters(body)?;
        let (integer_digits, fraction_digits) = split_separators(body)?;
        let cents = to_cents(&integer_digits, &fraction_digits)?;
        if negative {
            return Err(AmountError::Negative);
        }
        if cents == 0 {
            return Err(AmountError::Zero);
        }
        Ok(Amount::from_cents(cents))
    }

    /// [`Amount::parse_it`] plus the service's bounds, both inclusive.
    pub fn parse_topup(text: &str, limits: &AmountLimits) -> Result<Amount, AmountError> {
        let amount = Amount::parse_it(text)?;
        limits.check(amount)?;
        Ok(amount)
    }

    /// it-IT: `€ 1.234,56`, `-€ 5,00`.
    pub fn format_it(&self) -> String {
        format_cents(self.cents())
    }
}

impl AmountLimits {
    pub fn check(&self, amount: Amount) -> Result<(), AmountError> {
        if amount < self.min {
            return Err(AmountError::BelowMinimum { min: self.min });
        }
        if amount > self.max {
            return Err(AmountError::AboveMaximum { max: self.max });
        }
        Ok(())
    }

    pub fn contains(&self, amount: Amount) -> bool {
        self.check(amount).is_ok()
    }
}

impl From<i64> for Amount {
    fn from(cents: i64) -> Amount {
        Amount::from_cents(cents)
    }
}

impl From<Amount> for i64 {
    fn from(amount: Amount) -> i64 {
        amount.cents()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_it())
    }
}

/// it-IT formatting of signed cents: `€ 0,01`, `€ 1.000,00`, `-€ 5,00`.
pub fn format_cents(cents: i64) -> String {
    crate::copy::Lang::It.amount(cents)
}

fn is_minus(c: char) -> bool {
    c == '-' || c == '\u{2212}'
}

/// Takes off one leading minus and one `€` on either side, in the orders people write them:
/// "-€ 5", "€ -5", "- 5 €".
fn strip_sign_and_currency(text: &str) -> (bool, &str) {
    let mut negative = false;
    let mut rest = text;
    if let Some(after) = rest.strip_prefix(is_minus) {
        negative = true;
        rest = after.trim_start();
    }
    if let Some(after) = rest.strip_prefix('€') {
        rest = after.trim_start();
    } else if let Some(before) = rest.strip_suffix('€') {
        rest = before.trim_end();
    }
    if !negative {
        if let Some(after) = rest.strip_prefix(is_minus) {
            negative = true;
            rest = after.trim_start();
        }
    }
    (negative, rest)
}

fn check_characters(body: &str) -> Result<(), AmountError> {
    let mut previous_was_digit = false;
    for c in body.chars() {
        match c {
            '0'..='9' | ',' | '.' => {}
            'e' | 'E' if previous_was_digit => return Err(AmountError::Exponent),
            c if c.is_whitespace() || c == '€' || is_minus(c) => {
                return Err(AmountError::Malformed)
            }
            found => return Err(AmountError::InvalidCharacter { found }),
        }
        previous_was_digit = c.is_ascii_digit();
    }
    Ok(())
}

/// Splits a body of ASCII digits, commas and dots into its integer and fraction digits.
fn split_separators(body: &str) -> Result<(String, String), AmountError> {
    let first_comma = body.find(',');
    let last_dot = body.rfind('.');
    if let (Some(comma), Some(dot)) = (first_comma, last_dot) {
        if comma < dot {
            return Err(AmountError::AmbiguousSeparators);
        }
    }
    if body.matches(',').count() > 1 {
        return Err(AmountError::RepeatedDecimalSeparator);
    }
    if let Some((integer, fraction)) = body.split_once(',') {
        if integer.is_empty() || fraction.is_empty() {
            return Err(AmountError::Malformed);
        }
        return Ok((ungroup_thousands(integer)?, fraction.to_owned()));
    }
    let groups: Vec<&str> = body.split('.').collect();
    match groups.as_slice() {
        [integer] => Ok(((*integer).to_owned(), String::new())),
        [integer, fraction] if fraction.len() != 3 => {
            if integer.is_empty() || fraction.is_empty() {
                return Err(AmountError::Malformed);
            }
            if fraction.len() > 3 {
                return Err(AmountError::TooManyDecimals);
            }
            Ok(((*integer).to_owned(), (*fraction).to_owned()))
        }
        _ => Ok((ungroup_thousands(body)?, String::new())),
    }
}

/// "1.000.000" → "1000000". The first group has 1–3 digits and no leading zero (so "0.500" is
/// not read as five hundred euro); every later group has exactly 3.
fn ungroup_thousands(integer: &str) -> Result<String, AmountError> {
    if !integer.contains('.') {
        return Ok(integer.to_owned());
    }
    let mut groups = integer.split('.');
    let first = groups.next().unwrap_or_default();
    if first.is_empty() || first.len() > 3 || first.starts_with('0') {
        return Err(AmountError::MalformedGrouping);
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 {
            return Err(AmountError::MalformedGrouping);
        }
        digits.push_str(group);
    }
    Ok(digits)
}

fn to_cents(integer: &str, fraction: &str) -> Result<i64, AmountError> {
    if fraction.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let significant = integer.trim_start_matches('0');
    if significant.len() > MAX_INTEGER_DIGITS {
        return Err(AmountError::Overflow);
    }
    let mut cents: i64 = 0;
    let padded_fraction = format!("{fraction:0<2}");
    for digit in significant.bytes().chain(padded_fraction.bytes()) {
        cents = cents
            .checked_mul(10)
            .and_then(|c| c.checked_add(i64::from(digit - b'0')))
            .ok_or(AmountError::Overflow)?;
    }
    Ok(cents)
}

#[cfg(test)]
mod tests;
