//! `parse_payment_qr` (`PAGOPA|002|<NAV>|<CF>|<cents>`) on arbitrary UTF-8.
//!
//! Beyond "no panic": an accepted notice has an amount every pagoPA payload can carry
//! (`PaymentNotice::new` accepts it unchanged); the payload the core writes for it parses back to
//! the same notice; `qr_matrix` draws exactly the payloads the parser accepts, as a square grid;
//! and the same notice written as a Poste Data Matrix (when its amount fits one) reads back equal.
#![no_main]

use comunicapp_core::pagopa::{
    parse_payment_qr, parse_poste_datamatrix, qr_matrix, PaymentNotice, PosteBollettino,
};
use libfuzzer_sys::fuzz_target;

/// The largest amount the Data Matrix's 10 digits hold.
const MAX_DATAMATRIX_CENTS: i64 = 9_999_999_999;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_payment_qr(text);
    let Ok(notice) = parsed else {
        assert!(qr_matrix(text).is_err(), "{text:?} drawn but not parsed");
        return;
    };
    let rebuilt = PaymentNotice::new(
        notice.notice_number.clone(),
        notice.fiscal_code.clone(),
        notice.amount_cents,
    );
    assert_eq!(rebuilt.as_ref(), Ok(&notice), "{text:?}");
    let payload = notice.qr_payload();
    assert_eq!(
        parse_payment_qr(&payload).as_ref(),
        Ok(&notice),
        "{payload:?}"
    );
    let matrix = qr_matrix(text).expect("a parsed payload is drawn");
    assert_eq!(matrix.modules.len(), (matrix.size as usize).pow(2));
    assert!(matrix.size >= 21, "QR version 1 is the smallest");
    if notice.amount_cents <= MAX_DATAMATRIX_CENTS {
        let bollettino = PosteBollettino {
            account_number: "16302093".to_owned(),
            debtor_fiscal_code: "BSCMTT83A12L719R".to_owned(),
            debtor_name: "Mattia Bosco".to_owned(),
            subject: "Ricarica refezione".to_owned(),
        };
        let datamatrix = notice
            .poste_datamatrix_payload(&bollettino)
            .expect("the amount fits the Data Matrix");
        assert_eq!(
            parse_poste_datamatrix(&datamatrix),
            Ok(notice),
            "{datamatrix:?}"
        );
    }
});
