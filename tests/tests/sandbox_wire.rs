//! Why the sandbox has its own wire types (`comunicapp_sandbox::wire`, written from
//! `core/api/portale.yaml`) instead of the core's (`comunicapp_core::api::dto`): a field name or
//! an enum string that is wrong on one side must fail a test, not travel both ways unnoticed.
//!
//! Every document the sandbox serves, exactly as served, is read by the sandbox's type (which
//! must write it back unchanged), then by the core's type, which must write back the same JSON
//! value. Optional properties are present in the documents used (a renamed optional field would
//! otherwise be dropped silently), and `seen` proves they were. The other way, every body the
//! core sends is read by the sandbox's type and written back the same. Every enum value the spec
//! lists goes through both sides too.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::time::Duration;

use comunicapp_core::api::dto;
use comunicapp_sandbox::{start, wire, SandboxConfig, SandboxHandle};
use reqwest::{Client, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

const TOKEN: &str = "sandbox-wire-test-token";

/// The JSON paths (`ricariche[].avviso.due_date`) of every property of `value`.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                paths(inner, &path, out);
                out.insert(path);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Where two JSON values first differ (`receipts[0].ricarica_id: "rc-1" vs absent`), if they do.
fn difference(left: &Value, right: &Value, path: &str) -> Option<String> {
    let shown = |v: Option<&Value>| v.map_or("absent".to_owned(), Value::to_string);
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            l.keys()
                .chain(r.keys())
                .find_map(|key| match (l.get(key), r.get(key)) {
                    (Some(a), Some(b)) => difference(a, b, &format!("{path}.{key}")),
                    (a, b) => Some(format!("{path}.{key}: {} vs {}", shown(a), shown(b))),
                })
        }
        (Value::Array(l), Value::Array(r)) if l.len() == r.len() => l
            .iter()
            .zip(r)
            .enumerate()
            .find_map(|(i, (a, b))| difference(a, b, &format!("{path}[{i}]"))),
        _ => (left != right).then(|| format!("{path}: {left} vs {right}")),
    }
}

/// `served` through the sandbox's type `S` and then the core's type `C`: the same JSON value at
/// every step. Returns the paths of the document, prefixed by `what`.
fn same_on_both_sides<S, C>(what: &str, served: &Value) -> BTreeSet<String>
where
    S: Serialize + DeserializeOwned + Debug,
    C: Serialize + DeserializeOwned + Debug,
{
    let sandbox: S = serde_json::from_value(served.clone())
        .unwrap_or_else(|e| panic!("{what}: the sandbox's type cannot read what it served: {e}"));
    let sandbox_json = serde_json::to_value(&sandbox).unwrap();
    if let Some(at) = difference(served, &sandbox_json, what) {
        panic!("{what}: the sandbox's type does not write back what it served ({at})");
    }
    let core: C = serde_json::from_value(sandbox_json.clone())
        .unwrap_or_else(|e| panic!("{what}: the core cannot read the sandbox's document: {e}"));
    let core_json = serde_json::to_value(&core).unwrap();
    if let Some(at) = difference(&sandbox_json, &core_json, what) {
        panic!("{what}: the core's type reads the sandbox's document differently (sandbox vs core at {at})");
    }
    let mut out = BTreeSet::new();
    paths(served, what, &mut out);
    out
}

/// A body the core sends, through the sandbox's type: the same JSON value.
fn sandbox_reads_the_core<C, S>(what: &str, core: &C)
where
    C: Serialize,
    S: Serialize + DeserializeOwned + Debug,
{
    let sent = serde_json::to_value(core).unwrap();
    let sandbox: S = serde_json::from_value(sent.clone())
        .unwrap_or_else(|e| panic!("{what}: the sandbox cannot read the core's body: {e}"));
    let read = serde_json::to_value(&sandbox).unwrap();
    if let Some(at) = difference(&sent, &read, what) {
        panic!("{what}: the sandbox's type reads the core's body differently (core vs sandbox at {at})");
    }
}

/// Every value of a spec enum through both types.
fn enum_values<S, C>(what: &str, values: &[&str])
where
    S: Serialize + DeserializeOwned + Debug,
    C: Serialize + DeserializeOwned + Debug,
{
    for value in values {
        same_on_both_sides::<S, C>(&format!("{what} {value}"), &json!(value));
    }
}

struct Portal {
    handle: SandboxHandle,
    client: Client,
}

