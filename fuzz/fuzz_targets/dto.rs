//! `serde_json::from_slice` of arbitrary bytes into every response DTO of the portal API, then the
//! core's own steps after decoding: the refresh's contract check (`PortalDocument::
//! contract_violation`), the catalog's validation (`catalog::EnteConfig::from_portal` and the
//! validating `Deserialize`) and the Saldo, Pagamenti and Contatti views built from them.
//!
//! Beyond "no panic": every decoded DTO survives the JSON round trip the cache makes (written,
//! read back, equal); the ente's contract check refuses exactly what the catalog validation
//! refuses; a catalog the validation accepts has positive limits with every preset inside them
//! and no repeats, and re-validates from its own JSON; the views keep one entry per balance and
//! per avviso to pay, show each amount as the formatter does (and a positive it-IT amount parses
//! back to its cents), flag every debt as low credit, and sort avvisi by due date and receipts
//! newest first.
#![no_main]

use std::collections::HashSet;
use std::fmt::Debug;

use comunicapp_core::api::dto::{
    Account, AvvisiList, AvvisoStatus, Balances, EnteDocument, FeeEstimate, MovementsPage,
    PortalDocument, Problem, ReceiptsList, Ricarica, RicaricheList,
};
use comunicapp_core::catalog;
use comunicapp_core::contatti::build_contatti;
use comunicapp_core::copy::Lang;
use comunicapp_core::money::{Amount, MAX_INTEGER_DIGITS};
use comunicapp_core::pagamenti::build_pagamenti;
use comunicapp_core::pagopa::NoticeNumber;
use comunicapp_core::saldo::build_saldo;
use comunicapp_core::sync::Freshness;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Decodes `data` as `T`; what decodes must come back equal from its own JSON.
fn decode<T: DeserializeOwned + Serialize + PartialEq + Debug>(data: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(data).ok()?;
    let json = serde_json::to_vec(&value).expect("a decoded DTO serialises");
    match serde_json::from_slice::<T>(&json) {
        Ok(back) => assert_eq!(back, value, "{}", String::from_utf8_lossy(&json)),
        Err(error) => panic!(
            "{} does not decode its own JSON {}: {error}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&json)
        ),
    }
    Some(value)
}

/// The refresh's check on a decoded document; it must not depend on anything but the document.
fn check_contract<T: PortalDocument>(document: Option<&T>) -> Option<bool> {
    let violation = document?.contract_violation();
    assert_eq!(document?.contract_violation(), violation);
    Some(violation.is_none())
}

/// A positive amount as it-IT shows it parses back to the same cents (when a parent could type it).
fn check_display(cents: i64, display: &str, lang: Lang) {
    let typeable = cents > 0 && (cents / 100).to_string().len() <= MAX_INTEGER_DIGITS;
    if lang == Lang::It && typeable {
        assert_eq!(
            Amount::parse_it(display),
            Ok(Amount::from_cents(cents)),
            "{display:?}"
        );
    }
}

fn check_catalog(wire: &EnteDocument) {
    let validated = catalog::EnteConfig::from_portal(wire.clone());
    assert_eq!(
        check_contract(Some(wire)),
        Some(validated.is_ok()),
        "the refresh and the ricarica flow judge the catalog alike: {validated:?}"
    );
    let Ok(config) = validated else {
        return;
    };
    assert!(!config.services().is_empty());
    let fiscal_code = config.fiscal_code();
    assert!(fiscal_code.len() == 11 && fiscal_code.bytes().all(|b| b.is_ascii_digit()));
    let mut codes = HashSet::new();
    for service in config.services() {
        assert!(
            codes.insert(service.code.as_str()),
            "{} twice",
            service.code
        );
        let limits = service.custom_limits;
        assert!(
            limits.min.is_positive() && limits.min <= limits.max,
            "{service:?}"
        );
        assert!(!service.presets.is_empty(), "{service:?}");
        let unique: HashSet<_> = service.presets.iter().collect();
        assert_eq!(unique.len(), service.presets.len(), "{service:?}");
        assert!(service.presets.iter().all(|p| limits.contains(*p)));
    }
    let json = serde_json::to_string(&config).expect("catalog serialises");
    let back = serde_json::from_str::<catalog::EnteConfig>(&json);
    assert_eq!(back.as_ref().ok(), Some(&config), "{json}: {back:?}");
}

