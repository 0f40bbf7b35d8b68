//! Each fault knob as a plain client sees it, plus the request log and conditional requests.

mod sandbox_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use comunicapp_sandbox::SandboxHandle;
use reqwest::{Client, StatusCode};
use sandbox_support::*;
use serde_json::{json, Value};

async fn fault(handle: &SandboxHandle, client: &Client, rule: Value) {
    let response = client
        .post(url(handle, "/admin/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

async fn requests(
    handle: &SandboxHandle,
    client: &Client,
) -> BTreeMap<String, BTreeMap<String, u64>> {
    client
        .get(url(handle, "/admin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn latenza_ritarda_la_risposta_che_resta_corretta() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    fault(
        &handle,
        &client,
        json!({"route": "GET /api/v1/balances", "kind": "latency", "ms": 1500}),
    )
    .await;
    let started = Instant::now();
    let response = get(&handle, &client, &token, "/api/v1/balances").await;
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Value>().await.unwrap();
    // count defaults to 1: the next one carries no added latency (a wide margin, so a busy
    // machine cannot make it look delayed).
    let started = Instant::now();
    get(&handle, &client, &token, "/api/v1/balances").await;
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn stato_503_con_retry_after_per_n_richieste() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    fault(&handle, &client, json!({"route": "GET /api/v1/ricariche/{id}", "kind": "status", "code": 503, "retry_after": 7, "count": 2})).await;
    for _ in 0..2 {
        let response = get(&handle, &client, &token, "/api/v1/ricariche/rc-000001").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "7");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert_eq!(problem_code(response).await, "service_unavailable");
    }
    assert_eq!(
        get(&handle, &client, &token, "/api/v1/ricariche/rc-000001")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn drop_chiude_la_connessione_senza_risposta() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    fault(
        &handle,
        &client,
        json!({"route": "GET /api/v1/account", "kind": "drop"}),
    )
    .await;
    let error = client
        .get(url(&handle, "/api/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .expect_err("no response");
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert_eq!(
        get(&handle, &client, &token, "/api/v1/account")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        requests(&handle, &client).await["GET /api/v1/account"]["drop"],
        1
    );
}

#[tokio::test]
async fn truncate_promette_piu_byte_di_quelli_che_manda() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    fault(
        &handle,
        &client,
        json!({"route": "GET /api/v1/movements", "kind": "truncate"}),
    )
    .await;
    let response = get(&handle, &client, &token, "/api/v1/movements").await;
    assert_eq!(response.status(), StatusCode::OK);
    let error = response.bytes().await.expect_err("the body is cut short");
    assert!(
        error.is_body() || error.is_decode() || error.is_request(),
        "{error:?}"
    );
}

#[tokio::test]
async fn malformed_risponde_200_con_json_non_valido() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    fault(
        &handle,
        &client,
        json!({"route": "GET /api/v1/avvisi", "kind": "malformed"}),
    )
    .await;
    let response = get(&handle, &client, &token, "/api/v1/avvisi").await;
    assert_eq!(response.status(), StatusCode::OK);
    let error = response.json::<Value>().await.expect_err("not JSON");
    assert!(error.is_decode(), "{error:?}");
}

#[tokio::test]
async fn i_guasti_si_cancellano_e_valgono_anche_per_oauth() {
    let handle = sandbox().await;
    let client = client();
    fault(
        &handle,
        &client,
        json!([{"route": "POST /oauth/token", "kind": "status", "code": 500, "count": 5}]),
    )
    .await;
    let response = client
        .delete(url(&handle, "/admin/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    login(&handle, &client).await;
}

#[tokio::test]
async fn un_secondo_aggiornamento_senza_novita_costa_solo_304() {
    let handle = sandbox().await;
    let client = client();
    let token = login(&handle, &client).await.access;
    let routes = [
        "/api/v1/ente",
        "/api/v1/account",
        "/api/v1/balances",
        "/api/v1/avvisi",
        "/api/v1/receipts",
    ];
    let mut etags = Vec::new();
    for route in routes {
        let response = get(&handle, &client, &token, route).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
        etags.push(response.headers()["etag"].to_str().unwrap().to_string());
    }
    for (route, etag) in routes.iter().zip(&etags) {
        let response = client
            .get(url(&handle, route))
            .bearer_auth(&token)
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{route}");
        assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);
    }
    let log = requests(&handle, &client).await;
    for route in routes {
        let counts = &log[&format!("GET {route}")];
        assert_eq!(counts.get("304"), Some(&1), "{route}: {counts:?}");
        assert_eq!(counts.get("200"), Some(&1), "{route}: {counts:?}");
    }
    // A change gives a new ETag.
    let changed = client
        .put(url(&handle, "/api/v1/account/email"))
        .bearer_auth(&token)
        .json(&json!({"email": "maria.rossi@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let response = client
        .get(url(&handle, "/api/v1/account"))
        .bearer_auth(&token)
        .header("If-None-Match", &etags[1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn senza_faults_enabled_non_ci_sono_rotte_admin() {
    let config = comunicapp_sandbox::SandboxConfig {
        faults_enabled: false,
        ..comunicapp_sandbox::SandboxConfig::for_tests()
    };
    let handle = sandbox_with(config).await;
    let client = client();
    let response = client
        .post(url(&handle, "/admin/faults"))
        .json(&json!({"route": "GET /api/v1/ente", "kind": "drop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
