//! pagoPA notice numbers (NAV) and QR payloads as the sandbox issues and checks them.
//!
//! Kept here rather than borrowed from `comunicapp_core::pagopa` so the sandbox is an independent
//! second implementation: a bug in the core's check digits shows up as a disagreement.

/// Aux digit 3 (`3 <segregation 2> <IUV base 13> <check 2>`), the layout in use today.
const AUX_DIGIT: char = '3';
const SEGREGATION_CODE: &str = "01";

/// The NAV with serial `serial` (unique per sandbox), check digits included.
pub fn nav_for_serial(serial: u64) -> String {
    let head = format!(
        "{AUX_DIGIT}{SEGREGATION_CODE}26{:011}",
        serial % 100_000_000_000
    );
    format!("{head}{:02}", check_digits(&head).unwrap_or(0))
}

/// Remainder mod 93 of the number made of `digits`; `None` unless all ASCII digits.
fn check_digits(digits: &str) -> Option<u64> {
    digits.chars().try_fold(0u64, |rest, c| {
        let digit = u64::from(c.to_digit(10)?);
        Some((rest * 10 + digit) % 93)
    })
}

/// True for an 18-digit NAV whose check digits match (aux digit 1 has none).
pub fn is_valid_nav(nav: &str) -> bool {
    if nav.len() != 18 || !nav.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match nav.as_bytes()[0] {
        b'1' => true,
        b'0' | b'2' | b'3' => {
            let (head, check) = nav.split_at(16);
            check_digits(head).map(|c| format!("{c:02}")) == Some(check.to_string())
        }
        _ => false,
    }
}

pub fn is_valid_fiscal_code(code: &str) -> bool {
    code.len() == 11 && code.bytes().all(|b| b.is_ascii_digit())
}

pub fn qr_payload(nav: &str, fiscal_code: &str, amount_cents: i64) -> String {
    format!("PAGOPA|002|{nav}|{fiscal_code}|{amount_cents}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_example_is_valid_and_a_changed_digit_is_not() {
        assert!(is_valid_nav("322201151398574181"));
        assert!(!is_valid_nav("322201151398574182"));
        assert!(!is_valid_nav("422201151398574181"));
        assert!(!is_valid_nav("32220115139857418"));
    }

    #[test]
    fn issued_numbers_are_valid_and_distinct() {
        let first = nav_for_serial(1);
        let second = nav_for_serial(2);
        assert!(is_valid_nav(&first), "{first}");
        assert!(is_valid_nav(&second), "{second}");
        assert_ne!(first, second);
        assert!(first.starts_with("301"));
    }
}
