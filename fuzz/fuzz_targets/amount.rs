//! `Amount::parse_it` and `Amount::parse_topup` on arbitrary UTF-8.
//!
//! Beyond "no panic": an accepted amount is positive with at most `MAX_INTEGER_DIGITS` integer
//! digits; its it-IT formatting ("€ 1.234,56") and the plain forms a parent types ("1234,56",
//! "1234.56") parse back to the same cents, as does its `Decimal`; `parse_topup` accepts exactly
//! what `parse_it` accepts inside the limits and otherwise names the bound that was broken.
#![no_main]

use comunicapp_core::money::{Amount, AmountError, AmountLimits, MAX_INTEGER_DIGITS};
use libfuzzer_sys::fuzz_target;

/// Top-up bounds of a real service, and the widest ones the type allows.
const LIMITS: [(i64, i64); 2] = [(500, 50_000), (1, i64::MAX)];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Amount::parse_it(text);
    for (min, max) in LIMITS {
        let limits = AmountLimits {
            min: Amount::from_cents(min),
            max: Amount::from_cents(max),
        };
        let expected = match &parsed {
            Ok(a) if *a < limits.min => Err(AmountError::BelowMinimum { min: limits.min }),
            Ok(a) if *a > limits.max => Err(AmountError::AboveMaximum { max: limits.max }),
            other => other.clone(),
        };
        assert_eq!(Amount::parse_topup(text, &limits), expected, "{text:?}");
    }
    let Ok(amount) = parsed else {
        return;
    };
    let cents = amount.cents();
    assert!(cents > 0, "{text:?} gave {cents} cents");
    let euros = cents / 100;
    assert!(
        euros.to_string().len() <= MAX_INTEGER_DIGITS,
        "{text:?} gave {cents} cents"
    );
    let formatted = amount.format_it();
    assert_eq!(
        Amount::parse_it(&formatted),
        Ok(amount),
        "{text:?} → {formatted:?}"
    );
    for plain in [
        format!("{euros},{:02}", cents % 100),
        format!("{euros}.{:02}", cents % 100),
    ] {
        assert_eq!(Amount::parse_it(&plain), Ok(amount), "{text:?} → {plain:?}");
    }
    assert_eq!(Amount::try_from_decimal(amount.to_decimal()), Ok(amount));
});
