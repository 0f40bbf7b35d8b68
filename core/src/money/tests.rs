use super::*;
use proptest::prelude::*;

#[test]
fn good_inputs_parse_to_exact_cents() {
    let table: &[(&str, i64)] = &[
        ("20", 2000),
        ("20,5", 2050),
        ("20,50", 2050),
        ("€ 20,50", 2050),
        ("€20", 2000),
        ("20 €", 2000),
        ("20€", 2000),
        ("1.000,00", 100_000),
        ("1000", 100_000),
        ("20.50", 2050),
        ("20.5", 2050),
        ("1.000", 100_000),
        ("1.000.000", 100_000_000),
        ("1.234.567,89", 123_456_789),
        ("  20,50  ", 2050),
        ("\u{a0}20,50\u{a0}", 2050),
        ("€\u{a0}20,50", 2050),
        ("\u{202f}€ 5\u{2007}", 500),
        ("0,01", 1),
        ("0.01", 1),
        ("0,1", 10),
        ("00,50", 50),
        ("020", 2000),
        ("100", 10_000),
        ("9.999.999.999.999,99", 999_999_999_999_999),
        ("9999999999999", 999_999_999_999_900),
        ("12.345", 1_234_500),
        ("€ 1.000", 100_000),
        ("5 €", 500),
    ];
    for (text, cents) in table {
        let parsed = Amount::parse_it(text);
        assert_eq!(parsed, Ok(Amount::from_cents(*cents)), "input {text:?}");
    }
}

#[test]
fn bad_inputs_each_get_their_own_error() {
    use AmountError::*;
    let table: Vec<(&str, AmountError)> = vec![
        ("", Empty),
        ("   ", Empty),
        ("\u{a0}\u{a0}", Empty),
        ("€", Empty),
        (" € ", Empty),
        ("0", Zero),
        ("0,00", Zero),
        ("0.0", Zero),
        ("€ 0", Zero),
        ("000", Zero),
        ("0,0", Zero),
        ("-5", Negative),
        ("-€ 5,00", Negative),
        ("€ -5", Negative),
        ("- 5", Negative),
        ("\u{2212}5", Negative),
        ("-0,01", Negative),
        ("-1.000,00", Negative),
        ("20,505", TooManyDecimals),
        ("1,001", TooManyDecimals),
        ("20.5050", TooManyDecimals),
        ("1.000,505", TooManyDecimals),
        ("0,001", TooManyDecimals),
        ("1e3", Exponent),
        ("1E3", Exponent),
        ("2e-2", Exponent),
        ("1,5e2", Exponent),
        ("€ 1e3", Exponent),
        ("abc", InvalidCharacter { found: 'a' }),
        ("20a", InvalidCharacter { found: 'a' }),
        ("20 euro", Malformed),
        ("euro 20", InvalidCharacter { found: 'e' }),
        ("$20", InvalidCharacter { found: '$' }),
        ("20$", InvalidCharacter { found: '$' }),
        ("+20", InvalidCharacter { found: '+' }),
        ("20;50", InvalidCharacter { found: ';' }),
        ("1'000", InvalidCharacter { found: '\'' }),
        ("20\u{200b}", InvalidCharacter { found: '\u{200b}' }),
        ("0x10", InvalidCharacter { found: 'x' }),
        ("e3", InvalidCharacter { found: 'e' }),
        ("NaN", InvalidCharacter { found: 'N' }),
        ("inf", InvalidCharacter { found: 'i' }),
        ("٢٠", NonAsciiDigit),
        ("２０", NonAsciiDigit),
        ("2²", NonAsciiDigit),
        ("€ ٥", NonAsciiDigit),
        ("१०", NonAsciiDigit),
        ("1,000.00", AmbiguousSeparators),
        ("1,000,000.00", AmbiguousSeparators),
        ("20,50.", AmbiguousSeparators),
        ("1,5.0", AmbiguousSeparators),
        ("1,000,000", RepeatedDecimalSeparator),
        ("20,,50", RepeatedDecimalSeparator),
        ("1,5,0", RepeatedDecimalSeparator),
        ("1.00.000", MalformedGrouping),
        ("1..000", MalformedGrouping),
        ("1000.000", MalformedGrouping),
        ("1.0000.000", MalformedGrouping),
        ("0.500", MalformedGrouping),
        (".500", MalformedGrouping),
        ("1.000.50", MalformedGrouping),
        ("10.00,50", MalformedGrouping),
        ("1234.567,00", MalformedGrouping),
        ("20,", Malformed),
        (",50", Malformed),
        ("20.", Malformed),
        (".5", Malformed),
        ("20 50", Malformed),
        ("€€20", Malformed),
        ("€20€", Malformed),
        ("5-", Malformed),
        ("-", Malformed),
        ("--5", Malformed),
        ("20-5", Malformed),
        ("10000000000000", Overflow),
        ("99999999999999,99", Overflow),
        ("10.000.000.000.000", Overflow),
        ("92233720368547758,07", Overflow),
        ("123456789012345678901234567890", Overflow),
    ];
    assert!(table.len() >= 60, "table has {} rows", table.len());
    for (text, expected) in table {
        assert_eq!(Amount::parse_it(text), Err(expected), "input {text:?}");
    }
}

