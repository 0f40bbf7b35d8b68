//! Properties of the pagoPA codes over random inputs: round trips, single-digit typos, junk.

use proptest::prelude::*;

use super::*;

/// A valid notice number for any aux digit, built from random digits.
fn any_notice_number() -> impl Strategy<Value = NoticeNumber> {
    prop_oneof![
        (Just(0u8), "[0-9]{15}"),
        (Just(1u8), "[0-9]{17}"),
        (Just(2u8), "[0-9]{15}"),
        (Just(3u8), "[0-9]{15}"),
    ]
    .prop_map(|(aux, body)| {
        NoticeNumber::with_check_digits(aux, &body).expect("body has the layout's length")
    })
}

fn any_notice() -> impl Strategy<Value = PaymentNotice> {
    (
        any_notice_number(),
        "[0-9]{11}",
        1..=PaymentNotice::MAX_AMOUNT_CENTS,
    )
        .prop_map(|(notice_number, cf, amount_cents)| {
            PaymentNotice::new(
                notice_number,
                EnteFiscalCode::parse(&cf).expect("11 digits"),
                amount_cents,
            )
            .expect("amount in range")
        })
}

/// `digits` with position `at` replaced by `digit`.
fn with_digit(digits: &str, at: usize, digit: u8) -> String {
    digits
        .bytes()
        .enumerate()
        .map(|(i, b)| char::from(if i == at { b'0' + digit } else { b }))
        .collect()
}

proptest! {
    #[test]
    fn built_notice_numbers_validate_and_round_trip(nav in any_notice_number()) {
        prop_assert_eq!(NoticeNumber::parse(nav.as_str()), Ok(nav.clone()));
        prop_assert_eq!(NoticeNumber::parse(&nav.formatted()), Ok(nav.clone()));
        prop_assert_eq!(nav.formatted().replace(' ', ""), nav.as_str());
        prop_assert_eq!(nav.formatted().len(), 22);
        let iuv_len = if nav.aux_digit() == 0 { 15 } else { 17 };
        prop_assert_eq!(nav.iuv().len(), iuv_len);
        prop_assert!(nav.as_str().ends_with(&nav.iuv()));
    }

    /// The check digits are the first 16 digits mod 93. A typo at position k of those changes
    /// the number by d·10^(15-k) with 1 ≤ |d| ≤ 9; 93 = 3·31 shares no factor with 10 and
    /// divides no d, so the remainder always changes. A typo in the check digits changes the
    /// check digits. The aux digit is covered by the same argument while the new layout
    /// still has check digits (0, 2, 3, all checked over the same 16 digits); changing it to 1
    /// yields a valid aux-1 number (17 digits of IUV, no check), and to 4-9 an unknown layout.
    #[test]
    fn every_single_digit_typo_is_caught(
        aux in prop_oneof![Just(0u8), Just(2u8), Just(3u8)],
        body in "[0-9]{15}",
    ) {
        let nav = NoticeNumber::with_check_digits(aux, &body).expect("valid body");
        let digits = nav.as_str();
        for at in 0..NOTICE_NUMBER_LEN {
            let original = digits.as_bytes()[at] - b'0';
            for digit in (0..=9u8).filter(|d| *d != original) {
                let typo = with_digit(digits, at, digit);
                let result = NoticeNumber::parse(&typo);
                match (at, digit) {
                    (0, 1) => prop_assert!(result.is_ok(), "{typo}: {result:?}"),
                    (0, 4..=9) => prop_assert_eq!(
                        result,
                        Err(PagopaError::UnknownAuxDigit { aux_digit: digit })
                    ),
                    _ => prop_assert!(
                        matches!(result, Err(PagopaError::WrongCheckDigits { .. })),
                        "{typo} accepted as {result:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn qr_payload_round_trips(notice in any_notice()) {
        let payload = notice.qr_payload();
        prop_assert_eq!(parse_payment_qr(&payload), Ok(notice));
    }

    #[test]
    fn datamatrix_payload_round_trips(
        notice in any_notice(),
        account in "[0-9]{1,12}",
        debtor_fiscal_code in "[A-Z0-9]{16}",
        debtor_name in "\\PC{0,60}",
        subject in "\\PC{0,150}",
    ) {
        // The Data Matrix amount field holds 10 digits, one fewer than the QR code.
        let notice = PaymentNotice {
            amount_cents: notice.amount_cents % 9_999_999_999 + 1,
            ..notice
        };
        let bollettino = PosteBollettino { account_number: account, debtor_fiscal_code, debtor_name, subject };
        let payload = notice.poste_datamatrix_payload(&bollettino).expect("valid parts");
        prop_assert_eq!(payload.len(), POSTE_DATAMATRIX_LEN);
        prop_assert!(payload.is_ascii());
        prop_assert!(payload.ends_with('A'));
        prop_assert_eq!(parse_poste_datamatrix(&payload), Ok(notice));
    }

    #[test]
    fn rf_references_round_trip(reference in "[A-Za-z0-9]{1,21}") {
        let rf = RfReference::from_reference(&reference).expect("valid reference");
        prop_assert!((2..=98).contains(&rf.check_digits()));
        prop_assert_eq!(rf.reference(), reference.to_ascii_uppercase());
        prop_assert_eq!(RfReference::parse(rf.as_str()), Ok(rf.clone()));
        prop_assert_eq!(RfReference::parse(&rf.formatted()), Ok(rf.clone()));
        prop_assert_eq!(RfReference::parse(&rf.as_str().to_ascii_lowercase()), Ok(rf));
    }

    #[test]
    fn junk_never_panics(junk in "\\PC{0,300}") {
        let _ = NoticeNumber::parse(&junk);
        let _ = EnteFiscalCode::parse(&junk);
        let _ = parse_payment_qr(&junk);
        let _ = parse_poste_datamatrix(&junk);
        let _ = RfReference::parse(&junk);
        let _ = RfReference::from_reference(&junk);
        let _ = check_digits(&junk);
        let _ = validate_rf_reference(&junk);
    }

    /// Junk that looks like the real thing gets further into the parsers than random text.
    #[test]
    fn near_misses_never_panic(
        head in prop_oneof![Just("PAGOPA|002|"), Just("codfase=NBPA;18"), Just("RF")],
        tail in "[0-9|é ;A-Z]{0,300}",
    ) {
        let junk = format!("{head}{tail}");
        let _ = parse_payment_qr(&junk);
        let _ = parse_poste_datamatrix(&junk);
        let _ = RfReference::parse(&junk);
        let _ = NoticeNumber::parse(&tail);
    }
}
