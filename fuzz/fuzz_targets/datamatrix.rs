//! `parse_poste_datamatrix` (`codfase=NBPA;…`, the Poste bollettino's Data Matrix) on arbitrary
//! UTF-8.
//!
//! Beyond "no panic": the parser reads nothing past the ente's fiscal code (the 77th character),
//! so a payload cut there reads the same; an accepted notice has an amount of 1 to 9,999,999,999 cents;
//! the full 256-character payload the core writes for it, with the debtor fields of the input
//! (upper-cased, cut and padded), reads back to the same notice; so does its pagoPA QR payload.
#![no_main]

use comunicapp_core::pagopa::{
    parse_payment_qr, parse_poste_datamatrix, PosteBollettino, POSTE_DATAMATRIX_LEN,
};
use libfuzzer_sys::fuzz_target;

/// Characters up to the end of the ente's fiscal code: everything the parser reads.
const READ_UP_TO: usize = 77;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_poste_datamatrix(text);
    if let Some((cut, _)) = text.char_indices().nth(READ_UP_TO) {
        assert_eq!(
            parse_poste_datamatrix(&text[..cut]),
            parsed,
            "{text:?} read past character {READ_UP_TO}"
        );
    }
    let Ok(notice) = parsed else {
        return;
    };
    assert!(
        (1..=9_999_999_999).contains(&notice.amount_cents),
        "{text:?}"
    );
    assert_eq!(&text[15..33], notice.notice_number.as_str());
    assert_eq!(&text[66..77], notice.fiscal_code.as_str());
    // The debtor fields of the input, wherever it has them; the account is not read by the
    // parser, so a well-formed one stands in when the input's is not.
    let field = |at: std::ops::Range<usize>| text.get(at).unwrap_or("").to_owned();
    let account = text
        .get(35..47)
        .map(|a| a.trim_start_matches('0'))
        .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("16302093")
        .to_owned();
    let bollettino = PosteBollettino {
        account_number: account,
        debtor_fiscal_code: field(77..93),
        debtor_name: field(93..133),
        subject: field(133..243),
    };
    let payload = notice
        .poste_datamatrix_payload(&bollettino)
        .expect("a parsed notice is written again");
    assert_eq!(payload.len(), POSTE_DATAMATRIX_LEN, "{payload:?}");
    assert!(payload.is_ascii() && payload.ends_with('A'), "{payload:?}");
    assert_eq!(parse_poste_datamatrix(&payload).as_ref(), Ok(&notice));
    assert_eq!(parse_payment_qr(&notice.qr_payload()), Ok(notice));
});
