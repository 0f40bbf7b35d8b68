//! Top-ups through the sandbox portal: idempotency, the online checkout, the avviso, and the
//! registration that changes the Saldo only after the ente's delay.

mod sandbox_support;

use std::time::Duration;

use comunicapp_core::api::dto::{
    AvvisiList, Balances, MovementKind, MovementsPage, ReceiptsList, Ricarica, RicaricaStatus,
    RicaricheList,
};
use comunicapp_sandbox::{SandboxConfig, SandboxHandle};
use reqwest::{Client, Response, StatusCode};
use sandbox_support::*;
use serde_json::{json, Value};

fn online(items: Value) -> Value {
    json!({
        "items": items,
        "mode": "online",
        "payer_email": "maria.rossi@example.it",
        "return_urls": {
            "ok": "it.comunicapp://ricarica/ok?state=Zk3",
            "cancel": "it.comunicapp://ricarica/annullata?state=Zk3",
            "error": "it.comunicapp://ricarica/errore?state=Zk3",
            "waiting": "it.comunicapp://ricarica/attesa?state=Zk3"
        }
    })
}

async fn create(
    handle: &SandboxHandle,
    client: &Client,
    token: &str,
    key: &str,
    body: &Value,
) -> Response {
    client
        .post(url(handle, "/api/v1/ricariche"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn balance(
    handle: &SandboxHandle,
    client: &Client,
    token: &str,
    child: &str,
    service: &str,
) -> i64 {
    let balances: Balances = get(handle, client, token, "/api/v1/balances")
        .await
        .json()
        .await
        .unwrap();
    balances
        .balances
        .iter()
        .find(|b| b.child_id == child && b.service_code == service)
        .map(|b| b.balance_cents)
        .unwrap()
}

async fn ricarica(handle: &SandboxHandle, client: &Client, token: &str, id: &str) -> Ricarica {
    get(handle, client, token, &format!("/api/v1/ricariche/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn press(client: &Client, ricarica: &Ricarica, button: &str) -> String {
    let page = ricarica
        .checkout_url
        .clone()
        .expect("an online ricarica has a checkout URL");
    let response = client
        .post(format!("{page}/{button}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn stessa_chiave_e_stesso_corpo_danno_la_stessa_ricarica() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let body = online(
        json!([{"child_id": "alu-0001", "service_code": "refezione", "amount_cents": 2000}]),
    );
    let first = create(&handle, &client, &token, "k-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Ricarica = first.json().await.unwrap();
    let second = create(&handle, &client, &token, "k-1", &body).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Ricarica = second.json().await.unwrap();
    assert_eq!(first, second);
    assert_eq!(
        handle.state().ricariche.len(),
        1,
        "a replay creates nothing"
    );

    let other = online(
        json!([{"child_id": "alu-0001", "service_code": "refezione", "amount_cents": 5000}]),
    );
    let reused = create(&handle, &client, &token, "k-1", &other).await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_code(reused).await, "idempotency_key_reused");

    let missing = client
        .post(url(&handle, "/api/v1/ricariche"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(problem_code(missing).await, "idempotency_key_missing");

    // The app rebuilds a lost cache by key.
    let found: RicaricheList = get(
        &handle,
        &client,
        &token,
        "/api/v1/ricariche?idempotency_key=k-1",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(found.ricariche, vec![first]);
}

#[tokio::test]
async fn ricarica_online_20_euro_refezione_registrata_solo_dopo_il_ritardo() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let before = balance(&handle, &client, &token, "alu-0001", "refezione").await;
    let created: Ricarica = create(
        &handle,
        &client,
        &token,
        "k-online",
        &online(
            json!([{"child_id": "alu-0001", "service_code": "refezione", "amount_cents": 2000}]),
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(created.status, RicaricaStatus::AwaitingPayment);
    assert_eq!(created.total_cents, 2000);
    assert!(created.expires_at.is_some());
    let cursor = get(&handle, &client, &token, "/api/v1/movements?limit=500")
        .await
        .json::<MovementsPage>()
        .await
        .unwrap();
    let cursor = {
        let mut page = cursor;
        while page.has_more {
            page = get(
                &handle,
                &client,
                &token,
                &format!("/api/v1/movements?limit=500&cursor={}", page.next_cursor),
            )
            .await
            .json()
            .await
            .unwrap();
        }
        page.next_cursor
    };

    let back = press(&client, &created, "pay").await;
    assert_eq!(back, "it.comunicapp://ricarica/ok?state=Zk3");
    let paid = ricarica(&handle, &client, &token, &created.id).await;
    assert_eq!(paid.status, RicaricaStatus::Paid);
    assert_eq!(
        balance(&handle, &client, &token, "alu-0001", "refezione").await,
        before,
        "not registered yet"
    );
    let unfinished: RicaricheList = get(
        &handle,
        &client,
        &token,
        "/api/v1/ricariche?status=unfinished",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(unfinished.ricariche.len(), 1);

    // The registration delay passes on the sandbox's clock, not in real time.
    handle.advance_clock(handle.config().registration_delay + Duration::from_millis(1));
    assert_eq!(
        balance(&handle, &client, &token, "alu-0001", "refezione").await,
        before + 2000
    );
    let registered = ricarica(&handle, &client, &token, &created.id).await;
    assert_eq!(registered.status, RicaricaStatus::Registered);
    let new: MovementsPage = get(
        &handle,
        &client,
        &token,
        &format!("/api/v1/movements?cursor={cursor}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        new.movements.len(),
        1,
        "only the new movement after the cursor"
    );
    assert_eq!(new.movements[0].kind, MovementKind::TopUp);
    assert_eq!(new.movements[0].amount_cents, 2000);
    let receipts: ReceiptsList = get(&handle, &client, &token, "/api/v1/receipts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        receipts.receipts[0].ricarica_id.as_deref(),
        Some(created.id.as_str())
    );
    let unfinished: RicaricheList = get(
        &handle,
        &client,
        &token,
        "/api/v1/ricariche?status=unfinished",
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(unfinished.ricariche.is_empty());
}

#[tokio::test]
async fn due_figli_in_un_solo_carrello_con_una_commissione() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let items = json!([
        {"child_id": "alu-0001", "service_code": "refezione", "amount_cents": 1000},
        {"child_id": "alu-0002", "service_code": "refezione", "amount_cents": 5000}
    ]);
    let created: Ricarica = create(&handle, &client, &token, "k-two", &online(items))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created.items.len(), 2);
    assert!(created.items.iter().all(|i| i
        .notice_number
        .as_deref()
        .is_some_and(comunicapp_sandbox::is_valid_nav)));
    assert_eq!(
        created.fee_cents,
        Some(comunicapp_sandbox::CHECKOUT_FEE_CENTS)
    );
    let page = client
        .get(created.checkout_url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("€ 61,00"), "6000 + 100 fee: {page}");
}

/// Tests that move the clock past a checkout session keep their access token alive meanwhile.
async fn sandbox_with_long_tokens(config: SandboxConfig) -> SandboxHandle {
    sandbox_with(SandboxConfig {
        access_token_ttl: Duration::from_secs(24 * 3600),
        ..config
    })
    .await
}

#[tokio::test]
async fn annullata_fallita_e_scaduta_non_cambiano_il_saldo() {
    let handle = sandbox_with_long_tokens(SandboxConfig::for_tests()).await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let before = balance(&handle, &client, &token, "alu-0002", "refezione").await;
    let body = |cents: i64| {
        online(
            json!([{"child_id": "alu-0002", "service_code": "refezione", "amount_cents": cents}]),
        )
    };
    let cancelled: Ricarica = create(&handle, &client, &token, "k-c", &body(1000))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        press(&client, &cancelled, "cancel").await,
        "it.comunicapp://ricarica/annullata?state=Zk3"
    );
    let failed: Ricarica = create(&handle, &client, &token, "k-f", &body(2000))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        press(&client, &failed, "fail").await,
        "it.comunicapp://ricarica/errore?state=Zk3"
    );
    let abandoned: Ricarica = create(&handle, &client, &token, "k-e", &body(3000))
        .await
        .json()
        .await
        .unwrap();
    handle.advance_clock(handle.config().checkout_session_ttl + Duration::from_secs(1));

    assert_eq!(
        ricarica(&handle, &client, &token, &cancelled.id)
            .await
            .status,
        RicaricaStatus::Cancelled
    );
    assert_eq!(
        ricarica(&handle, &client, &token, &failed.id).await.status,
        RicaricaStatus::Failed
    );
    let expired = ricarica(&handle, &client, &token, &abandoned.id).await;
    assert_eq!(expired.status, RicaricaStatus::Expired);
    assert!(expired.checkout_url.is_none());
    // Paying after the session ended leads to the error URL and changes nothing.
    assert_eq!(
        press(&client, &abandoned, "pay").await,
        "it.comunicapp://ricarica/errore?state=Zk3"
    );
    handle.advance_clock(handle.config().registration_delay * 2);
    assert_eq!(
        balance(&handle, &client, &token, "alu-0002", "refezione").await,
        before
    );
}

#[tokio::test]
async fn pagamento_in_sospeso_si_chiude_quando_il_psp_conferma() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let created: Ricarica = create(
        &handle,
        &client,
        &token,
        "k-p",
        &online(
            json!([{"child_id": "alu-0001", "service_code": "scuolabus", "amount_cents": 3500}]),
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        press(&client, &created, "pending").await,
        "it.comunicapp://ricarica/attesa?state=Zk3"
    );
    assert_eq!(
        ricarica(&handle, &client, &token, &created.id).await.status,
        RicaricaStatus::PaymentPending
    );
    let session = created
        .checkout_url
        .as_ref()
        .unwrap()
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap()
        .to_string();
    let settled = client
        .post(url(&handle, &format!("/admin/checkout/{session}/settle")))
        .json(&json!({"outcome": "paid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(settled.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ricarica(&handle, &client, &token, &created.id).await.status,
        RicaricaStatus::Paid
    );
    handle.advance_clock(handle.config().registration_delay);
    assert_eq!(
        ricarica(&handle, &client, &token, &created.id).await.status,
        RicaricaStatus::Registered
    );
}

#[tokio::test]
async fn pending_si_chiude_da_solo_dopo_il_ritardo_configurato() {
    let config = SandboxConfig {
        pending_settle_after: Some(Duration::from_secs(60)),
        ..SandboxConfig::for_tests()
    };
    let handle = sandbox_with_long_tokens(config).await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let created: Ricarica = create(
        &handle,
        &client,
        &token,
        "k-ps",
        &online(
            json!([{"child_id": "alu-0001", "service_code": "scuolabus", "amount_cents": 3500}]),
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    press(&client, &created, "pending").await;
    handle.advance_clock(Duration::from_secs(61));
    assert_eq!(
        ricarica(&handle, &client, &token, &created.id).await.status,
        RicaricaStatus::Paid
    );
}

#[tokio::test]
async fn avviso_scuolabus_pagato_in_tabaccheria() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let before = balance(&handle, &client, &token, "alu-0001", "scuolabus").await;
    let body = json!({"items": [{"child_id": "alu-0001", "service_code": "scuolabus", "amount_cents": 5000}], "mode": "avviso", "payer_email": "maria.rossi@example.it"});
    let created: Ricarica = create(&handle, &client, &token, "k-avv", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created.status, RicaricaStatus::AvvisoIssued);
    let avviso = created.avviso.clone().unwrap();
    assert!(comunicapp_sandbox::is_valid_nav(&avviso.notice_number));
    assert_eq!(
        avviso.qr_payload,
        format!(
            "PAGOPA|002|{}|{}|5000",
            avviso.notice_number, avviso.fiscal_code
        )
    );
    assert!(!avviso.where_to_pay.is_empty());
    let listed: AvvisiList = get(&handle, &client, &token, "/api/v1/avvisi")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed
        .avvisi
        .iter()
        .any(|a| a.notice_number == avviso.notice_number));

    let pay = client
        .post(url(
            &handle,
            &format!("/admin/avvisi/{}/pay", avviso.notice_number),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status(), StatusCode::OK);
    let twice = client
        .post(url(
            &handle,
            &format!("/admin/avvisi/{}/pay", avviso.notice_number),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert_eq!(problem_code(twice).await, "payment_duplicated");
    assert_eq!(
        balance(&handle, &client, &token, "alu-0001", "scuolabus").await,
        before
    );
    handle.advance_clock(handle.config().registration_delay);
    assert_eq!(
        balance(&handle, &client, &token, "alu-0001", "scuolabus").await,
        before + 5000
    );
    assert_eq!(
        ricarica(&handle, &client, &token, &created.id).await.status,
        RicaricaStatus::Registered
    );
}

#[tokio::test]
async fn richieste_non_valide_hanno_il_loro_codice() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let item = |child: &str, service: &str, cents: i64| json!({"child_id": child, "service_code": service, "amount_cents": cents});
    let six: Vec<Value> = [
        "refezione",
        "scuolabus",
        "asilo_nido",
        "refezione",
        "refezione",
        "refezione",
    ]
    .iter()
    .zip([
        "alu-0001", "alu-0001", "alu-0003", "alu-0002", "alu-0003", "alu-0009",
    ])
    .map(|(s, c)| item(c, s, 1000))
    .collect();
    let cases = [
        ("too_many_items", online(json!(six))),
        (
            "duplicate_item",
            online(json!([
                item("alu-0001", "refezione", 1000),
                item("alu-0001", "refezione", 2000)
            ])),
        ),
        (
            "unknown_child",
            online(json!([item("alu-0009", "refezione", 1000)])),
        ),
        (
            "unknown_service",
            online(json!([item("alu-0002", "scuolabus", 1000)])),
        ),
        (
            "amount_out_of_range",
            online(json!([item("alu-0001", "refezione", 0)])),
        ),
        (
            "validation_failed",
            json!({"items": [item("alu-0001", "refezione", 1000)], "mode": "online", "payer_email": "maria.rossi@example.it"}),
        ),
        (
            "validation_failed",
            json!({"items": [item("alu-0001", "refezione", 1000)], "mode": "avviso", "payer_email": "non-una-mail"}),
        ),
    ];
    for (index, (code, body)) in cases.iter().enumerate() {
        let response = create(&handle, &client, &token, &format!("bad-{index}"), body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}"
        );
        assert_eq!(&problem_code(response).await, code);
    }
    assert!(handle.state().ricariche.is_empty());
    let fee = get(
        &handle,
        &client,
        &token,
        "/api/v1/fees?amount_cents=2000&mode=avviso",
    )
    .await;
    assert_eq!(fee.status(), StatusCode::NOT_FOUND);
    assert_eq!(problem_code(fee).await, "fee_unknown");
}
