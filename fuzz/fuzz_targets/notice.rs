//! `NoticeNumber::parse` (the 18-digit NAV), `check_digits` and `EnteFiscalCode::parse` on
//! arbitrary UTF-8.
//!
//! Beyond "no panic": an accepted notice number is 18 ASCII digits with a known aux digit; its
//! printed form ("3222 0115 1398 5741 81"), its compact form and its JSON parse back to the same
//! value; rebuilding it from its aux digit and body recomputes the same check digits; its IUV has
//! the layout's length. `check_digits` of a run of digits is that number modulo 93, computed here
//! independently. An accepted fiscal code is exactly its 11-digit input and round-trips.
#![no_main]

use comunicapp_core::pagopa::{check_digits, EnteFiscalCode, NoticeNumber, NOTICE_NUMBER_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(nav) = NoticeNumber::parse(text) {
        let digits = nav.as_str();
        assert_eq!(digits.len(), NOTICE_NUMBER_LEN, "{text:?}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
        assert_eq!(digits, text.replace(' ', ""), "{text:?}");
        assert!(nav.aux_digit() <= 3, "{text:?}");
        assert_eq!(NoticeNumber::parse(&nav.formatted()), Ok(nav.clone()));
        assert_eq!(nav.formatted().replace(' ', ""), digits);
        assert_eq!(NoticeNumber::parse(digits), Ok(nav.clone()));
        let json = serde_json::to_string(&nav).expect("a notice number serialises");
        assert_eq!(
            serde_json::from_str::<NoticeNumber>(&json).ok(),
            Some(nav.clone())
        );
        let body = if nav.aux_digit() == 1 {
            &digits[1..]
        } else {
            &digits[1..16]
        };
        assert_eq!(
            NoticeNumber::with_check_digits(nav.aux_digit(), body),
            Ok(nav.clone()),
            "{text:?}"
        );
        let iuv_len = if nav.aux_digit() == 0 { 15 } else { 17 };
        assert_eq!(nav.iuv().len(), iuv_len, "{text:?}");
        assert_eq!(nav.segregation_code().is_some(), nav.aux_digit() == 3);
        assert_eq!(nav.application_code().is_some(), nav.aux_digit() == 0);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let remainder = text
            .bytes()
            .fold(0u128, |r, b| (r * 10 + u128::from(b - b'0')) % 93);
        assert_eq!(
            check_digits(text).map(u128::from),
            Ok(remainder),
            "{text:?}"
        );
    } else {
        assert!(check_digits(text).is_err(), "{text:?}");
    }
    if let Ok(cf) = EnteFiscalCode::parse(text) {
        assert_eq!(cf.as_str(), text);
        assert!(text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(cf.to_string(), text);
        let json = serde_json::to_string(&cf).expect("a fiscal code serialises");
        assert_eq!(serde_json::from_str::<EnteFiscalCode>(&json).ok(), Some(cf));
    }
});
