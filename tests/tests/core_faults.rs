//! Every fault knob of the sandbox on every route a refresh calls: a typed error, no panic, and
//! the cache exactly as it was. Plus the retry rules: what is retried, what is not, Retry-After.

mod core_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use comunicapp_core::api::dto::{CreateRicaricaRequest, NewRicaricaItem, PaymentMode, Ricarica};
use comunicapp_core::api::{Error, ErrorKind};
use comunicapp_core::auth::MemorySecureStore;
use comunicapp_core::sync::Session;
use comunicapp_sandbox::SandboxHandle;
use core_support::*;
use serde_json::json;

const REFRESH_ROUTES: [&str; 6] = [
    "GET /api/v1/ente",
    "GET /api/v1/account",
    "GET /api/v1/balances",
    "GET /api/v1/movements",
    "GET /api/v1/avvisi",
    "GET /api/v1/receipts",
];

/// Enough matching requests to outlast every retry.
const PERSISTENT: u32 = 20;

/// Each knob with the error kinds it may give.
fn fault_kinds() -> Vec<(&'static str, serde_json::Value, Vec<ErrorKind>)> {
    vec![
        (
            "latency beyond the request timeout",
            json!({"kind": "latency", "ms": 1500}),
            vec![ErrorKind::Timeout],
        ),
        (
            "503 with Retry-After",
            json!({"kind": "status", "code": 503, "retry_after": 1}),
            vec![ErrorKind::Server {
                retry_after: Some(Duration::from_secs(1)),
            }],
        ),
        (
            "500",
            json!({"kind": "status", "code": 500}),
            vec![ErrorKind::Server { retry_after: None }],
        ),
        (
            "429 rate limited",
            json!({"kind": "status", "code": 429, "retry_after": 1}),
            vec![ErrorKind::Server {
                retry_after: Some(Duration::from_secs(1)),
            }],
        ),
        (
            "404 from nowhere",
            json!({"kind": "status", "code": 404}),
            vec![ErrorKind::Portal {
                code: "fault_injected".into(),
            }],
        ),
        (
            "connection dropped",
            json!({"kind": "drop"}),
            vec![ErrorKind::Offline],
        ),
        (
            "truncated body",
            json!({"kind": "truncate"}),
            truncate_kinds(),
        ),
        (
            "malformed JSON",
            json!({"kind": "malformed"}),
            vec![ErrorKind::Contract],
        ),
    ]
}

/// The sandbox's `truncate` knob cuts the body, but whether hyper has flushed the response head
/// before the cut depends on timing: the client sees either a cut body (a contract violation)
/// or a connection lost before any answer (offline), both typed. How the client types a body
/// that is surely cut is shown against a raw socket in
/// `un_corpo_troncato_e_una_violazione_del_contratto`.
fn truncate_kinds() -> Vec<ErrorKind> {
    vec![ErrorKind::Contract, ErrorKind::Offline]
}

/// What the parent sees, without the freshness line (which a failure is allowed to turn stale).
fn snapshot(session: &Session) -> impl PartialEq + std::fmt::Debug {
    let saldo = session.saldo().expect("saldo");
    let pagamenti = session.pagamenti().expect("pagamenti");
    (
        saldo.children,
        saldo.school_year,
        saldo.freshness.fetched_at,
        pagamenti.avvisi_da_pagare,
        pagamenti.receipts,
        session.store().row_count().expect("rows"),
        session.store().etag("balances").expect("etag"),
        session.store().cursor("movements").expect("cursor"),
    )
}

async fn synced_session(sandbox: &SandboxHandle, dir: &DataDir) -> Session {
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        Arc::new(MemorySecureStore::new()),
        quick_options(None),
    );
    login(&session, sandbox).await;
    session.refresh().await.expect("first sync");
    session
}

#[tokio::test]
async fn ogni_guasto_su_ogni_rotta_da_un_errore_tipizzato_e_lascia_la_cache_intatta() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("faults");
    let session = synced_session(&sandbox, &dir).await;
    let cached = snapshot(&session);

    for route in REFRESH_ROUTES {
        for (name, kind, expected) in fault_kinds() {
            add_fault(&sandbox, route, kind, PERSISTENT).await;
            let error = session
                .refresh()
                .await
                .expect_err(&format!("{route} / {name} must fail"));
            assert!(
                expected.contains(&error.kind()),
                "{route} / {name}: {error:?}"
            );
            assert!(
                !error.to_string().is_empty() && error.message_key().starts_with("errore."),
                "{route} / {name}"
            );
            assert_eq!(
                snapshot(&session),
                cached,
                "{route} / {name} changed the cache"
            );
            assert!(session.saldo().unwrap().freshness.stale, "{route} / {name}");
            clear_faults(&sandbox).await;
        }
    }
    // Once the portal behaves again, the same session syncs and is fresh.
    session.refresh().await.expect("sync after the faults");
    assert!(!session.saldo().unwrap().freshness.stale);
}

