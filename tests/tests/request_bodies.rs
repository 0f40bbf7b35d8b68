//! What the client sends, for the contract: every request body the core writes (the OAuth code
//! exchange, the token refresh and revocation, both kinds of top-up, the e-mail change), as the
//! sandbox received it, written to `target/request-bodies.jsonl` (or `$COMUNICAPP_REQUEST_BODIES`).
//! `tests/contract/run.sh` then checks each against its `requestBody` schema in
//! `core/api/portale.yaml` — the responses are checked by schemathesis, the requests here, and
//! neither side's serde types are trusted to agree with the other's.

mod ricarica_support;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use comunicapp_core::ricarica::PaymentMode;
use comunicapp_sandbox::{REFEZIONE, SCUOLABUS};
use ricarica_support::*;

const GIULIA: &str = "alu-0001";

fn output() -> PathBuf {
    std::env::var_os("COMUNICAPP_REQUEST_BODIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/request-bodies.jsonl")
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_body_the_client_sends_is_recorded_for_the_contract() {
    let sandbox = sandbox().await;
    let app = app(&sandbox, "request-bodies").await;
    app.engine
        .submit(&order(
            &app,
            &[(GIULIA, REFEZIONE, 20)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    app.engine
        .submit(&order(
            &app,
            &[(GIULIA, SCUOLABUS, 10)],
            PaymentMode::Avviso,
        ))
        .await
        .unwrap();
    app.engine
        .change_email("maria.rossi@example.it")
        .await
        .unwrap();
    // The access token expires on the portal's clock: the next call refreshes it.
    sandbox.advance_clock(sandbox.config().access_token_ttl + Duration::from_secs(1));
    app.session.refresh().await.unwrap();
    app.session.logout().await.unwrap();

    let sent: Vec<_> = sandbox
        .request_log()
        .into_iter()
        .filter(|r| r.body.is_some())
        // The login form is the browser's and the checkout buttons the payer's, not the app's.
        .filter(|r| r.route != "/oauth/authorize" && !r.route.starts_with("/checkout/c/"))
        .collect();
    let mut kinds = BTreeSet::new();
    let path = output();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut file = std::fs::File::create(&path).unwrap();
    for request in &sent {
        let grant = request
            .body
            .as_deref()
            .and_then(|b| b.split('&').find(|p| p.starts_with("grant_type=")))
            .unwrap_or("");
        kinds.insert(format!("{} {} {grant}", request.method, request.route));
        writeln!(file, "{}", serde_json::to_string(request).unwrap()).unwrap();
    }
    let expected: BTreeSet<String> = [
        "POST /api/v1/ricariche ",
        "PUT /api/v1/account/email ",
        "POST /oauth/token grant_type=authorization_code",
        "POST /oauth/token grant_type=refresh_token",
        "POST /oauth/revoke ",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(kinds, expected, "{sent:#?}");
    assert!(
        sent.iter()
            .filter(|r| r.route == "/api/v1/ricariche")
            .count()
            >= 2
    );
}