#[test]
fn every_error_has_a_distinct_key_and_italian_message() {
    let min = Amount::from_cents(500);
    let errors = [
        AmountError::Empty,
        AmountError::Zero,
        AmountError::Negative,
        AmountError::TooManyDecimals,
        AmountError::Exponent,
        AmountError::InvalidCharacter { found: 'x' },
        AmountError::NonAsciiDigit,
        AmountError::AmbiguousSeparators,
        AmountError::RepeatedDecimalSeparator,
        AmountError::MalformedGrouping,
        AmountError::Malformed,
        AmountError::Overflow,
        AmountError::BelowMinimum { min },
        AmountError::AboveMaximum { max: min },
    ];
    let keys: std::collections::HashSet<&str> = errors.iter().map(|e| e.message_key()).collect();
    assert_eq!(keys.len(), errors.len());
    assert!(keys.iter().all(|k| k.starts_with("importo.")));
    assert_eq!(AmountError::Empty.to_string(), "Inserisci un importo");
    assert_eq!(
        AmountError::BelowMinimum { min }.to_string(),
        "L'importo minimo è € 5,00"
    );
}

#[test]
fn topup_limits_are_inclusive() {
    let limits = AmountLimits {
        min: Amount::from_cents(500),
        max: Amount::from_cents(50_000),
    };
    assert_eq!(
        Amount::parse_topup("5", &limits),
        Ok(Amount::from_cents(500))
    );
    assert_eq!(
        Amount::parse_topup("500,00", &limits),
        Ok(Amount::from_cents(50_000))
    );
    assert_eq!(
        Amount::parse_topup("4,99", &limits),
        Err(AmountError::BelowMinimum { min: limits.min })
    );
    assert_eq!(
        Amount::parse_topup("500,01", &limits),
        Err(AmountError::AboveMaximum { max: limits.max })
    );
    // A malformed amount reports the typing problem, not the limits.
    assert_eq!(Amount::parse_topup("", &limits), Err(AmountError::Empty));
}

#[test]
fn formats_it_it() {
    let table: &[(i64, &str)] = &[
        (2050, "€ 20,50"),
        (100_000, "€ 1.000,00"),
        (1, "€ 0,01"),
        (0, "€ 0,00"),
        (123_456_789, "€ 1.234.567,89"),
        (-500, "-€ 5,00"),
        (99_999, "€ 999,99"),
        (10_000_000, "€ 100.000,00"),
        (i64::MAX, "€ 92.233.720.368.547.758,07"),
        (i64::MIN, "-€ 92.233.720.368.547.758,08"),
    ];
    for (cents, text) in table {
        assert_eq!(format_cents(*cents), *text);
        assert_eq!(Amount::from_cents(*cents).to_string(), *text);
    }
}

#[test]
fn decimal_conversion_rejects_what_cents_cannot_hold() {
    let ok = |s: &str| Amount::try_from_decimal(s.parse::<Decimal>().expect("test literal"));
    assert_eq!(ok("20.5"), Ok(Amount::from_cents(2050)));
    assert_eq!(ok("20.500"), Ok(Amount::from_cents(2050)));
    assert_eq!(ok("-3"), Ok(Amount::from_cents(-300)));
    assert_eq!(ok("20.505"), Err(AmountError::TooManyDecimals));
    assert_eq!(ok("92233720368547758.08"), Err(AmountError::Overflow));
    assert_eq!(
        ok("-92233720368547758.08"),
        Ok(Amount::from_cents(i64::MIN))
    );
    assert_eq!(
        ok("79228162514264337593543950335"),
        Err(AmountError::Overflow)
    );
    assert_eq!(Amount::from_cents(2050).to_decimal().scale(), 2);
}

#[test]
fn serialises_as_integer_cents() {
    let amount = Amount::from_cents(2050);
    assert_eq!(serde_json::to_string(&amount).expect("serialise"), "2050");
    let back: Amount = serde_json::from_str("-125").expect("deserialise");
    assert_eq!(back, Amount::from_cents(-125));
}

/// The largest amount parse_it accepts: 13 integer digits and 2 decimals.
const MAX_TYPED_CENTS: i64 = 999_999_999_999_999;

proptest! {
    #[test]
    fn parse_of_format_round_trips(cents in 1..=MAX_TYPED_CENTS) {
        let amount = Amount::from_cents(cents);
        prop_assert_eq!(Amount::parse_it(&amount.format_it()), Ok(amount));
    }

    #[test]
    fn plain_decimal_forms_round_trip(cents in 1..=MAX_TYPED_CENTS) {
        let comma = format!("{},{:02}", cents / 100, cents % 100);
        prop_assert_eq!(Amount::parse_it(&comma), Ok(Amount::from_cents(cents)));
        let dot = format!("{}.{:02}", cents / 100, cents % 100);
        prop_assert_eq!(Amount::parse_it(&dot), Ok(Amount::from_cents(cents)));
    }

    #[test]
    fn cents_and_decimal_agree_exactly(cents in any::<i64>()) {
        let amount = Amount::from_cents(cents);
        prop_assert_eq!(amount.cents(), cents);
        prop_assert_eq!(Amount::try_from_decimal(amount.to_decimal()), Ok(amount));
        prop_assert_eq!(amount.to_decimal(), Decimal::new(cents, 2));
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,24}") {
        let _ = Amount::parse_it(&text);
    }

    #[test]
    fn parsed_amounts_are_always_positive(text in "[-€ 0-9.,eE]{0,16}") {
        if let Ok(amount) = Amount::parse_it(&text) {
            prop_assert!(amount.is_positive());
        }
    }
}