fn check_views(
    ente: Option<&EnteDocument>,
    account: Option<&Account>,
    balances: Option<&Balances>,
    movements: Option<&MovementsPage>,
    avvisi: Option<&AvvisiList>,
    receipts: Option<&ReceiptsList>,
) {
    for lang in [Lang::It, Lang::En] {
        let saldo = build_saldo(
            account,
            balances,
            ente,
            |child, service| {
                movements
                    .map(|page| page.movements.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .filter(|m| m.child_id == child && m.service_code == service)
                    .cloned()
                    .collect()
            },
            Freshness::never_fetched(),
            lang,
        );
        let shown: Vec<_> = saldo.children.iter().flat_map(|c| &c.services).collect();
        assert_eq!(
            shown.len(),
            balances.map_or(0, |b| b.balances.len()),
            "one entry per balance"
        );
        for service in shown {
            assert_eq!(service.in_debt, service.balance_cents < 0);
            assert!(!service.in_debt || service.low_credit);
            assert_eq!(service.balance_display, lang.amount(service.balance_cents));
            check_display(service.balance_cents, &service.balance_display, lang);
            if let (Some(price), Some(display)) =
                (service.meal_price_cents, &service.meal_price_display)
            {
                check_display(price, display, lang);
            }
        }
        let pagamenti =
            build_pagamenti(avvisi, receipts, account, Freshness::never_fetched(), lang);
        let to_pay = avvisi.map_or(0, |list| {
            list.avvisi
                .iter()
                .filter(|a| a.status == AvvisoStatus::DaPagare)
                .count()
        });
        assert_eq!(pagamenti.avvisi_da_pagare.len(), to_pay);
        for pair in pagamenti.avvisi_da_pagare.windows(2) {
            assert!(pair[0].due_date <= pair[1].due_date);
        }
        for avviso in &pagamenti.avvisi_da_pagare {
            assert_eq!(avviso.amount_display, lang.amount(avviso.amount_cents));
            check_display(avviso.amount_cents, &avviso.amount_display, lang);
            if let Ok(nav) = NoticeNumber::parse(&avviso.notice_number) {
                assert_eq!(avviso.notice_number_display, nav.formatted());
            }
        }
        for pair in pagamenti.receipts.windows(2) {
            assert!(pair[0].paid_at >= pair[1].paid_at);
        }
        for receipt in &pagamenti.receipts {
            check_display(receipt.amount_cents, &receipt.amount_display, lang);
        }
    }
    if let Some(contatti) = build_contatti(ente) {
        for phone in &contatti.phones {
            let number = phone.uri.strip_prefix("tel:").expect("a tel: URI");
            let digits = number.strip_prefix('+').unwrap_or(number);
            assert!(
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                "{phone:?}"
            );
        }
        assert!(contatti.email_uri.starts_with("mailto:"));
    }
}

fuzz_target!(|data: &[u8]| {
    let ente = decode::<EnteDocument>(data);
    let account = decode::<Account>(data);
    let balances = decode::<Balances>(data);
    let movements = decode::<MovementsPage>(data);
    let avvisi = decode::<AvvisiList>(data);
    let receipts = decode::<ReceiptsList>(data);
    decode::<FeeEstimate>(data);
    decode::<Ricarica>(data);
    decode::<RicaricheList>(data);
    decode::<Problem>(data);
    decode::<catalog::EnteConfig>(data);
    if let Some(wire) = &ente {
        check_catalog(wire);
    }
    check_contract(account.as_ref());
    check_contract(balances.as_ref());
    check_contract(avvisi.as_ref());
    check_contract(receipts.as_ref());
    check_views(
        ente.as_ref(),
        account.as_ref(),
        balances.as_ref(),
        movements.as_ref(),
        avvisi.as_ref(),
        receipts.as_ref(),
    );
});