#[tokio::test]
async fn guasti_sul_rinnovo_del_token_danno_errori_tipizzati_e_non_chiudono_la_sessione() {
    let sandbox = sandbox().await;
    let ttl = sandbox.config().access_token_ttl;
    let dir = DataDir::new("token-faults");
    let session = synced_session(&sandbox, &dir).await;
    // Faults the portal answers without running the exchange: the refresh token stays unspent.
    let kinds = [
        (
            json!({"kind": "status", "code": 503, "retry_after": 1}),
            ErrorKind::Server {
                retry_after: Some(Duration::from_secs(1)),
            },
        ),
        (
            json!({"kind": "status", "code": 500}),
            ErrorKind::Server { retry_after: None },
        ),
        (json!({"kind": "drop"}), ErrorKind::Offline),
        (json!({"kind": "malformed"}), ErrorKind::Contract),
    ];
    for (kind, expected) in kinds {
        let cached = snapshot(&session);
        sandbox.advance_clock(ttl + Duration::from_secs(5));
        add_fault(&sandbox, "POST /oauth/token", kind.clone(), PERSISTENT).await;
        let error = session.refresh().await.expect_err("refresh must fail");
        assert_eq!(error.kind(), expected, "{kind}: {error:?}");
        assert!(snapshot(&session) == cached, "{kind} changed the cache");
        assert!(
            session.is_logged_in().unwrap(),
            "{kind}: a transient fault keeps the login"
        );
        clear_faults(&sandbox).await;
        session
            .refresh()
            .await
            .expect("the same tokens work once the fault is gone");
    }
}

#[tokio::test]
async fn una_risposta_del_token_persa_dopo_la_rotazione_chiede_di_rientrare() {
    // The portal rotates the refresh token, then the answer is lost on the way (cut body): the
    // phone holds only the spent token, and presenting it ends the session (reuse detection).
    // A request the phone gave up on before the portal handled it (the sandbox abandons a
    // request whose client hung up) rotated nothing, and the session goes on.
    for (kind, expected, portal_rotated) in [
        (json!({"kind": "truncate"}), truncate_kinds(), true),
        (
            json!({"kind": "latency", "ms": 1500}),
            vec![ErrorKind::Timeout],
            false,
        ),
    ] {
        let sandbox = sandbox().await;
        let ttl = sandbox.config().access_token_ttl;
        let dir = DataDir::new("token-lost");
        let session = synced_session(&sandbox, &dir).await;
        let cached = snapshot(&session);
        sandbox.advance_clock(ttl + Duration::from_secs(5));
        let before = requests(&sandbox).await;
        add_fault(&sandbox, "POST /oauth/token", kind.clone(), 1).await;
        let error = session.refresh().await.expect_err("refresh must fail");
        assert!(expected.contains(&error.kind()), "{kind}: {error:?}");
        assert!(snapshot(&session) == cached, "{kind} changed the cache");
        let spent = delta(&before, &requests(&sandbox).await);
        assert!(
            spent
                .get("POST /oauth/token")
                .is_none_or(|o| o.values().sum::<u64>() <= 1),
            "the waiting requests shared one exchange: {spent:?}"
        );
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let outcome = session.refresh().await;
        if portal_rotated {
            let error = outcome.expect_err("the spent token is refused");
            assert!(matches!(error, Error::SessionExpired), "{kind}: {error:?}");
            assert!(!session.is_logged_in().unwrap());
            assert!(snapshot(&session) == cached, "{kind} changed the cache");
        } else {
            outcome.expect("nothing was rotated, the session goes on");
            assert!(session.is_logged_in().unwrap());
        }
    }
}

#[tokio::test]
async fn un_guasto_passeggero_su_una_get_viene_superato_dai_tentativi() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("retry");
    let session = synced_session(&sandbox, &dir).await;

    for kind in [
        json!({"kind": "status", "code": 503}),
        json!({"kind": "drop"}),
        json!({"kind": "truncate"}),
    ] {
        let before = requests(&sandbox).await;
        add_fault(&sandbox, "GET /api/v1/balances", kind.clone(), 1).await;
        session
            .refresh()
            .await
            .expect("one retry absorbs a passing fault");
        let spent = delta(&before, &requests(&sandbox).await);
        let balances = &spent["GET /api/v1/balances"];
        assert_eq!(balances.values().sum::<u64>(), 2, "{kind}: {balances:?}");
        assert!(!session.saldo().unwrap().freshness.stale);
    }
    // A request that times out is abandoned (the sandbox never logs it) and sent again.
    add_fault(
        &sandbox,
        "GET /api/v1/balances",
        json!({"kind": "latency", "ms": 1500}),
        1,
    )
    .await;
    let started = Instant::now();
    session
        .refresh()
        .await
        .expect("the retry after a timeout succeeds");
    let timeout = quick_options(None).client.request_timeout;
    assert!(
        started.elapsed() >= timeout,
        "the first attempt waited for its timeout"
    );
}

