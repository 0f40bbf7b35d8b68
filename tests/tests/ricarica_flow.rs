//! The parent's top-up stories against the sandbox over real HTTP: online through the pagoPA
//! checkout, by avviso, several children in one payment, and everything that can go wrong between
//! the payment and the app hearing about it.

mod ricarica_support;

use std::sync::{Arc, Mutex};

use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::comuni::Comune;
use comunicapp_core::ricarica::{
    copy, DraftAction, PaymentMode, ReturnOutcome, ReturnUrlError, RicaricaEngine, RicaricaError,
    RicaricaStep, StepObserver, TransitionError,
};
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::wire::RicaricaStatus;
use comunicapp_sandbox::{FISCAL_CODE, REFEZIONE, SCUOLABUS};
use ricarica_support::*;
use serde_json::json;
use url::Url;

const GIULIA: &str = "alu-0001";
const LUCA: &str = "alu-0002";
const SOFIA: &str = "alu-0003";

/// Whether an error is the one a case expects.
type ErrorCheck = fn(&RicaricaError) -> bool;

fn balance(sandbox: &comunicapp_sandbox::SandboxHandle, child: &str, service: &str) -> i64 {
    sandbox_balances(sandbox)[&(child.to_owned(), service.to_owned())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ricarica_online_20_euro_refezione_registrata() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "online-20").await;
    let before = balance(&sandbox, GIULIA, REFEZIONE);
    let receipts_before = sandbox.state().receipts.len();

    let options = app.engine.options(&[GIULIA.to_owned()]).await.unwrap();
    let giulia = &options.children[0];
    let services: Vec<&str> = giulia.services.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(services, [REFEZIONE, SCUOLABUS], "only her services");
    let presets: Vec<&str> = giulia.services[0]
        .presets
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(
        presets,
        [
            "Ricarica da 10 euro",
            "Ricarica da 20 euro",
            "Ricarica da 50 euro",
            "Ricarica da 100 euro"
        ]
    );
    assert!(options.email_ok);
    assert_eq!(options.email_message, copy::MAIL_CORRETTA);
    assert_eq!(options.payer_email, "maria.rossi@example.it");

    let order = order(&app, &[(GIULIA, REFEZIONE, 20)], PaymentMode::Online);
    let riepilogo = app.engine.riepilogo(&order).await.unwrap();
    assert_eq!(riepilogo.total_label, "Totale Pagamento: € 20,00");
    assert_eq!(riepilogo.lines[0].service_label, "Refezione buono pasto");
    assert_eq!(riepilogo.lines[0].child_name, "Giulia Rossi");
    assert_eq!(riepilogo.commission_note, copy::NOTA_COMMISSIONE);
    assert_eq!(riepilogo.fee.as_ref().map(|f| f.fee_cents), Some(100));

    let view = app.engine.submit(&order).await.unwrap();
    assert_eq!(view.step, RicaricaStep::InCheckout);
    let checkout = view.checkout.clone().expect("checkout to open");
    for url in [
        &checkout.return_urls.ok,
        &checkout.return_urls.cancel,
        &checkout.return_urls.error,
        &checkout.return_urls.waiting,
    ] {
        assert!(url.as_str().contains("/pagopa/return/"), "{url}");
        let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1;
        assert!(state.starts_with(&format!("{}.", view.local_id)));
    }
    // Exactly one top-up on the portal, and the idempotency key stored before it.
    let portal = sandbox.state().ricariche;
    assert_eq!(portal.len(), 1);
    assert_eq!(
        stored(&app, &view.local_id).idempotency_key,
        portal[0].idempotency_key
    );

    let back = press(&checkout.checkout_url, "pay").await;
    assert_eq!(back, checkout.return_urls.ok.as_str());
    let view = app.engine.handle_return_url(&back).await.unwrap();
    assert_eq!(view.step, RicaricaStep::PaidAwaitingRegistration);
    assert_eq!(view.message, copy::PAGAMENTO_RICEVUTO);
    assert!(!view.settled);
    // Paid is not yet registered: the balance has not moved.
    assert_eq!(balance(&sandbox, GIULIA, REFEZIONE), before);

    after_registration_delay(&sandbox);
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].step, RicaricaStep::Registered);
    assert_eq!(views[0].message, copy::RICARICA_REGISTRATA);
    assert!(app.engine.pending().unwrap().is_empty());
    assert_eq!(balance(&sandbox, GIULIA, REFEZIONE), before + 2_000);
    // Found by the normal sync: the Saldo shows the new balance.
    assert_eq!(shown_balances(&app.session), sandbox_balances(&sandbox));
    assert_eq!(sandbox.state().receipts.len(), receipts_before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tre_figli_in_un_solo_carrello_un_solo_pagamento() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "three-children").await;
    let items = [
        (GIULIA, SCUOLABUS, 10),
        (LUCA, REFEZIONE, 20),
        (SOFIA, REFEZIONE, 50),
    ];
    let before: Vec<i64> = items
        .iter()
        .map(|(c, s, _)| balance(&sandbox, c, s))
        .collect();
    let receipts_before = sandbox.state().receipts.len();
    let order = order(&app, &items, PaymentMode::Online);
    let view = app.engine.submit(&order).await.unwrap();
    assert_eq!(view.total_cents, 8_000);
    assert_eq!(view.items.len(), 3);
    assert!(view.items.iter().all(|i| i.notice_number.is_some()));
    let checkout = view.checkout.unwrap();
    let page = reqwest::get(checkout.checkout_url.clone())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("class=\"notice\"").count(), 3, "one cart");
    let back = press(&checkout.checkout_url, "pay").await;
    app.engine.handle_return_url(&back).await.unwrap();
    after_registration_delay(&sandbox);
    app.engine.resume_pending().await.unwrap();
    assert_eq!(
        app.engine.get(&view.local_id).unwrap().unwrap().step,
        RicaricaStep::Registered
    );
    for ((child, service, euro), was) in items.iter().zip(before) {
        assert_eq!(balance(&sandbox, child, service), was + euro * 100);
    }
    let state = sandbox.state();
    assert_eq!(state.ricariche.len(), 1, "one top-up, one payment");
    assert_eq!(
        state.receipts.len(),
        receipts_before + 3,
        "one receipt per notice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avviso_scuolabus_pagato_in_tabaccheria() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "avviso").await;
    let before = balance(&sandbox, GIULIA, SCUOLABUS);
    let order = order(&app, &[(GIULIA, SCUOLABUS, 50)], PaymentMode::Avviso);
    let riepilogo = app.engine.riepilogo(&order).await.unwrap();
    assert_eq!(
        riepilogo.fee, None,
        "the avviso's fee depends on where it is paid"
    );
    assert_eq!(riepilogo.mode_label, copy::GENERA_AVVISO);

    let view = app.engine.submit(&order).await.unwrap();
    assert_eq!(view.step, RicaricaStep::AvvisoIssued);
    assert_eq!(view.message, copy::AVVISO_GENERATO);
    assert!(view.checkout.is_none());
    let avviso = view.avviso.clone().expect("the notice");
    assert_eq!(avviso.notice_number.len(), 18);
    let groups: Vec<&str> = avviso.notice_number_display.split(' ').collect();
    assert_eq!(groups.len(), 5);
    assert!(groups[..4].iter().all(|g| g.len() == 4));
    assert_eq!(avviso.fiscal_code, FISCAL_CODE);
    assert_eq!(avviso.amount_cents, 5_000);
    assert_eq!(avviso.amount_display, "€ 50,00");
    assert_eq!(
        avviso.qr_payload,
        format!("PAGOPA|002|{}|{FISCAL_CODE}|5000", avviso.notice_number)
    );
    assert!(!avviso.cbill_code.is_empty());
    let where_to_pay = avviso.where_to_pay.join(" | ").to_lowercase();
    for place in ["banca", "cbill", "atm", "sisal", "lottomatica"] {
        assert!(where_to_pay.contains(place), "{place} in {where_to_pay}");
    }
    // Listed under "Avvisi Pagamento da Pagare" until paid.
    let listed = app.session.pagamenti().unwrap().avvisi_da_pagare;
    assert!(listed
        .iter()
        .any(|a| a.notice_number == avviso.notice_number));
    // Nothing happens while nobody pays.
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::AvvisoIssued);

    sandbox
        .pay_notice_elsewhere(&avviso.notice_number)
        .expect("paid at the tobacconist");
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::PaidAwaitingRegistration);
    assert_eq!(views[0].message, copy::PAGAMENTO_RICEVUTO);
    after_registration_delay(&sandbox);
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::Registered);
    assert_eq!(balance(&sandbox, GIULIA, SCUOLABUS), before + 5_000);
    app.session.refresh().await.unwrap();
    let listed = app.session.pagamenti().unwrap().avvisi_da_pagare;
    assert!(!listed
        .iter()
        .any(|a| a.notice_number == avviso.notice_number));
    assert_eq!(sandbox.state().ricariche.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ritorni_falsi_estranei_o_malformati_rifiutati_senza_cambiare_nulla() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "forged").await;
    let order = order(&app, &[(LUCA, REFEZIONE, 10)], PaymentMode::Online);
    let view = app.engine.submit(&order).await.unwrap();
    let ok = view.checkout.unwrap().return_urls.ok;
    let before = stored(&app, &view.local_id);
    let state = ok.query_pairs().find(|(k, _)| k == "state").unwrap().1;
    let (selector, verifier) = state.split_once('.').unwrap();
    let mut flipped = verifier.to_owned().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let with_state = |s: &str| {
        let mut url = ok.clone();
        url.set_query(Some(&format!("state={s}")));
        url.to_string()
    };
    let cases: Vec<(String, ErrorCheck)> = vec![
        (with_state(&format!("{selector}.{flipped}")), |e| {
            matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Forged))
        }),
        (
            with_state("r0000000000000000.AAAAAAAAAAAAAAAAAAAAAA"),
            |e| matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Forged)),
        ),
        (ok.as_str().replace("127.0.0.1", "evil.example"), |e| {
            matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Foreign))
        }),
        (ok.as_str().replace("/return/ok", "/return/paid"), |e| {
            matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Foreign))
        }),
        (
            format!("it.comunicapp://pagopa/return/ok?state={state}"),
            |e| matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Foreign)),
        ),
        (format!("{ok}&esito=pagato"), |e| {
            matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Malformed))
        }),
        (with_state(selector), |e| {
            matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Malformed))
        }),
        ("%%% non è un indirizzo".to_owned(), |e| {
            matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Malformed))
        }),
    ];
    for (url, expected) in cases {
        let error = app.engine.handle_return_url(&url).await.unwrap_err();
        assert!(expected(&error), "{url}: {error:?}");
        assert!(error.message_key().starts_with("ricarica.ritorno_"));
        assert_eq!(
            stored(&app, &view.local_id),
            before,
            "{url} changed nothing"
        );
    }
    assert_eq!(
        sandbox.state().ricariche[0].status,
        RicaricaStatus::AwaitingPayment
    );
    // The genuine one still works afterwards.
    let _ = Url::parse(ok.as_str()).unwrap();
    let back = press(
        &app.engine
            .get(&view.local_id)
            .unwrap()
            .unwrap()
            .checkout
            .unwrap()
            .checkout_url,
        "pay",
    )
    .await;
    assert_eq!(back, ok.as_str());
    let settled = app.engine.handle_return_url(&back).await.unwrap();
    assert_eq!(settled.step, RicaricaStep::PaidAwaitingRegistration);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lo_stesso_ritorno_consegnato_due_volte_conta_una_volta() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "twice").await;
    let view = app
        .engine
        .submit(&order(
            &app,
            &[(GIULIA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let receipts_before = sandbox.state().receipts.len();
    let back = press(&view.checkout.unwrap().checkout_url, "pay").await;
    let first = app.engine.handle_return_url(&back).await.unwrap();
    assert_eq!(first.step, RicaricaStep::PaidAwaitingRegistration);
    let before = stored(&app, &view.local_id);
    let again = app.engine.handle_return_url(&back).await.unwrap_err();
    assert!(
        matches!(&again, RicaricaError::ReturnUrl(ReturnUrlError::Replayed { local_id }) if *local_id == view.local_id),
        "{again:?}"
    );
    assert_eq!(stored(&app, &view.local_id), before);
    after_registration_delay(&sandbox);
    app.engine.resume_pending().await.unwrap();
    assert_eq!(
        sandbox.state().receipts.len(),
        receipts_before + 1,
        "paid once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn il_browser_non_torna_ma_il_pagamento_non_si_perde() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "no-return").await;
    let before = balance(&sandbox, LUCA, REFEZIONE);
    let view = app
        .engine
        .submit(&order(&app, &[(LUCA, REFEZIONE, 20)], PaymentMode::Online))
        .await
        .unwrap();
    // The payer pays; the tab is closed and the return URL never reaches the app.
    let _ignored = press(&view.checkout.unwrap().checkout_url, "pay").await;
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::PaidAwaitingRegistration);
    after_registration_delay(&sandbox);
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::Registered);
    assert_eq!(balance(&sandbox, LUCA, REFEZIONE), before + 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rete_persa_tra_pagamento_e_ritorno() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "network-drop").await;
    let view = app
        .engine
        .submit(&order(&app, &[(SOFIA, REFEZIONE, 10)], PaymentMode::Online))
        .await
        .unwrap();
    let back = press(&view.checkout.unwrap().checkout_url, "pay").await;
    add_fault(
        &sandbox,
        "GET /api/v1/ricariche/{id}",
        json!({"kind": "drop"}),
        1_000,
    )
    .await;
    // The return is accepted and kept; the outcome cannot be confirmed yet.
    let view = app.engine.handle_return_url(&back).await.unwrap();
    assert_eq!(view.step, RicaricaStep::Returned);
    assert_eq!(view.provisional_outcome, Some(ReturnOutcome::Ok));
    assert_eq!(view.message, copy::PAGAMENTO_IN_VERIFICA);
    assert!(view.error_key.is_some());
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::Returned);
    assert!(views[0].error_key.is_some());

    clear_faults(&sandbox).await;
    let views = app.engine.resume_pending().await.unwrap();
    // The polling above outlasted the registration delay: paid, maybe registered already.
    assert!(
        matches!(
            views[0].step,
            RicaricaStep::PaidAwaitingRegistration | RicaricaStep::Registered
        ),
        "{:?}",
        views[0].step
    );
    assert_eq!(views[0].error_key, None);
    assert_eq!(sandbox.state().ricariche.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esito_in_attesa_poi_confermato() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "waiting").await;
    let view = app
        .engine
        .submit(&order(
            &app,
            &[(GIULIA, REFEZIONE, 50)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let checkout = view.checkout.unwrap();
    let back = press(&checkout.checkout_url, "pending").await;
    assert_eq!(back, checkout.return_urls.waiting.as_str());
    let waiting = app.engine.handle_return_url(&back).await.unwrap();
    assert_eq!(waiting.step, RicaricaStep::Returned);
    assert_eq!(waiting.provisional_outcome, Some(ReturnOutcome::Waiting));
    assert_eq!(waiting.message, copy::PAGAMENTO_IN_ATTESA_DI_ESITO);
    assert_eq!(waiting.error_key, None, "waiting is not an error");

    // The PSP settles the pending payment as paid.
    let session_id = checkout
        .checkout_url
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap();
    let settled = reqwest::Client::new()
        .post(
            sandbox
                .base_url()
                .join(&format!("admin/checkout/{session_id}/settle"))
                .unwrap(),
        )
        .json(&json!({"outcome": "paid"}))
        .send()
        .await
        .unwrap();
    assert!(settled.status().is_success());
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::PaidAwaitingRegistration);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagamento_annullato_nessun_addebito() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "cancel").await;
    let before = sandbox_balances(&sandbox);
    let view = app
        .engine
        .submit(&order(
            &app,
            &[(GIULIA, REFEZIONE, 20)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let back = press(&view.checkout.unwrap().checkout_url, "cancel").await;
    let view = app.engine.handle_return_url(&back).await.unwrap();
    assert_eq!(view.step, RicaricaStep::Cancelled);
    assert_eq!(view.message, copy::PAGAMENTO_ANNULLATO);
    assert!(view.settled);
    assert!(app.engine.pending().unwrap().is_empty());
    assert_eq!(sandbox_balances(&sandbox), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessione_di_pagamento_scaduta_sul_portale() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "expired").await;
    let view = app
        .engine
        .submit(&order(
            &app,
            &[(GIULIA, REFEZIONE, 20)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::InCheckout, "still open");
    sandbox.advance_clock(std::time::Duration::from_secs(31 * 60));
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::Expired);
    assert_eq!(views[0].message, copy::PAGAMENTO_SCADUTO);
    assert!(views[0].settled);
    // A late return from the expired checkout is no longer accepted.
    let late = view.checkout.unwrap().return_urls.error;
    assert!(matches!(
        app.engine.handle_return_url(late.as_str()).await,
        Err(RicaricaError::ReturnUrl(ReturnUrlError::Replayed { .. }))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risposta_alla_creazione_persa_ritrovata_per_chiave() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "lost-answer").await;
    // The portal creates the top-up each time, but every answer is cut short.
    add_fault(
        &sandbox,
        "POST /api/v1/ricariche",
        json!({"kind": "truncate"}),
        10,
    )
    .await;
    let error = app
        .engine
        .submit(&order(
            &app,
            &[(GIULIA, REFEZIONE, 20)],
            PaymentMode::Online,
        ))
        .await
        .unwrap_err();
    let RicaricaError::NotConfirmed { local_id, .. } = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        app.engine.pending().unwrap()[0].step,
        RicaricaStep::Submitting
    );
    assert_eq!(
        sandbox.state().ricariche.len(),
        1,
        "retries replayed, not repeated"
    );
    clear_faults(&sandbox).await;
    let before = sandbox.request_log().len();
    let views = app.engine.resume_pending().await.unwrap();
    // The sandbox would de-duplicate a second create by key and hide a lookup that never
    // happened: the request log says what the app did.
    let key = stored(&app, &local_id).idempotency_key;
    let resumed = &sandbox.request_log()[before..];
    assert!(
        resumed.iter().any(|r| r.method == "GET"
            && r.route == "/api/v1/ricariche"
            && r.target.contains(&format!("idempotency_key={key}"))),
        "looked up by key: {resumed:?}"
    );
    assert!(
        !resumed
            .iter()
            .any(|r| r.method == "POST" && r.route == "/api/v1/ricariche"),
        "found by key, so never created again: {resumed:?}"
    );
    assert_eq!(views[0].local_id, local_id);
    assert_eq!(views[0].step, RicaricaStep::InCheckout);
    assert!(
        views[0].checkout.is_some(),
        "the checkout can be opened now"
    );
    assert_eq!(sandbox.state().ricariche.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn richiesta_mai_arrivata_rinviata_con_la_stessa_chiave() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "never-arrived").await;
    add_fault(
        &sandbox,
        "POST /api/v1/ricariche",
        json!({"kind": "drop"}),
        10,
    )
    .await;
    let error = app
        .engine
        .submit(&order(&app, &[(LUCA, REFEZIONE, 10)], PaymentMode::Avviso))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RicaricaError::NotConfirmed { .. }),
        "{error:?}"
    );
    assert!(sandbox.state().ricariche.is_empty());
    clear_faults(&sandbox).await;
    let before = sandbox.request_log().len();
    let views = app.engine.resume_pending().await.unwrap();
    let resumed = &sandbox.request_log()[before..];
    let lookup = resumed.iter().position(|r| {
        r.method == "GET" && r.route == "/api/v1/ricariche" && r.target.contains("idempotency_key=")
    });
    let creates: Vec<usize> = (0..resumed.len())
        .filter(|&i| resumed[i].method == "POST" && resumed[i].route == "/api/v1/ricariche")
        .collect();
    assert!(
        lookup.is_some_and(|l| creates.len() == 1 && l < creates[0]),
        "asked by key first, then created once: {resumed:?}"
    );
    assert_eq!(views[0].step, RicaricaStep::AvvisoIssued);
    let portal = sandbox.state().ricariche;
    assert_eq!(portal.len(), 1);
    assert_eq!(
        portal[0].idempotency_key,
        stored(&app, &views[0].local_id).idempotency_key
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l_app_passa_oltre_durante_la_verifica_senza_perdere_nulla() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "moves-on").await;
    let view = app
        .engine
        .submit(&order(&app, &[(LUCA, REFEZIONE, 20)], PaymentMode::Online))
        .await
        .unwrap();
    let checkout = view.checkout.unwrap();
    let back = press(&checkout.checkout_url, "pending").await;
    // The parent leaves the screen: the polling future is dropped mid-way.
    let gave_up = tokio::time::timeout(
        std::time::Duration::from_millis(100),
        app.engine.handle_return_url(&back),
    )
    .await;
    assert!(gave_up.is_err(), "still polling when the app moved on");
    let kept = app.engine.get(&view.local_id).unwrap().unwrap();
    assert_eq!(kept.step, RicaricaStep::Returned);
    assert_eq!(kept.provisional_outcome, Some(ReturnOutcome::Waiting));
    let session_id = checkout
        .checkout_url
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap();
    reqwest::Client::new()
        .post(
            sandbox
                .base_url()
                .join(&format!("admin/checkout/{session_id}/settle"))
                .unwrap(),
        )
        .json(&json!({"outcome": "failed"}))
        .send()
        .await
        .unwrap();
    let views = app.engine.resume_pending().await.unwrap();
    assert_eq!(views[0].step, RicaricaStep::Failed);
    assert_eq!(views[0].message, copy::PAGAMENTO_NON_RIUSCITO);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servizio_non_attivo_rifiutato_e_mail_modificata() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "not-enrolled").await;
    // Luca has no scuolabus: adding it, the riepilogo and PROSEGUI each refuse it, and nothing
    // is stored or sent.
    assert!(matches!(
        app.engine
            .draft_apply(DraftAction::ChoosePreset { cents: 1_000 })
            .await
            .and(
                app.engine
                    .draft_apply(DraftAction::AddItem {
                        child_id: LUCA.to_owned(),
                        service_code: SCUOLABUS.to_owned(),
                    })
                    .await
            ),
        Err(RicaricaError::NotEnrolled { .. })
    ));
    assert!(app.engine.draft().await.unwrap().items.is_empty());
    let order = order(&app, &[(LUCA, SCUOLABUS, 10)], PaymentMode::Online);
    assert!(matches!(
        app.engine.riepilogo(&order).await,
        Err(RicaricaError::NotEnrolled { .. })
    ));
    let before = sandbox.request_log().len();
    assert!(matches!(
        app.engine.submit(&order).await,
        Err(RicaricaError::NotEnrolled { .. })
    ));
    assert!(sandbox.request_log()[before..].is_empty(), "nothing sent");
    assert!(sandbox.state().ricariche.is_empty());
    assert!(app.engine.history().unwrap().is_empty(), "nothing stored");

    assert!(matches!(
        app.engine.change_email("non-una-mail").await,
        Err(RicaricaError::Email(_))
    ));
    let email = app
        .engine
        .change_email("maria.nuova@example.it")
        .await
        .unwrap();
    assert_eq!(email.as_str(), "maria.nuova@example.it");
    let options = app.engine.options(&[LUCA.to_owned()]).await.unwrap();
    assert_eq!(options.payer_email, "maria.nuova@example.it");
    assert_eq!(options.children[0].services.len(), 1);
    assert!(matches!(
        app.engine.options(&["alu-9999".to_owned()]).await,
        Err(RicaricaError::UnknownChild { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archivio_locale_perso_la_ricarica_in_corso_si_ritrova() {
    let sandbox = sandbox().await;
    let phone = app(&sandbox, "cache-lost-before").await;
    let before = balance(&sandbox, SOFIA, REFEZIONE);
    let view = phone
        .engine
        .submit(&order(
            &phone,
            &[(SOFIA, REFEZIONE, 20)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let portal_id = view.portal_id.clone().unwrap();
    let _never_delivered = press(&view.checkout.unwrap().checkout_url, "pay").await;
    drop(phone);
    // The same parent with an empty cache (deleted, or found corrupt and rebuilt).
    let rebuilt = app(&sandbox, "cache-lost-after").await;
    assert!(rebuilt.engine.history().unwrap().is_empty());
    let views = rebuilt.engine.resume_pending().await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].portal_id.as_deref(), Some(portal_id.as_str()));
    assert_eq!(views[0].step, RicaricaStep::PaidAwaitingRegistration);
    after_registration_delay(&sandbox);
    let views = rebuilt.engine.resume_pending().await.unwrap();
    assert_eq!(views.len(), 1, "adopted once");
    assert_eq!(views[0].step, RicaricaStep::Registered);
    assert_eq!(rebuilt.engine.history().unwrap().len(), 1);
    assert_eq!(balance(&sandbox, SOFIA, REFEZIONE), before + 2_000);
    assert_eq!(sandbox.state().ricariche.len(), 1);
}

/// Notes every step the engine reports as persisted.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl StepObserver for Recorder {
    fn persisted(&self, step: &str) {
        if let Ok(mut steps) = self.0.lock() {
            steps.push(step.to_owned());
        }
    }
}

impl Recorder {
    fn steps(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

async fn apply(
    engine: &RicaricaEngine,
    action: DraftAction,
) -> comunicapp_core::ricarica::DraftView {
    engine.draft_apply(action).await.unwrap()
}

/// The parent's trip through the sandbox's login page, for a reopened app whose Keychain the
/// test could not carry over.
async fn log_in_again(session: &Session, sandbox: &comunicapp_sandbox::SandboxHandle) {
    let authorize = session.login_start().unwrap();
    let credentials = sandbox.demo_credentials();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), credentials.username.clone()));
    form.push(("password".into(), credentials.password.clone()));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser
        .post(sandbox.base_url().join("oauth/authorize").unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    let callback = answer.headers()["location"].to_str().unwrap().to_owned();
    session.login_complete(&callback).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn la_ricarica_in_composizione_sopravvive_alla_chiusura_dell_app() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "draft-survives").await;
    let email = app.session.account().unwrap().unwrap().parent.email;
    let recorder = Arc::new(Recorder::default());
    let engine = RicaricaEngine::new(app.session.clone(), config(&sandbox))
        .unwrap()
        .with_observer(recorder.clone());
    let fresh = engine.draft().await.unwrap();
    assert_eq!(fresh.step, RicaricaStep::Composing);
    assert!(fresh.items.is_empty() && fresh.pending_amount_cents.is_none());

    apply(
        &engine,
        DraftAction::ChooseCustom {
            text: "12,50".into(),
        },
    )
    .await;
    apply(
        &engine,
        DraftAction::AddItem {
            child_id: GIULIA.into(),
            service_code: REFEZIONE.into(),
        },
    )
    .await;
    apply(&engine, DraftAction::ChoosePreset { cents: 2_000 }).await;
    apply(
        &engine,
        DraftAction::AddItem {
            child_id: LUCA.into(),
            service_code: REFEZIONE.into(),
        },
    )
    .await;
    let composed = apply(
        &engine,
        DraftAction::ConfirmCart {
            payer_email: email.clone(),
        },
    )
    .await;
    assert_eq!(composed.step, RicaricaStep::CheckingEmail);
    assert_eq!(composed.total_label, "Totale Pagamento: € 32,50");
    assert_eq!(
        recorder.steps(),
        [
            "draft_composing",
            "draft_composing",
            "draft_composing",
            "draft_composing",
            "draft_checking_email"
        ]
    );
    // A refused tap stores nothing and reports nothing.
    let stored_before = app.session.store().load_draft().unwrap();
    assert!(matches!(
        engine
            .draft_apply(DraftAction::ChooseCustom { text: "abc".into() })
            .await,
        Err(RicaricaError::Transition(_))
    ));
    assert!(matches!(
        engine
            .draft_apply(DraftAction::ChangeEmail {
                payer_email: "non-una-mail".into()
            })
            .await,
        Err(RicaricaError::Email(_))
    ));
    assert_eq!(app.session.store().load_draft().unwrap(), stored_before);
    assert_eq!(recorder.steps().len(), 5);

    // The app is closed: engine and session gone, only the data folder stays.
    let ricarica_support::App {
        session,
        engine: first_engine,
        dir,
    } = app;
    drop(first_engine);
    drop(engine);
    drop(session);
    let comune = Comune::sandbox(sandbox.base_url()).unwrap();
    let secrets: Arc<dyn SecureStore> = Arc::new(MemorySecureStore::new());
    let session = Session::open(dir.path(), &comune, secrets, SessionOptions::development());
    // Restored from the cache alone, before any login or network.
    let session = Arc::new(session.unwrap());
    let engine = RicaricaEngine::new(session.clone(), config(&sandbox)).unwrap();
    assert_eq!(engine.draft().await.unwrap(), composed);

    log_in_again(&session, &sandbox).await;
    apply(&engine, DraftAction::ConfirmEmail).await;
    let at_riepilogo = apply(
        &engine,
        DraftAction::ChooseMode {
            mode: PaymentMode::Online,
        },
    )
    .await;
    assert_eq!(at_riepilogo.step, RicaricaStep::Riepilogo);
    let riepilogo = engine.draft_riepilogo().await.unwrap();
    assert_eq!(riepilogo.total_cents, 3_250);
    assert_eq!(riepilogo.lines.len(), 2);
    let view = engine.submit_draft().await.unwrap();
    assert_eq!(view.step, RicaricaStep::InCheckout);
    let portal = sandbox.state().ricariche;
    assert_eq!(portal.len(), 1);
    assert_eq!(portal[0].total_cents, 3_250);
    let back = press(&view.checkout.unwrap().checkout_url, "pay").await;
    let view = engine.handle_return_url(&back).await.unwrap();
    assert_eq!(view.step, RicaricaStep::PaidAwaitingRegistration);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosegui_consegna_la_bozza_alla_ricarica_in_un_solo_passo() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "draft-handover").await;
    let email = app.session.account().unwrap().unwrap().parent.email;
    let recorder = Arc::new(Recorder::default());
    let engine = RicaricaEngine::new(app.session.clone(), config(&sandbox))
        .unwrap()
        .with_observer(recorder.clone());
    let compose = |cents: i64| {
        let (engine, email) = (&engine, email.clone());
        async move {
            apply(engine, DraftAction::ChoosePreset { cents }).await;
            apply(
                engine,
                DraftAction::AddItem {
                    child_id: GIULIA.into(),
                    service_code: SCUOLABUS.into(),
                },
            )
            .await;
            apply(engine, DraftAction::ConfirmCart { payer_email: email }).await;
            apply(engine, DraftAction::ConfirmEmail).await;
            apply(
                engine,
                DraftAction::ChooseMode {
                    mode: PaymentMode::Avviso,
                },
            )
            .await
        }
    };
    // PROSEGUI before the riepilogo is refused.
    assert!(matches!(
        engine.submit_draft().await,
        Err(RicaricaError::Transition(
            TransitionError::IllegalTransition { .. }
        ))
    ));
    compose(1_500).await;
    let view = engine.submit_draft().await.unwrap();
    assert_eq!(view.step, RicaricaStep::AvvisoIssued);
    let steps = recorder.steps();
    let from_riepilogo: Vec<&str> = steps
        .iter()
        .skip_while(|s| *s != "draft_riepilogo")
        .map(String::as_str)
        .take(2)
        .collect();
    assert_eq!(from_riepilogo, ["draft_riepilogo", "submitting"]);

    // Handed over: the record exists with the portal's key, and the draft starts again empty.
    let record = stored(&app, &view.local_id);
    assert_eq!(
        record.idempotency_key,
        sandbox.state().ricariche[0].idempotency_key
    );
    assert_eq!(app.session.store().load_draft().unwrap(), None);
    let next = engine.draft().await.unwrap();
    assert_eq!(next.step, RicaricaStep::Composing);
    assert!(next.items.is_empty() && next.pending_amount_cents.is_none());
    // The same PROSEGUI again creates nothing.
    assert!(engine.submit_draft().await.is_err());
    assert_eq!(sandbox.state().ricariche.len(), 1);

    // Two PROSEGUI at once on one draft (a double tap): one top-up.
    compose(1_000).await;
    let (a, b) = tokio::join!(engine.submit_draft(), engine.submit_draft());
    assert!(a.is_ok() != b.is_ok(), "{a:?} / {b:?}");
    assert_eq!(sandbox.state().ricariche.len(), 2);
    assert_eq!(engine.history().unwrap().len(), 2);

    // "Annulla": the draft is gone for good.
    apply(&engine, DraftAction::ChoosePreset { cents: 1_000 }).await;
    let discarded = apply(&engine, DraftAction::Discard).await;
    assert!(discarded.pending_amount_cents.is_none());
    assert_eq!(app.session.store().load_draft().unwrap(), None);
}

#[tokio::test]
async fn modificare_la_mail_dal_controllo_la_cambia_sul_portale() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "draft-email").await;
    let email = app.session.account().unwrap().unwrap().parent.email;
    apply(&app.engine, DraftAction::ChoosePreset { cents: 1_000 }).await;
    // Before the e-mail check the change is refused and the portal is not touched.
    assert!(app
        .engine
        .draft_apply(DraftAction::ChangeEmail {
            payer_email: "presto@example.it".into(),
        })
        .await
        .is_err());
    assert_eq!(sandbox.state().account.parent.email, email);
    apply(
        &app.engine,
        DraftAction::AddItem {
            child_id: LUCA.into(),
            service_code: REFEZIONE.into(),
        },
    )
    .await;
    apply(
        &app.engine,
        DraftAction::ConfirmCart {
            payer_email: email.clone(),
        },
    )
    .await;

    // A bad address changes nothing, here or on the portal.
    let before = app.engine.draft().await.unwrap();
    assert!(matches!(
        app.engine
            .draft_apply(DraftAction::ChangeEmail {
                payer_email: "non-una-mail".into(),
            })
            .await,
        Err(RicaricaError::Email(_))
    ));
    assert_eq!(app.engine.draft().await.unwrap(), before);
    assert_eq!(sandbox.state().account.parent.email, email);

    let changed = apply(
        &app.engine,
        DraftAction::ChangeEmail {
            payer_email: "maria.nuova@example.it".into(),
        },
    )
    .await;
    assert_eq!(
        changed.payer_email.as_deref(),
        Some("maria.nuova@example.it")
    );
    assert_eq!(changed.step, RicaricaStep::CheckingEmail);
    assert_eq!(
        sandbox.state().account.parent.email,
        "maria.nuova@example.it"
    );
}
