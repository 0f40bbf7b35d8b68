//! `RfReference::parse` (ISO 11649 creditor reference, `RF45 W9`) on arbitrary UTF-8.
//!
//! Beyond "no panic": the parser accepts exactly the references that pass ISO 7064 MOD 97-10
//! computed here independently (digit expansion of the rearranged reference, then the remainder
//! of that decimal number) with check digits 02–98; an accepted reference is in electronic format,
//! its print format, lower case and `from_reference` of its body all give it back, and
//! `validate_rf_reference` agrees with `parse`.
#![no_main]

use comunicapp_core::pagopa::{validate_rf_reference, RfReference};
use libfuzzer_sys::fuzz_target;

/// ISO 11649: `RF`, two check digits, then 1 to 21 letters or digits (spaces ignored).
fn iso_valid(text: &str) -> bool {
    if !text.chars().all(|c| c == ' ' || c.is_ascii_alphanumeric()) {
        return false;
    }
    let electronic: String = text
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let Some(rest) = electronic.strip_prefix("RF") else {
        return false;
    };
    let (check, reference) = rest.split_at(rest.len().min(2));
    if check.len() != 2 || !check.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if reference.is_empty() || reference.len() > 21 {
        return false;
    }
    let check: u32 = check.parse().expect("two digits");
    // Reference, then "RF" and the check digits, each letter written as its two-digit value.
    let expanded: String = format!("{reference}RF{check:02}")
        .chars()
        .map(|c| c.to_digit(36).expect("alphanumeric").to_string())
        .collect();
    let remainder = expanded
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    remainder == 1 && (2..=98).contains(&check)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = RfReference::parse(text);
    assert_eq!(parsed.is_ok(), iso_valid(text), "{text:?}: {parsed:?}");
    assert_eq!(validate_rf_reference(text), parsed.is_ok());
    let Ok(rf) = parsed else {
        return;
    };
    let electronic = rf.as_str();
    assert!(electronic.starts_with("RF") && (5..=25).contains(&electronic.len()));
    assert!(electronic
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
    assert_eq!(
        format!("RF{:02}{}", rf.check_digits(), rf.reference()),
        electronic
    );
    assert_eq!(RfReference::parse(&rf.formatted()).as_ref(), Ok(&rf));
    assert_eq!(rf.formatted().replace(' ', ""), electronic);
    assert_eq!(
        RfReference::parse(&electronic.to_ascii_lowercase()).as_ref(),
        Ok(&rf)
    );
    assert_eq!(
        RfReference::from_reference(rf.reference()).as_ref(),
        Ok(&rf)
    );
});