#[tokio::test]
async fn retry_after_rispettato_e_troppo_lungo_riferito_senza_attendere() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("retry-after");
    let session = synced_session(&sandbox, &dir).await;

    add_fault(
        &sandbox,
        "GET /api/v1/balances",
        json!({"kind": "status", "code": 503, "retry_after": 1}),
        1,
    )
    .await;
    let started = Instant::now();
    session.refresh().await.expect("retried after the pause");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );

    add_fault(
        &sandbox,
        "GET /api/v1/balances",
        json!({"kind": "status", "code": 503, "retry_after": 120}),
        1,
    )
    .await;
    let before = requests(&sandbox).await;
    let started = Instant::now();
    let error = session.refresh().await.expect_err("too long to wait");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        error.kind(),
        ErrorKind::Server {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    let spent = delta(&before, &requests(&sandbox).await);
    assert_eq!(spent["GET /api/v1/balances"].values().sum::<u64>(), 1);
}

#[tokio::test]
async fn si_ritenta_solo_cio_che_e_sicuro_ritentare() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("safe-retry");
    let session = synced_session(&sandbox, &dir).await;
    let account = session.account().unwrap().expect("account cached");
    let child = &account.children[0];

    // A PUT has no idempotency key: a 503 is reported, not repeated.
    add_fault(
        &sandbox,
        "PUT /api/v1/account/email",
        json!({"kind": "status", "code": 503}),
        1,
    )
    .await;
    let before = requests(&sandbox).await;
    let error = session
        .put::<_, serde_json::Value>(
            "api/v1/account/email",
            &json!({"email": "maria.rossi@example.it"}),
        )
        .await
        .expect_err("not retried");
    assert_eq!(error.kind(), ErrorKind::Server { retry_after: None });
    let spent = delta(&before, &requests(&sandbox).await);
    assert_eq!(spent["PUT /api/v1/account/email"].values().sum::<u64>(), 1);

    // A POST with an idempotency key is retried, and the portal creates one ricarica.
    let body = CreateRicaricaRequest {
        items: vec![NewRicaricaItem {
            child_id: child.id.clone(),
            service_code: "refezione".into(),
            amount_cents: 2000,
        }],
        mode: PaymentMode::Avviso,
        payer_email: "maria.rossi@example.it".into(),
        return_urls: None,
    };
    add_fault(
        &sandbox,
        "POST /api/v1/ricariche",
        json!({"kind": "drop"}),
        1,
    )
    .await;
    let before = requests(&sandbox).await;
    let created: Ricarica = session
        .post("api/v1/ricariche", &body, Some("chiave-e2e-1"))
        .await
        .expect("retried with the same key");
    assert_eq!(created.idempotency_key, "chiave-e2e-1");
    let spent = delta(&before, &requests(&sandbox).await);
    assert_eq!(spent["POST /api/v1/ricariche"].values().sum::<u64>(), 2);
    let same_key = sandbox
        .state()
        .ricariche
        .iter()
        .filter(|r| r.idempotency_key == "chiave-e2e-1")
        .count();
    assert_eq!(same_key, 1);

    // Without a key the same drop is reported as lost, not resent.
    add_fault(
        &sandbox,
        "POST /api/v1/ricariche",
        json!({"kind": "drop"}),
        1,
    )
    .await;
    let error = session
        .post::<_, Ricarica>("api/v1/ricariche", &body, None)
        .await
        .expect_err("not retried");
    assert_eq!(error.kind(), ErrorKind::Offline);
}

#[tokio::test]
async fn un_corpo_troncato_e_una_violazione_del_contratto() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // A socket on loopback that promises 100 bytes of JSON, sends 9, and hangs up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let served = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = served.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                      Content-Length: 100\r\n\r\n{\"name\":",
                )
                .await;
            let _ = socket.flush().await;
        }
    });
    let client = comunicapp_core::api::ApiClient::new(url, quick_options(None).client).unwrap();
    let error = client
        .get_json::<serde_json::Value>("api/v1/ente", &[], "token", None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Contract { .. }), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Contract);
    // A GET is safe to repeat: every attempt was made before giving up.
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 3);
}