impl Portal {
    fn url(&self, path: &str) -> Url {
        self.handle
            .base_url()
            .join(path.trim_start_matches('/'))
            .unwrap()
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(TOKEN);
        if let Some(key) = key {
            request = request.header(wire::IDEMPOTENCY_KEY_HEADER, key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn get(&self, path: &str, expected: StatusCode) -> Value {
        let (status, body) = self.send(Method::GET, path, None, None).await;
        assert_eq!(status, expected, "GET {path}: {body}");
        body
    }
}

#[tokio::test]
async fn every_document_reads_the_same_on_both_sides() {
    let config = SandboxConfig {
        test_token: Some(TOKEN.to_owned()),
        registration_delay: Duration::from_secs(60),
        ..SandboxConfig::for_tests()
    };
    let portal = Portal {
        handle: start(config).await.unwrap(),
        client: Client::new(),
    };
    let mut seen = BTreeSet::new();

    // What the core sends: an online top-up with its return URLs, an avviso, a new e-mail.
    let online = dto::CreateRicaricaRequest {
        items: vec![
            dto::NewRicaricaItem {
                child_id: "alu-0001".into(),
                service_code: "refezione".into(),
                amount_cents: 2_000,
            },
            dto::NewRicaricaItem {
                child_id: "alu-0001".into(),
                service_code: "scuolabus".into(),
                amount_cents: 1_500,
            },
        ],
        mode: dto::PaymentMode::Online,
        payer_email: "maria.rossi@example.it".into(),
        return_urls: Some(dto::ReturnUrls {
            ok: Url::parse("it.comunicapp://ricarica/ok?state=w1").unwrap(),
            cancel: Url::parse("it.comunicapp://ricarica/annullata?state=w1").unwrap(),
            error: Url::parse("it.comunicapp://ricarica/errore?state=w1").unwrap(),
            waiting: Url::parse("it.comunicapp://ricarica/attesa?state=w1").unwrap(),
        }),
    };
    let avviso = dto::CreateRicaricaRequest {
        items: vec![dto::NewRicaricaItem {
            child_id: "alu-0002".into(),
            service_code: "refezione".into(),
            amount_cents: 3_000,
        }],
        mode: dto::PaymentMode::Avviso,
        payer_email: "maria.rossi@example.it".into(),
        return_urls: None,
    };
    let email = dto::UpdateEmailRequest {
        email: "maria.rossi@posta.example.it".into(),
    };
    sandbox_reads_the_core::<_, wire::CreateRicaricaRequest>("online request", &online);
    sandbox_reads_the_core::<_, wire::CreateRicaricaRequest>("avviso request", &avviso);
    sandbox_reads_the_core::<_, wire::UpdateEmailRequest>("e-mail request", &email);

    let post = |key: &'static str, body: Value| {
        let portal = &portal;
        async move {
            portal
                .send(Method::POST, "/api/v1/ricariche", Some(key), Some(&body))
                .await
        }
    };
    let (status, created_online) =
        post("wire-online", serde_json::to_value(&online).unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{created_online}");
    seen.extend(same_on_both_sides::<wire::Ricarica, dto::Ricarica>(
        "online",
        &created_online,
    ));
    let (status, created_avviso) =
        post("wire-avviso", serde_json::to_value(&avviso).unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{created_avviso}");
    seen.extend(same_on_both_sides::<wire::Ricarica, dto::Ricarica>(
        "avviso",
        &created_avviso,
    ));

    // Paid at the tobacconist, registered after the delay: paid_at, registered_at, receipts.
    let nav = created_avviso["avviso"]["notice_number"].as_str().unwrap();
    portal.handle.pay_notice_elsewhere(nav).unwrap();
    let id = created_avviso["id"].as_str().unwrap();
    let paid = portal
        .get(&format!("/api/v1/ricariche/{id}"), StatusCode::OK)
        .await;
    assert_eq!(paid["status"], "paid", "{paid}");
    seen.extend(same_on_both_sides::<wire::Ricarica, dto::Ricarica>(
        "paid", &paid,
    ));
    portal.handle.advance_clock(Duration::from_secs(61));
    let registered = portal
        .get(&format!("/api/v1/ricariche/{id}"), StatusCode::OK)
        .await;
    assert_eq!(registered["status"], "registered", "{registered}");
    seen.extend(same_on_both_sides::<wire::Ricarica, dto::Ricarica>(
        "registered",
        &registered,
    ));

    let (status, updated) = portal
        .send(
            Method::PUT,
            "/api/v1/account/email",
            None,
            Some(&serde_json::to_value(&email).unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    seen.extend(same_on_both_sides::<wire::Account, dto::Account>(
        "updated account",
        &updated,
    ));

    let ok = StatusCode::OK;
    let ente = portal.get("/api/v1/ente", ok).await;
    seen.extend(same_on_both_sides::<wire::EnteConfig, dto::EnteDocument>(
        "ente", &ente,
    ));
    let account = portal.get("/api/v1/account", ok).await;
    seen.extend(same_on_both_sides::<wire::Account, dto::Account>(
        "account", &account,
    ));
    let balances = portal.get("/api/v1/balances", ok).await;
    seen.extend(same_on_both_sides::<wire::Balances, dto::Balances>(
        "balances", &balances,
    ));
    let first_page = portal.get("/api/v1/movements?limit=5", ok).await;
    assert_eq!(first_page["has_more"], true);
    seen.extend(
        same_on_both_sides::<wire::MovementsPage, dto::MovementsPage>("movements", &first_page),
    );
    let all = portal.get("/api/v1/movements?limit=500", ok).await;
    seen.extend(same_on_both_sides::<wire::MovementsPage, dto::MovementsPage>("movements", &all));
    let avvisi = portal.get("/api/v1/avvisi", ok).await;
    seen.extend(same_on_both_sides::<wire::AvvisiList, dto::AvvisiList>(
        "avvisi", &avvisi,
    ));
    let receipts = portal.get("/api/v1/receipts", ok).await;
    seen.extend(same_on_both_sides::<wire::ReceiptsList, dto::ReceiptsList>(
        "receipts", &receipts,
    ));
    let fee = portal
        .get("/api/v1/fees?amount_cents=2000&mode=online", ok)
        .await;
    seen.extend(same_on_both_sides::<wire::FeeEstimate, dto::FeeEstimate>(
        "fee", &fee,
    ));
    let ricariche = portal.get("/api/v1/ricariche", ok).await;
    seen.extend(
        same_on_both_sides::<wire::RicaricheList, dto::RicaricheList>("ricariche", &ricariche),
    );

    // Problems: with and without `detail` and `field`.
    let not_found = portal
        .get("/api/v1/ricariche/rc-nessuna", StatusCode::NOT_FOUND)
        .await;
    let bad_cursor = portal
        .get("/api/v1/movements?cursor=x", StatusCode::BAD_REQUEST)
        .await;
    let no_fee = portal
        .get(
            "/api/v1/fees?amount_cents=2000&mode=avviso",
            StatusCode::NOT_FOUND,
        )
        .await;
    let (status, reused) = post("wire-online", serde_json::to_value(&avviso).unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reused}");
    for (what, problem) in [
        ("not found", &not_found),
        ("bad cursor", &bad_cursor),
        ("no fee", &no_fee),
        ("key reused", &reused),
    ] {
        seen.extend(same_on_both_sides::<wire::Problem, dto::Problem>(
            &format!("problem {what}"),
            problem,
        ));
    }
    let problems: BTreeSet<&str> = [&not_found, &bad_cursor, &no_fee, &reused]
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(
        problems,
        BTreeSet::from([
            wire::problem_code::NOT_FOUND,
            wire::problem_code::VALIDATION_FAILED,
            wire::problem_code::FEE_UNKNOWN,
            wire::problem_code::IDEMPOTENCY_KEY_REUSED,
        ])
    );

    // Every optional property of the spec's response schemas was in a document above.
    let optional = [
        "account.children[].meal_price_cents",
        "balances.balances[].meal_price_cents",
        "balances.balances[].meals_remaining",
        "avvisi.avvisi[].child_id",
        "avvisi.avvisi[].service_code",
        "avvisi.avvisi[].ricarica_id",
        "receipts.receipts[].ricarica_id",
        "receipts.receipts[].child_id",
        "receipts.receipts[].service_code",
        "online.fee_cents",
        "online.checkout_url",
        "online.expires_at",
        "online.items[].notice_number",
        "avviso.avviso",
        "avviso.avviso.due_date",
        "registered.paid_at",
        "registered.registered_at",
        "problem key reused.detail",
        "problem key reused.field",
    ];
    let missing: Vec<_> = optional.iter().filter(|p| !seen.contains(**p)).collect();
    assert!(missing.is_empty(), "never served: {missing:?}");

    // Every movement kind and service kind is in the seeded documents; every enum value of the
    // spec goes through both sides on its own too.
    for kind in ["top_up", "meal", "adjustment"] {
        assert!(
            all["movements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["kind"] == kind),
            "no {kind} movement"
        );
    }
    enum_values::<wire::ServiceKind, dto::ServiceKind>("ServiceKind", &["prepaid_credit", "fee"]);
    enum_values::<wire::MovementKind, dto::MovementKind>(
        "MovementKind",
        &["top_up", "meal", "adjustment"],
    );
    enum_values::<wire::AvvisoStatus, dto::AvvisoStatus>("AvvisoStatus", &["da_pagare", "pagato"]);
    enum_values::<wire::PaymentMode, dto::PaymentMode>("PaymentMode", &["online", "avviso"]);
    enum_values::<wire::RicaricaStatus, dto::RicaricaStatus>(
        "RicaricaStatus",
        &[
            "awaiting_payment",
            "payment_pending",
            "paid",
            "registered",
            "cancelled",
            "failed",
            "expired",
            "avviso_issued",
        ],
    );
    portal.handle.shutdown().await;
}

/// The check above is not vacuous: a document whose field the core names differently, or an
/// enum value the core does not know, does not come back the same.
#[test]
#[should_panic(expected = "the core's type reads the sandbox's document differently")]
fn a_renamed_optional_field_fails() {
    let served = json!({"fee_cents": 100, "note": "n", "ignored_by_core": 1});
    same_on_both_sides::<Value, dto::FeeEstimate>("fee", &served);
}

#[test]
#[should_panic(expected = "the core's type reads the sandbox's document differently")]
fn an_enum_value_the_core_does_not_know_fails() {
    same_on_both_sides::<Value, dto::RicaricaStatus>("status", &json!("in_attesa"));
}
