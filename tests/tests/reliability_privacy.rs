//! Issue 11, "Hardening: make reliability" — the privacy-and-security row, as a matrix:
//!
//! - tokens (access, refresh, authorization code, PKCE verifier, OAuth `state`) in no file of the
//!   data folder, no error message, no URL and no log line, after a full run with forced failures;
//! - no personal data in any file after logout, after removing a profile and after a corrupt cache
//!   is rebuilt;
//! - plain HTTP only to loopback and only in development; TLS certificates always verified;
//! - PKCE S256 and `state` always sent and checked;
//! - a return URL never marks a top-up paid without the portal's word.
//!
//! Every scan reads the raw bytes of every file under the data folder, found by walking it: no
//! file name is assumed. `cargo test -p comunicapp-sandbox --test reliability_privacy -- --nocapture`
//! prints one `RELIABILITY` line, from the full run.

mod core_support;
mod privacy_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::Utc;
use comunicapp_core::api::{ApiClient, ClientOptions, Error, ErrorKind};
use comunicapp_core::app::{App, AppConfig};
use comunicapp_core::auth::{OAuthConfig, SecureStore};
use comunicapp_core::background;
use comunicapp_core::comuni::Comune;
use comunicapp_core::diagnostics;
use comunicapp_core::profiles;
use comunicapp_core::ricarica::{
    copy, PaymentMode, ReturnUrlError, ReturnUrlStyle, RicaricaConfig, RicaricaEngine,
    RicaricaError, RicaricaStep,
};
use comunicapp_core::store::Store;
use comunicapp_core::sync::Session;
use comunicapp_sandbox::wire::RicaricaStatus;
use comunicapp_sandbox::{SandboxConfig, SandboxHandle, REFEZIONE, SCUOLABUS};
use core_support::{add_fault, clear_faults, DataDir};
use privacy_support::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

const GIULIA: &str = "alu-0001";
const LUCA: &str = "alu-0002";
const SOFIA: &str = "alu-0003";

/// Checks that found a real core bug: kept, skipped until the core is fixed (each is described
/// in /tmp/core-requests.md). `RELIABILITY_KNOWN_GAPS=1` runs them anyway.
const KNOWN_GAPS: &[(&str, &str)] = &[];

fn known_gap(test: &str) -> bool {
    KNOWN_GAPS.iter().any(|(name, _)| *name == test)
        && std::env::var_os("RELIABILITY_KNOWN_GAPS").is_none()
}

async fn portal() -> SandboxHandle {
    core_support::sandbox().await
}

fn family_needles(sandbox: &SandboxHandle) -> Vec<Needle> {
    personal_needles(
        &sandbox.state().account,
        &sandbox.demo_credentials().username,
    )
}

fn balance(sandbox: &SandboxHandle, child: &str, service: &str) -> i64 {
    sandbox
        .state()
        .balance_cents(child, service)
        .expect("seeded balance")
}

/// A logged-in, synced session with its engine, on `dir`.
async fn synced(
    sandbox: &SandboxHandle,
    dir: &DataDir,
    secrets: Arc<RecordingSecureStore>,
    profile: Option<&str>,
) -> (Arc<Session>, Arc<RicaricaEngine>) {
    let session = Arc::new(open(
        &sandbox.base_url(),
        dir.path(),
        secrets,
        dev_options(profile),
    ));
    login(&session, sandbox).await;
    session.refresh().await.expect("first sync");
    let engine = Arc::new(
        RicaricaEngine::new(
            session.clone(),
            ricarica_config(sandbox, Duration::from_secs(2)),
        )
        .expect("engine"),
    );
    (session, engine)
}

/// What a family leaves in the store: an online top-up paid and registered (the payer's e-mail
/// in its record), an avviso issued, a background run (its announcements), a fresh sync.
async fn use_the_app(sandbox: &SandboxHandle, session: &Session, engine: &Arc<RicaricaEngine>) {
    let online = engine
        .submit(&order(
            session,
            &[(GIULIA, REFEZIONE, 20), (SOFIA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let back = press(&online.checkout.unwrap().checkout_url, "pay").await;
    let paid = engine.handle_return_url(&back).await.unwrap();
    assert_eq!(paid.step, RicaricaStep::PaidAwaitingRegistration);
    let avviso = engine
        .submit(&order(
            session,
            &[(LUCA, REFEZIONE, 50)],
            PaymentMode::Avviso,
        ))
        .await
        .unwrap();
    assert_eq!(avviso.step, RicaricaStep::AvvisoIssued);
    sandbox.advance_clock(sandbox.config().registration_delay + Duration::from_secs(1));
    let report = background::run(engine.clone(), Duration::from_secs(10), Utc::now())
        .await
        .unwrap();
    assert!(report.completed && report.refreshed, "{report:?}");
    assert_eq!(
        engine.get(&paid.local_id).unwrap().unwrap().step,
        RicaricaStep::Registered
    );
}

// ---------------------------------------------------------------------------------------------
// 1. Tokens: files, errors, URLs, logs
// ---------------------------------------------------------------------------------------------

/// The scanner finds every needle in every form it is given: a scan that cannot find anything
/// proves nothing.
fn scanner_self_check(needles: &[Needle]) {
    let probe = DataDir::new("privacy-probe");
    for (i, needle) in needles.iter().enumerate() {
        let mut bytes = b"\x00SQLite junk before ".to_vec();
        if needle.fold_case {
            bytes.extend(needle.bytes.to_ascii_uppercase());
        } else {
            bytes.extend(&needle.bytes);
        }
        bytes.extend(b" and after\xff");
        std::fs::create_dir_all(probe.path().join("nested")).unwrap();
        std::fs::write(
            probe.path().join("nested").join(format!("probe-{i}")),
            bytes,
        )
        .unwrap();
    }
    let scan = scan_dir(probe.path(), needles);
    let found: BTreeSet<&str> = scan
        .hits
        .iter()
        .filter_map(|h| h.split_once(": ").map(|(_, label)| label))
        .collect();
    for needle in needles {
        assert!(
            found.contains(needle.label.as_str()),
            "the scanner misses {}",
            needle.label
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn giro_completo_nessun_token_in_file_errori_url_o_log() {
    let logs = log_capture();
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-full-run");
    let secrets = RecordingSecureStore::new();
    let messages = Messages::default();
    let mut codes = Vec::new();
    let session = Arc::new(open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    ));

    // Login, the first sync.
    let trip = login(&session, &sandbox).await;
    codes.push(Secret::new("authorization code", &trip.code));
    session.refresh().await.unwrap();
    let engine = Arc::new(
        RicaricaEngine::new(
            session.clone(),
            ricarica_config(&sandbox, Duration::from_secs(2)),
        )
        .unwrap(),
    );

    // A top-up paid online through the sandbox's checkout, and its return URL delivered twice.
    let online = engine
        .submit(&order(
            &session,
            &[(GIULIA, REFEZIONE, 20)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let back = press(&online.checkout.clone().unwrap().checkout_url, "pay").await;
    let paid = engine.handle_return_url(&back).await.unwrap();
    assert_eq!(paid.step, RicaricaStep::PaidAwaitingRegistration);
    let replayed = engine.handle_return_url(&back).await.unwrap_err();
    messages.error("return URL replayed", &replayed);

    // An avviso whose create request never gets an answer: NotConfirmed, resumed below.
    add_fault(
        &sandbox,
        "POST /api/v1/ricariche",
        json!({"kind": "drop"}),
        3,
    )
    .await;
    let lost = engine
        .submit(&order(
            &session,
            &[(GIULIA, SCUOLABUS, 50)],
            PaymentMode::Avviso,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(lost, RicaricaError::NotConfirmed { .. }),
        "{lost:?}"
    );
    messages.error("avviso create lost", &lost);
    clear_faults(&sandbox).await;

    // Faults on the portal's reads, each a typed error.
    let faults = [
        (
            "GET /api/v1/balances",
            json!({"kind": "status", "code": 503}),
            3,
        ),
        ("GET /api/v1/account", json!({"kind": "drop"}), 3),
        ("GET /api/v1/avvisi", json!({"kind": "truncate"}), 3),
        ("GET /api/v1/receipts", json!({"kind": "malformed"}), 3),
        (
            "GET /api/v1/movements",
            json!({"kind": "status", "code": 429, "retry_after": 60}),
            1,
        ),
        // 401 twice: the refresh in between rotates the tokens, then the portal refuses again.
        (
            "GET /api/v1/balances",
            json!({"kind": "status", "code": 401}),
            2,
        ),
    ];
    for (route, fault, count) in faults {
        add_fault(&sandbox, route, fault.clone(), count).await;
        let error = match session.refresh().await {
            Err(error) => error,
            Ok(report) => panic!("{route} {fault} ×{count}: no error, {report:?}"),
        };
        messages.error(&format!("{route} {fault}"), &error);
        clear_faults(&sandbox).await;
    }
    assert!(session.is_logged_in().unwrap());

    // The access token expires on the portal; the refresh it needs meets faults first.
    sandbox.advance_clock(sandbox.config().access_token_ttl + Duration::from_secs(1));
    for fault in [
        json!({"kind": "status", "code": 503}),
        json!({"kind": "drop"}),
        json!({"kind": "malformed"}),
    ] {
        // Every exchange this refresh tries meets the fault (none reaches the portal's handler,
        // so no rotation is lost and the next round still finds the token expired).
        add_fault(&sandbox, "POST /oauth/token", fault.clone(), 20).await;
        let error = match session.refresh().await {
            Err(error) => error,
            Ok(report) => panic!("POST /oauth/token {fault}: no error, {report:?}"),
        };
        messages.error(&format!("POST /oauth/token {fault}"), &error);
        clear_faults(&sandbox).await;
        assert!(session.is_logged_in().unwrap(), "{fault}: {error:?}");
    }
    session.refresh().await.unwrap();

    // Resume: the paid one is registered, the lost avviso is created with its stored key.
    sandbox.advance_clock(sandbox.config().registration_delay + Duration::from_secs(1));
    let resumed = engine.resume_pending().await.unwrap();
    let steps: BTreeMap<String, RicaricaStep> = resumed
        .iter()
        .map(|v| (v.local_id.clone(), v.step))
        .collect();
    assert_eq!(steps.get(&paid.local_id), Some(&RicaricaStep::Registered));
    let issued = resumed
        .iter()
        .find(|v| v.step == RicaricaStep::AvvisoIssued)
        .expect("the lost avviso, issued on resume");
    let notice = issued.avviso.clone().unwrap().notice_number;
    sandbox.pay_notice_elsewhere(&notice).unwrap();
    sandbox.advance_clock(sandbox.config().registration_delay + Duration::from_secs(1));

    // The background run: integrity scan, refresh, settling, notifications.
    let report = background::run(engine.clone(), Duration::from_secs(10), Utc::now())
        .await
        .unwrap();
    assert!(report.completed && report.refreshed, "{report:?}");
    assert!(!report.cache_damaged);

    // The refresh token expires: the session ends with a typed error, the tokens are forgotten.
    sandbox.advance_clock(sandbox.config().refresh_token_ttl + Duration::from_secs(3600));
    let expired = session.refresh().await.unwrap_err();
    assert_eq!(expired.kind(), ErrorKind::SessionExpired, "{expired:?}");
    messages.error("refresh token expired", &expired);
    assert!(!session.is_logged_in().unwrap());
    let logged_out = background::run(engine.clone(), Duration::from_secs(10), Utc::now())
        .await
        .unwrap();
    assert!(logged_out.refresh_error.is_some(), "{logged_out:?}");
    messages.text("background while logged out", &format!("{logged_out:?}"));

    // Logging in again, through a forged callback first; then a replay of the genuine one.
    let again = browser_login(&session, &sandbox).await;
    codes.push(Secret::new("authorization code", &again.code));
    let forged = format!(
        "{}?code={}&state=forged",
        OAuthConfig::APP_REDIRECT_URI,
        again.code
    );
    let refused = session.login_complete(&forged).await.unwrap_err();
    messages.error("forged login callback", &refused);
    session
        .login_complete(again.callback.as_str())
        .await
        .unwrap();
    let replay = session
        .login_complete(again.callback.as_str())
        .await
        .unwrap_err();
    messages.error("login callback replayed", &replay);
    session.refresh().await.unwrap();
    engine.resume_pending().await.unwrap();
    let report = background::run(engine.clone(), Duration::from_secs(10), Utc::now())
        .await
        .unwrap();
    assert!(report.completed && report.refreshed, "{report:?}");

    // Every secret of the run, in every form.
    let mut all = secrets.secrets();
    all.extend(codes);
    let count = |what: &str| all.iter().filter(|s| s.what == what).count();
    assert!(count("access token") >= 4, "rotations seen: {all:?}");
    assert!(count("refresh token") >= 4);
    assert!(count("PKCE code verifier") >= 2 && count("OAuth state") >= 2);
    assert_eq!(count("authorization code"), 2);
    let needles = secret_needles(&all);
    scanner_self_check(&needles);

    // No file of the data folder holds any of them…
    let files = scan_dir(dir.path(), &needles);
    assert!(!files.files.is_empty());
    assert!(files.hits.is_empty(), "tokens on disk: {:?}", files.hits);
    // …while the scan does read the cache: the family's data is there.
    let family = family_needles(&sandbox);
    scanner_self_check(&family);
    assert!(!scan_dir(dir.path(), &family).hits.is_empty());

    // No error message, in Display or Debug, with their sources.
    let texts = messages.all();
    assert!(texts.len() >= 30, "{} messages", texts.len());
    for text in &texts {
        let hits = found_in(text.as_bytes(), &needles);
        assert!(hits.is_empty(), "{hits:?} in {text}");
    }

    // No URL the portal was asked for (a URL ends up in server and proxy logs). The `state` is
    // part of the authorization URL by design.
    let in_urls: Vec<Secret> = all
        .iter()
        .filter(|s| s.what != "OAuth state")
        .cloned()
        .collect();
    let url_needles = secret_needles(&in_urls);
    let targets: Vec<String> = sandbox
        .request_log()
        .into_iter()
        .map(|r| r.target)
        .collect();
    assert!(targets.len() > 50, "{} requests", targets.len());
    for target in &targets {
        let hits = found_in(target.as_bytes(), &url_needles);
        assert!(hits.is_empty(), "{hits:?} in {target}");
    }

    // No line of the core's diagnostics log (every error above was recorded there, as the
    // bindings record each error leaving the core) nor of the HTTP stack's `log` output holds a
    // token, a name or an e-mail.
    let mut log_needles = needles.clone();
    log_needles.extend(name_and_email_needles(
        &sandbox.state().account,
        &sandbox.demo_credentials().username,
    ));
    let support = diagnostics::support_log();
    let mut lines: Vec<String> = support.lines().map(str::to_owned).collect();
    assert!(
        lines.iter().filter(|l| l.contains("errore.prova")).count() >= 10,
        "the recorded errors reach the support log: {support}"
    );
    lines.extend(logs.app_lines());
    for line in &lines {
        let hits = found_in(line.as_bytes(), &log_needles);
        assert!(hits.is_empty(), "{hits:?} in the log line {line}");
    }

    // Logout: no token and no personal data left in any file.
    session.logout().await.unwrap();
    let mut after_needles = needles.clone();
    after_needles.extend(family.iter().cloned());
    let after = scan_dir(dir.path(), &after_needles);
    assert!(after.hits.is_empty(), "after logout: {:?}", after.hits);
    assert!(secrets.keys().is_empty(), "{:?}", secrets.keys());

    let checks = files.comparisons
        + after.comparisons
        + texts.len() * needles.len()
        + targets.len() * url_needles.len()
        + lines.len() * log_needles.len();
    println!(
        "RELIABILITY\tprivacy\t{checks}\tchecks: files scanned {}, secrets {}, 0 found",
        files.files.len() + after.files.len(),
        all.len()
    );
}

/// An error that carries what it must not show, as it leaves the core for an app; the line of
/// the support log it became.
fn recorded_line(probe: &str, carried: &[String]) -> String {
    let text = format!("{probe}: {}", carried.join(" · "));
    diagnostics::record_error("errore.prova", &std::io::Error::other(text));
    let log = diagnostics::support_log();
    let line = log
        .lines()
        .find(|l| l.contains(probe))
        .unwrap_or_else(|| panic!("{probe} not in the support log: {log}"));
    line.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn il_registro_di_diagnostica_maschera_nomi_ed_email() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-diagnostics");
    let (_session, _engine) = synced(&sandbox, &dir, RecordingSecureStore::new(), None).await;
    let account = sandbox.state().account;
    let username = sandbox.demo_credentials().username;
    let mut carried = vec![
        account.parent.email.clone(),
        format!("<{}>", account.parent.email),
        account.parent.email.to_uppercase(),
        format!("{} {}", account.parent.first_name, account.parent.last_name),
        username.clone(),
    ];
    for child in &account.children {
        carried.push(format!("{} {}", child.first_name, child.last_name));
        carried.push(child.first_name.to_uppercase());
    }
    let line = recorded_line("sondadiagnosticanomi", &carried);
    let hits = found_in(
        line.as_bytes(),
        &name_and_email_needles(&account, &username),
    );
    assert!(hits.is_empty(), "{hits:?} in {line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn il_registro_di_diagnostica_maschera_ogni_token() {
    if known_gap("il_registro_di_diagnostica_maschera_ogni_token") {
        return;
    }
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-diagnostics-tokens");
    let secrets = RecordingSecureStore::new();
    let (_session, _engine) = synced(&sandbox, &dir, secrets.clone(), None).await;
    let mut tokens: Vec<Secret> = secrets
        .secrets()
        .into_iter()
        .filter(|s| s.what.ends_with("token"))
        .collect();
    // A token the portal could issue as well as any other (32 random bytes in base64url), that
    // happens to hold fewer than two digits: about one in 170 do.
    let few_digits: String = tokens[0]
        .value
        .chars()
        .enumerate()
        .map(|(i, c)| match c {
            '0'..='9' if i > 0 => (b'a' + (c as u8 - b'0')) as char,
            other => other,
        })
        .collect();
    tokens.push(Secret::new(
        "access token with fewer than two digits",
        &few_digits,
    ));
    let carried: Vec<String> = tokens
        .iter()
        .flat_map(|t| [t.value.clone(), format!("Bearer {}", t.value)])
        .collect();
    let line = recorded_line("sondadiagnosticatoken", &carried);
    let hits = found_in(line.as_bytes(), &secret_needles(&tokens));
    assert!(hits.is_empty(), "{hits:?} in {line}");
}

// ---------------------------------------------------------------------------------------------
// 2. Personal data after logout, removal and a rebuilt cache
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_non_lascia_dati_personali_in_alcun_file() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-logout");
    let secrets = RecordingSecureStore::new();
    let (session, engine) = synced(&sandbox, &dir, secrets.clone(), None).await;
    use_the_app(&sandbox, &session, &engine).await;
    let family = family_needles(&sandbox);
    let before = scan_dir(dir.path(), &family);
    assert!(
        before.hits.len() > 5,
        "the scan sees the cache: {:?}",
        before.hits
    );

    let report = session.logout().await.unwrap();
    assert!(report.revoked_on_portal);
    let mut needles = family.clone();
    needles.extend(secret_needles(&secrets.secrets()));
    let open = scan_dir(dir.path(), &needles);
    assert!(open.hits.is_empty(), "logged out, open: {:?}", open.hits);
    drop(engine);
    drop(session);
    let closed = scan_dir(dir.path(), &needles);
    assert!(
        closed.hits.is_empty(),
        "logged out, closed: {:?}",
        closed.hits
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_senza_rete_non_lascia_dati_personali_in_alcun_file() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-logout-offline");
    let secrets = RecordingSecureStore::new();
    let (session, engine) = synced(&sandbox, &dir, secrets.clone(), None).await;
    use_the_app(&sandbox, &session, &engine).await;
    let mut needles = family_needles(&sandbox);
    assert!(!scan_dir(dir.path(), &needles).hits.is_empty());
    needles.extend(secret_needles(&secrets.secrets()));
    sandbox.shutdown().await;

    let report = session.logout().await.unwrap();
    assert!(!report.revoked_on_portal);
    let scan = scan_dir(dir.path(), &needles);
    assert!(scan.hits.is_empty(), "{:?}", scan.hits);
    assert!(secrets.keys().is_empty());
    drop(engine);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profilo_rimosso_non_lascia_dati_personali_in_alcun_file() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-remove");
    let secrets = RecordingSecureStore::new();
    // A second profile, never logged in, stays.
    drop(open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(Some("vuoto")),
    ));
    let (session, engine) = synced(&sandbox, &dir, secrets.clone(), Some("famiglia")).await;
    use_the_app(&sandbox, &session, &engine).await;
    session.refresh().await.unwrap();
    // What a killed app leaves: the files as they are now, write-ahead log included.
    let killed = snapshot(dir.path());
    drop(engine);
    drop(session);
    restore(&killed);
    let family = family_needles(&sandbox);
    scanner_self_check(&family);
    assert!(!scan_dir(dir.path(), &family).hits.is_empty());

    profiles::remove(dir.path(), "famiglia", secrets.as_ref()).unwrap();
    let mut needles = family;
    needles.extend(secret_needles(&secrets.secrets()));
    let scan = scan_dir(dir.path(), &needles);
    assert!(scan.hits.is_empty(), "{:?}", scan.hits);
    let left = layout(dir.path());
    assert!(
        left.iter().all(|f| !f.contains("famiglia")),
        "files of the removed profile: {left:?}"
    );
    assert!(secrets.keys().iter().all(|k| !k.contains(".famiglia.")));
    let listed: Vec<String> = profiles::list(dir.path(), secrets.as_ref())
        .unwrap()
        .into_iter()
        .map(|p| p.profile_id)
        .collect();
    assert_eq!(listed, ["vuoto"]);
}

/// The files a freshly opened profile has (while open), in a folder of their own.
fn fresh_layout(sandbox: &SandboxHandle, profile: Option<&str>) -> BTreeSet<String> {
    let dir = DataDir::new("privacy-fresh");
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        RecordingSecureStore::new(),
        dev_options(profile),
    );
    let files = layout(dir.path());
    drop(session);
    files
}

const HEADER_JUNK: &[u8] = b"CORRUPT-HEADER-JUNK-0123456789!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archivio_illeggibile_ricostruito_senza_i_dati_del_vecchio() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-junk");
    let secrets = RecordingSecureStore::new();
    // Only a sync: whatever personal data is on disk came from the cache.
    let (session, engine) = synced(&sandbox, &dir, secrets.clone(), None).await;
    session.refresh().await.unwrap();
    let cache = session.store().path().to_owned();
    let family = family_needles(&sandbox);
    let killed = snapshot(dir.path());
    drop(engine);
    drop(session);
    // The app was killed (its write-ahead log left behind, frames of the family's data in it),
    // then the headers were damaged: the cache file's, and its log's (a sound log would hand
    // SQLite a good first page and the file would simply be recovered, not rebuilt).
    restore(&killed);
    let wal = Path::new(&format!("{}-wal", cache.display())).to_owned();
    assert!(
        wal.exists(),
        "the killed app left the cache's write-ahead log"
    );
    for (file, header) in [(&cache, 100), (&wal, 32)] {
        let mut bytes = std::fs::read(file).unwrap();
        for (i, b) in bytes.iter_mut().take(header).enumerate() {
            *b = HEADER_JUNK[i % HEADER_JUNK.len()];
        }
        std::fs::write(file, &bytes).unwrap();
    }
    let mut needles = family.clone();
    needles.push(Needle {
        label: "the corrupt file's header".into(),
        bytes: HEADER_JUNK.to_vec(),
        fold_case: false,
    });
    assert!(
        scan_dir(dir.path(), &family).hits.len() > 5,
        "the damaged files still hold the family's data"
    );

    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    );
    assert!(session.store().was_rebuilt());
    let scan = scan_dir(dir.path(), &needles);
    assert!(scan.hits.is_empty(), "after the rebuild: {:?}", scan.hits);
    assert_eq!(
        layout(dir.path()),
        fresh_layout(&sandbox, None),
        "no backup, marker or log left beside the rebuilt cache"
    );
    // Until the app syncs again.
    session.refresh().await.unwrap();
    assert!(!scan_dir(dir.path(), &family).hits.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archivio_illeggibile_ricostruito_i_pagamenti_restano_senza_i_dati_della_cache() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-junk-records");
    let secrets = RecordingSecureStore::new();
    let (session, engine) = synced(&sandbox, &dir, secrets.clone(), None).await;
    use_the_app(&sandbox, &session, &engine).await;
    let cache = session.store().path().to_owned();
    let history = engine.history().unwrap().len();
    drop(engine);
    drop(session);
    let mut bytes = std::fs::read(&cache).unwrap();
    bytes[..HEADER_JUNK.len()].copy_from_slice(HEADER_JUNK);
    std::fs::write(&cache, &bytes).unwrap();

    let session = Arc::new(open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    ));
    assert!(session.store().was_rebuilt());
    // The top-ups are payment records, not cache: they stay, with the payer's e-mail they were
    // made with. What only the cache held (names, schools, the account) is gone from every file,
    // and the e-mail is in no file of the rebuilt cache's own.
    let engine = RicaricaEngine::new(
        session.clone(),
        ricarica_config(&sandbox, Duration::from_secs(1)),
    )
    .unwrap();
    assert_eq!(engine.history().unwrap().len(), history);
    let family = family_needles(&sandbox);
    let (email, cache_only): (Vec<Needle>, Vec<Needle>) = family
        .into_iter()
        .partition(|n| n.label.starts_with("parent e-mail"));
    let mut needles = cache_only;
    needles.push(Needle {
        label: "the corrupt file's header".into(),
        bytes: HEADER_JUNK.to_vec(),
        fold_case: false,
    });
    let cache_name = cache.display().to_string();
    let mut records_with_email = 0;
    for file in files_under(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        // The parent's names are in the e-mail address: counted only outside it.
        let hits = found_in(&blank_out(&bytes, &email), &needles);
        assert!(hits.is_empty(), "{hits:?} in {}", file.display());
        let with_email = !found_in(&bytes, &email).is_empty();
        if file.display().to_string().starts_with(&cache_name) {
            assert!(!with_email, "the e-mail in the rebuilt {}", file.display());
        }
        records_with_email += usize::from(with_email);
    }
    assert!(
        records_with_email > 0,
        "the records were kept, with their e-mail"
    );
    assert_eq!(layout(dir.path()), fresh_layout(&sandbox, None));
}

const PAGE_DAMAGE: &[u8] = b"DAMAGED-PAGE-MARK-7f3a";

/// `bytes` with page `page` (1-based) overwritten at its start by [`PAGE_DAMAGE`].
fn damage_page(bytes: &[u8], page_size: usize, page: usize) -> Vec<u8> {
    let mut damaged = bytes.to_vec();
    let start = (page - 1) * page_size;
    damaged[start..start + PAGE_DAMAGE.len()].copy_from_slice(PAGE_DAMAGE);
    damaged
}

/// A damage the launch does not notice (the header is sound) but the integrity scan does, on a
/// page holding no personal data, so that the rest of the file still holds it.
fn damage_found_only_by_the_scan(original: &[u8], family: &[Needle]) -> Vec<u8> {
    let page_size = match u16::from_be_bytes([original[16], original[17]]) {
        1 => 65_536,
        size => usize::from(size),
    };
    let pages = original.len() / page_size;
    let probe = DataDir::new("privacy-probe-damage");
    for page in 2..=pages {
        let start = (page - 1) * page_size;
        if !found_in(&original[start..start + page_size], family).is_empty() {
            continue;
        }
        let damaged = damage_page(original, page_size, page);
        let path = probe.path().join(format!("probe-{page}.sqlite3"));
        std::fs::write(&path, &damaged).unwrap();
        let Ok(store) = Store::open(&path) else {
            continue;
        };
        if !store.was_rebuilt() && store.check_integrity().ok() == Some(false) {
            return damaged;
        }
    }
    panic!("no page whose damage only the integrity scan finds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archivio_danneggiato_trovato_in_background_ricostruito_senza_i_dati_del_vecchio() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-damaged");
    let secrets = RecordingSecureStore::new();
    let (session, engine) = synced(&sandbox, &dir, secrets.clone(), None).await;
    let cache = session.store().path().to_owned();
    drop(engine);
    drop(session);
    let family = family_needles(&sandbox);
    let original = std::fs::read(&cache).unwrap();
    assert!(!found_in(&original, &family).is_empty());
    std::fs::write(&cache, damage_found_only_by_the_scan(&original, &family)).unwrap();

    // The launch opens it as it is; the background run finds the damage and marks the file.
    let session = Arc::new(open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    ));
    assert!(!session.store().was_rebuilt());
    let engine = Arc::new(
        RicaricaEngine::new(
            session.clone(),
            ricarica_config(&sandbox, Duration::from_secs(1)),
        )
        .unwrap(),
    );
    match background::run(engine.clone(), Duration::from_secs(10), Utc::now()).await {
        Ok(report) => assert!(report.cache_damaged, "{report:?}"),
        Err(error) => assert_eq!(error.kind(), ErrorKind::Storage, "{error:?}"),
    }
    drop(engine);
    drop(session);
    let mut needles = family.clone();
    needles.push(Needle {
        label: "the damaged page".into(),
        bytes: PAGE_DAMAGE.to_vec(),
        fold_case: false,
    });
    assert!(!scan_dir(dir.path(), &needles).hits.is_empty());

    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    );
    assert!(session.store().was_rebuilt());
    let scan = scan_dir(dir.path(), &needles);
    assert!(scan.hits.is_empty(), "after the rebuild: {:?}", scan.hits);
    assert_eq!(
        layout(dir.path()),
        fresh_layout(&sandbox, None),
        "no backup, marker or log left beside the rebuilt cache"
    );
    assert!(session.is_logged_in().unwrap(), "tokens live outside");
    session.refresh().await.unwrap();
    assert!(!scan_dir(dir.path(), &family).hits.is_empty());
}

// ---------------------------------------------------------------------------------------------
// 3. Transport
// ---------------------------------------------------------------------------------------------

fn comune_at(url: &str, sandbox: bool) -> Comune {
    Comune {
        id: "prova".into(),
        name: "Prova".into(),
        provincia: "AL".into(),
        portal_url: Url::parse(url).unwrap(),
        sandbox,
    }
}

fn is_insecure_url(result: Result<Session, Error>) -> bool {
    match result {
        Err(error @ Error::InsecureUrl { .. }) => {
            error.kind()
                == ErrorKind::InvalidInput {
                    field: "url".into(),
                }
                && error.message_key() == "errore.indirizzo_non_consentito"
        }
        _ => false,
    }
}

#[test]
fn http_in_chiaro_solo_verso_il_loopback_e_solo_in_sviluppo() {
    let secrets: Arc<dyn SecureStore> = RecordingSecureStore::new();
    let non_loopback = [
        "http://portale.example.it/",
        "http://192.168.1.10:8787/",
        "http://10.0.2.3:8787/",
        "http://0.0.0.0:8787/",
        "http://127.0.0.1.nip.io/",
        "http://localhost.evil.example/",
        "http://[::2]:8787/",
        "http://[::ffff:192.168.1.10]/",
    ];
    for url in non_loopback {
        let parsed = Url::parse(url).unwrap();
        for options in [ClientOptions::development(), ClientOptions::default()] {
            assert!(
                matches!(
                    ApiClient::new(parsed.clone(), options),
                    Err(Error::InsecureUrl { .. })
                ),
                "{url}"
            );
        }
        assert!(Comune::sandbox(parsed).is_err(), "{url} as the sandbox");
        let dir = DataDir::new("privacy-http");
        for options in [dev_options(None), release_options(None)] {
            let opened = Session::open(dir.path(), &comune_at(url, true), secrets.clone(), options);
            assert!(is_insecure_url(opened), "{url}");
        }
        assert!(files_under(dir.path()).is_empty(), "{url} wrote a file");
    }
    // Loopback, the Android emulator's alias of the host's loopback included: development only.
    let loopback = [
        "http://127.0.0.1:8787/",
        "http://127.9.9.9/",
        "http://localhost:8787/",
        "http://[::1]:8787/",
        "http://10.0.2.2:8787/",
    ];
    for url in loopback {
        let parsed = Url::parse(url).unwrap();
        assert!(ApiClient::new(parsed.clone(), ClientOptions::development()).is_ok());
        assert!(
            matches!(
                ApiClient::new(parsed, ClientOptions::default()),
                Err(Error::InsecureUrl { .. })
            ),
            "{url} in a release build"
        );
        let dir = DataDir::new("privacy-loopback");
        let release = Session::open(
            dir.path(),
            &comune_at(url, true),
            secrets.clone(),
            release_options(None),
        );
        assert!(is_insecure_url(release), "{url} in a release build");
        assert!(files_under(dir.path()).is_empty());
        assert!(Session::open(
            dir.path(),
            &comune_at(url, true),
            secrets.clone(),
            dev_options(None)
        )
        .is_ok());
    }
    // HTTPS anywhere, in both builds; credentials in the URL never.
    for url in [
        "https://portale.example.it/genitori/",
        "https://127.0.0.1:8443/",
    ] {
        let dir = DataDir::new("privacy-https");
        for options in [dev_options(None), release_options(None)] {
            assert!(
                Session::open(dir.path(), &comune_at(url, false), secrets.clone(), options).is_ok(),
                "{url}"
            );
        }
    }
    for url in [
        "https://utente:segreto@portale.example.it/",
        "ftp://127.0.0.1/",
        "file:///etc/passwd",
    ] {
        for options in [ClientOptions::development(), ClientOptions::default()] {
            assert!(
                ApiClient::new(Url::parse(url).unwrap(), options).is_err(),
                "{url}"
            );
        }
    }

    // The app: a release build never offers the sandbox, a development build keeps it on loopback.
    let dir = DataDir::new("privacy-app");
    let release = App::open(
        dir.path(),
        "sandbox",
        secrets.clone(),
        AppConfig {
            development: false,
            sandbox_url: Some("http://127.0.0.1:8787/".into()),
            ..AppConfig::default()
        },
    );
    assert!(release.is_err());
    let remote = App::open(
        dir.path(),
        "sandbox",
        secrets.clone(),
        AppConfig {
            development: true,
            sandbox_url: Some("http://portale.example.it/".into()),
            ..AppConfig::default()
        },
    );
    assert!(matches!(remote, Err(Error::InsecureUrl { .. })));
    assert!(files_under(dir.path()).is_empty());

    // The checkout's return URLs obey the same rule.
    let dev_session = Arc::new(
        Session::open(
            dir.path(),
            &comune_at("http://127.0.0.1:8787/", true),
            secrets.clone(),
            dev_options(None),
        )
        .unwrap(),
    );
    let release_session = Arc::new(
        Session::open(
            dir.path(),
            &comune_at("https://portale.example.it/", false),
            secrets.clone(),
            release_options(Some("release")),
        )
        .unwrap(),
    );
    let app_link = |base: &str| RicaricaConfig {
        return_urls: ReturnUrlStyle::AppLink {
            base: Url::parse(base).unwrap(),
        },
        ..RicaricaConfig::default()
    };
    let bad = |result: Result<RicaricaEngine, RicaricaError>| {
        matches!(
            result,
            Err(RicaricaError::ReturnUrl(ReturnUrlError::BadConfiguration))
        )
    };
    assert!(bad(RicaricaEngine::new(
        dev_session.clone(),
        app_link("http://app.comunicapp.it/pagopa/return/")
    )));
    assert!(RicaricaEngine::new(
        dev_session,
        app_link("http://127.0.0.1:8787/pagopa/return/")
    )
    .is_ok());
    assert!(bad(RicaricaEngine::new(
        release_session.clone(),
        app_link("http://127.0.0.1:8787/pagopa/return/")
    )));
    assert!(RicaricaEngine::new(release_session, RicaricaConfig::default()).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_in_http_in_chiaro_non_consegnato_al_browser() {
    if known_gap("checkout_in_http_in_chiaro_non_consegnato_al_browser") {
        return;
    }
    // The portal hands out a plain-HTTP checkout link to a host that is not loopback.
    let sandbox = comunicapp_sandbox::start(SandboxConfig {
        public_base_url: Some(Url::parse("http://pagamenti.example.it/").unwrap()),
        ..SandboxConfig::for_tests()
    })
    .await
    .unwrap();
    let dir = DataDir::new("privacy-checkout-http");
    let (session, engine) = synced(&sandbox, &dir, RecordingSecureStore::new(), None).await;
    let submitted = engine
        .submit(&order(
            &session,
            &[(LUCA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await;
    let shown: Vec<Url> = engine
        .history()
        .unwrap()
        .into_iter()
        .filter_map(|v| v.checkout.map(|c| c.checkout_url))
        .chain(
            submitted
                .as_ref()
                .ok()
                .and_then(|v| v.checkout.clone())
                .map(|c| c.checkout_url),
        )
        .collect();
    assert!(
        shown.is_empty(),
        "the core hands the browser {shown:?} (plain HTTP, not loopback): {submitted:?}"
    );
    if let Err(error) = &submitted {
        assert!(!error.message_key().is_empty());
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = format!("{error} | {error:?}");
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(&format!(" | {inner} | {inner:?}"));
        source = inner.source();
    }
    text
}

fn refused_for_its_certificate(error: &Error) -> bool {
    let chain = error_chain(error).to_lowercase();
    matches!(error, Error::Offline(_) | Error::ConnectionLost(_))
        && chain.contains("certificate")
        && chain.contains("unknownissuer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificato_non_attendibile_rifiutato_anche_in_sviluppo() {
    const BEARER: &str = "bearer-that-must-not-leave-the-phone-0123456789";
    let server = untrusted_tls_server().await;
    // Control: a client that trusts this certificate gets the server's answer.
    let trusting = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_der(&untrusted_cert_der()).unwrap())
        .build()
        .unwrap();
    let answer = trusting
        .get(server.url.join("ping").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "{}");
    let received_by_control = server.received.lock().unwrap().len();
    assert!(received_by_control > 0);

    // The portal client, in both builds: refused at the handshake, with a typed error.
    for (build, options) in [
        ("release", release_options(None).client),
        ("development", dev_options(None).client),
    ] {
        let client = ApiClient::new(server.url.clone(), options).unwrap();
        let error = client
            .get_json::<serde_json::Value>("api/v1/balances", &[], BEARER, None)
            .await
            .unwrap_err();
        assert!(refused_for_its_certificate(&error), "{build}: {error:?}");
        assert_eq!(error.kind(), ErrorKind::Offline, "{build}");
        assert!(!error_chain(&error).contains(BEARER));
    }

    // A release session on that server: the code exchange and a refresh are refused the same way.
    let dir = DataDir::new("privacy-tls");
    let secrets = RecordingSecureStore::new();
    let session = Session::open(
        dir.path(),
        &comune_at(server.url.as_str(), false),
        secrets.clone(),
        release_options(Some("tls")),
    )
    .unwrap();
    let state = query(&session.login_start().unwrap(), "state").unwrap();
    let callback = format!(
        "{}?code=a-code-for-nobody&state={state}",
        OAuthConfig::APP_REDIRECT_URI
    );
    let error = session.login_complete(&callback).await.unwrap_err();
    assert!(refused_for_its_certificate(&error), "{error:?}");
    assert!(!session.is_logged_in().unwrap());
    let expires_at = Utc::now().timestamp() + 3600;
    secrets
        .set(
            "comunicapp.tls.tokens",
            &json!({"access_token": BEARER, "refresh_token": "r", "expires_at": expires_at})
                .to_string(),
        )
        .unwrap();
    assert!(session.is_logged_in().unwrap());
    let error = session.refresh().await.unwrap_err();
    assert!(refused_for_its_certificate(&error), "{error:?}");

    // Only the control ever completed a handshake; the core sent the server nothing readable.
    assert_eq!(
        server
            .handshakes_ok
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert!(
        server
            .handshakes_failed
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 4
    );
    assert_eq!(server.received.lock().unwrap().len(), received_by_control);
}

/// The Rust sources under `dir`, with their text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    files_under(dir)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .map(|f| {
            (
                f.display().to_string(),
                std::fs::read_to_string(&f).unwrap(),
            )
        })
        .collect()
}

#[test]
fn nessun_sorgente_disattiva_la_verifica_dei_certificati() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = sources(&root.join("core/src"));
    assert!(files.len() > 20, "core sources found: {}", files.len());
    files.extend(sources(&root.join("bindings/src")));
    let forbidden = [
        "danger_accept_invalid_certs",
        "danger_accept_invalid_hostnames",
        "dangerous",
        "accept_invalid",
        "NoCertificateVerification",
        "ServerCertVerifier",
        "tls_built_in_root_certs(false)",
        "KeyLogFile",
        "SSLKEYLOGFILE",
    ];
    let mut builders = 0;
    for (path, text) in &files {
        for word in forbidden {
            assert!(!text.contains(word), "{path} contains {word}");
        }
        // Outside tests, every HTTP client is built with rustls and HTTPS-only by the policy.
        let is_test_file = path.ends_with("tests.rs") || path.ends_with("proptests.rs");
        if is_test_file {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for shortcut in ["reqwest::Client::new()", "ClientBuilder::new()"] {
            assert!(
                !code.contains(shortcut),
                "{path} builds a client with {shortcut}"
            );
        }
        for (start, _) in code.match_indices("Client::builder()") {
            let statement = &code[start..];
            let statement = &statement[..statement.find(".build()").unwrap_or(statement.len())];
            assert!(
                statement.contains(".use_rustls_tls()") && statement.contains(".https_only("),
                "{path}: a client builder without rustls or https_only: {statement}"
            );
            builders += 1;
        }
    }
    assert!(builders >= 1, "the portal client's builder was found");
}

// ---------------------------------------------------------------------------------------------
// 4. OAuth: PKCE S256 and state
// ---------------------------------------------------------------------------------------------

fn is_base64url(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_di_accesso_con_pkce_s256_e_state_nuovo_a_ogni_accesso() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-pkce");
    let secrets = RecordingSecureStore::new();
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    );
    let mut states = BTreeSet::new();
    let mut challenges = BTreeSet::new();
    for attempt in 0..32 {
        let url = session.login_start().unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let params: BTreeMap<String, String> = pairs.iter().cloned().collect();
        assert_eq!(pairs.len(), params.len(), "a repeated parameter: {url}");
        assert_eq!(params["response_type"], "code");
        assert_eq!(params["client_id"], OAuthConfig::CLIENT_ID);
        assert_eq!(params["redirect_uri"], OAuthConfig::APP_REDIRECT_URI);
        assert_eq!(params["code_challenge_method"], "S256", "{url}");
        let challenge = &params["code_challenge"];
        assert_eq!(challenge.len(), 43, "{challenge}");
        assert!(is_base64url(challenge));
        assert_eq!(URL_SAFE_NO_PAD.decode(challenge).unwrap().len(), 32);
        let state = &params["state"];
        assert!(is_base64url(state), "{state}");
        let entropy = URL_SAFE_NO_PAD.decode(state).map_or(0, |b| b.len() * 8);
        assert!(entropy >= 128, "state of {entropy} bits");
        assert!(!params.contains_key("code_verifier"));
        // The verifier stays on the phone.
        let verifier = secrets.pending_verifier("sandbox").unwrap();
        assert!(!url.as_str().contains(&verifier));
        assert_eq!(
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            *challenge,
            "attempt {attempt}: the challenge is S256 of the stored verifier"
        );
        states.insert(state.clone());
        challenges.insert(challenge.clone());
    }
    assert_eq!(states.len(), 32, "a state repeated");
    assert_eq!(challenges.len(), 32, "a challenge repeated");
    // The portal accepts what the core built: it verifies S256 at the token endpoint.
    login(&session, &sandbox).await;
    assert!(session.is_logged_in().unwrap());
}

fn token_posts(sandbox: &SandboxHandle) -> usize {
    sandbox
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.route == "/oauth/token")
        .count()
}

fn assert_no_tokens(session: &Session, secrets: &RecordingSecureStore, case: &str) {
    assert!(!session.is_logged_in().unwrap(), "{case}");
    assert!(
        secrets.keys().iter().all(|k| !k.ends_with(".tokens")),
        "{case}: {:?}",
        secrets.keys()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_con_state_mancante_o_errato_rifiutato_senza_token() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-state");
    let secrets = RecordingSecureStore::new();
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    );
    let superseded = query(&session.login_start().unwrap(), "state").unwrap();
    let trip = browser_login(&session, &sandbox).await;
    let (code, state) = (trip.code.clone(), trip.state.clone());
    let redirect = OAuthConfig::APP_REDIRECT_URI;
    let cases = [
        ("no state", format!("{redirect}?code={code}")),
        ("empty state", format!("{redirect}?code={code}&state=")),
        (
            "another state",
            format!("{redirect}?code={code}&state=AAAAAAAAAAAAAAAAAAAAAA"),
        ),
        (
            "the state of a login started before",
            format!("{redirect}?code={code}&state={superseded}"),
        ),
        (
            "the state in other letters",
            format!(
                "{redirect}?code={code}&state={}",
                state.to_ascii_uppercase()
            ),
        ),
        (
            "the state and more",
            format!("{redirect}?code={code}&state={state}A"),
        ),
        (
            "the state cut short",
            format!("{redirect}?code={code}&state={}", &state[..state.len() - 1]),
        ),
        (
            "the state in the fragment",
            format!("{redirect}?code={code}#state={state}"),
        ),
        (
            "another path",
            format!("it.comunicapp://oauth/altro?code={code}&state={state}"),
        ),
        (
            "another host",
            format!("https://evil.example/oauth/callback?code={code}&state={state}"),
        ),
    ];
    let posts = token_posts(&sandbox);
    for (case, url) in &cases {
        let error = session.login_complete(url).await.unwrap_err();
        assert!(
            matches!(error, Error::LoginStateMismatch),
            "{case}: {error:?}"
        );
        assert_eq!(error.kind(), ErrorKind::Login);
        assert!(!error_chain(&error).contains(&code), "{case}");
        assert_no_tokens(&session, &secrets, case);
        assert_eq!(token_posts(&sandbox), posts, "{case}: the code was sent");
    }
    let error = session
        .login_complete("non è un indirizzo")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert_no_tokens(&session, &secrets, "not a URL");

    // The pending login survived the refusals: the genuine callback completes, once.
    session
        .login_complete(trip.callback.as_str())
        .await
        .unwrap();
    assert_eq!(token_posts(&sandbox), posts + 1);
    let access = secrets.access_token("sandbox").unwrap();
    let replay = session
        .login_complete(trip.callback.as_str())
        .await
        .unwrap_err();
    assert!(matches!(replay, Error::LoginStateMismatch), "{replay:?}");
    assert_eq!(
        token_posts(&sandbox),
        posts + 1,
        "a replay is not exchanged"
    );
    assert_eq!(secrets.access_token("sandbox").unwrap(), access);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_con_parametri_ripetuti_rifiutato_senza_token() {
    if known_gap("callback_con_parametri_ripetuti_rifiutato_senza_token") {
        return;
    }
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-state-repeated");
    let secrets = RecordingSecureStore::new();
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        dev_options(None),
    );
    let redirect = OAuthConfig::APP_REDIRECT_URI;
    // RFC 6749 §4.1.2 / §3.1: a parameter is never sent twice; a callback that repeats one is not
    // the authorization server's answer (the return URLs are refused for the same reason).
    let repeated: [fn(&str, &str) -> String; 4] = [
        |code, state| format!("?code={code}&state={state}&state={state}"),
        |code, state| format!("?code={code}&state=AAAAAAAAAAAAAAAAAAAAAA&state={state}"),
        |code, state| format!("?code={code}&state={state}&state=AAAAAAAAAAAAAAAAAAAAAA"),
        |code, state| format!("?code=AAAA&code={code}&state={state}"),
    ];
    let mut accepted = Vec::new();
    for query in repeated {
        let trip = browser_login(&session, &sandbox).await;
        let posts = token_posts(&sandbox);
        let url = format!("{redirect}{}", query(&trip.code, &trip.state));
        let outcome = session.login_complete(&url).await;
        let refused = matches!(
            outcome,
            Err(Error::LoginStateMismatch | Error::InvalidInput { .. })
        );
        if !refused || session.is_logged_in().unwrap() || token_posts(&sandbox) != posts {
            accepted.push(format!("{} → {outcome:?}", query("<code>", "<state>")));
        }
        if session.is_logged_in().unwrap() {
            session.logout().await.unwrap();
        }
        assert_no_tokens(&session, &secrets, &url);
    }
    assert!(accepted.is_empty(), "callbacks exchanged: {accepted:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn la_richiesta_del_token_porta_il_code_verifier_e_i_token_viaggiano_solo_dove_devono() {
    let sandbox = portal().await;
    let proxy = recording_proxy(&sandbox.base_url()).await;
    let dir = DataDir::new("privacy-verifier");
    let secrets = RecordingSecureStore::new();
    let session = open(&proxy.url, dir.path(), secrets.clone(), dev_options(None));
    let trip = login(&session, &sandbox).await;

    let requests = proxy.requests();
    let exchanges: Vec<&RawRequest> = requests
        .iter()
        .filter(|r| r.line.starts_with("POST /oauth/token "))
        .collect();
    assert_eq!(exchanges.len(), 1, "{requests:?}");
    let form = exchanges[0].form();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], trip.code);
    assert_eq!(form["redirect_uri"], OAuthConfig::APP_REDIRECT_URI);
    let basic = exchanges[0]
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    assert!(
        form.get("client_id").map(String::as_str) == Some(OAuthConfig::CLIENT_ID)
            || basic.is_some_and(|b| b.starts_with(&format!("{}:", OAuthConfig::CLIENT_ID))),
        "{form:?}"
    );
    let verifier = form.get("code_verifier").expect("code_verifier sent");
    assert!((43..=128).contains(&verifier.len()), "{verifier}");
    assert!(verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        query(&trip.authorize, "code_challenge").unwrap()
    );
    assert!(!trip.authorize.as_str().contains(verifier.as_str()));
    for other in requests
        .iter()
        .filter(|r| !r.line.starts_with("POST /oauth/token "))
    {
        let wire = format!(
            "{} {:?} {}",
            other.line,
            other.headers,
            String::from_utf8_lossy(&other.body)
        );
        assert!(
            !wire.contains(verifier.as_str()),
            "the verifier in {}",
            other.line
        );
    }

    // Use, a refresh by rotation, logout: where each token travels.
    session.refresh().await.unwrap();
    sandbox.advance_clock(sandbox.config().access_token_ttl + Duration::from_secs(1));
    session.refresh().await.unwrap();
    assert!(session.logout().await.unwrap().revoked_on_portal);
    let requests = proxy.requests();
    let all = secrets.secrets();
    let rotated = all.iter().filter(|s| s.what == "refresh token").count();
    assert!(rotated >= 2, "{all:?}");
    for secret in all
        .iter()
        .filter(|s| s.what == "access token" || s.what == "refresh token")
    {
        let mut seen = 0;
        for request in &requests {
            assert!(
                !request.line.contains(&secret.value),
                "{} in the request line {}",
                secret.what,
                request.line
            );
            let in_header = request
                .headers
                .iter()
                .filter(|(_, v)| v.contains(&secret.value))
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect::<Vec<_>>();
            let in_body = String::from_utf8_lossy(&request.body).contains(&secret.value);
            match secret.what {
                "access token" => {
                    for (name, value) in &in_header {
                        assert_eq!(name, "authorization");
                        assert_eq!(*value, format!("Bearer {}", secret.value));
                    }
                    if in_body {
                        assert!(request.line.starts_with("POST /oauth/revoke "));
                    }
                }
                _ => {
                    assert!(in_header.is_empty(), "refresh token in a header");
                    if in_body {
                        assert!(
                            request.line.starts_with("POST /oauth/token ")
                                || request.line.starts_with("POST /oauth/revoke "),
                            "refresh token sent to {}",
                            request.line
                        );
                    }
                }
            }
            seen += in_header.len() + usize::from(in_body);
        }
        assert!(
            seen > 0,
            "{} never travelled: the proxy saw nothing",
            secret.what
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Return URLs prove nothing
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn il_ritorno_ok_senza_pagamento_non_segna_pagata_la_ricarica() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-return-ok");
    let secrets = RecordingSecureStore::new();
    let (session, _) = synced(&sandbox, &dir, secrets, None).await;
    let engine = RicaricaEngine::new(
        session.clone(),
        ricarica_config(&sandbox, Duration::from_millis(300)),
    )
    .unwrap();
    let before = balance(&sandbox, LUCA, REFEZIONE);
    let receipts = sandbox.state().receipts.len();
    let not_paid = |view: &comunicapp_core::ricarica::RicaricaView| {
        !matches!(
            view.step,
            RicaricaStep::PaidAwaitingRegistration | RicaricaStep::Registered
        ) && view.message != copy::PAGAMENTO_RICEVUTO
            && view.message != copy::RICARICA_REGISTRATA
    };

    let view = engine
        .submit(&order(
            &session,
            &[(LUCA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let launch = view.checkout.clone().unwrap();
    // The genuine OK URL, with the checkout never paid (a link opened by hand, a shared URL…).
    let back = engine
        .handle_return_url(launch.return_urls.ok.as_str())
        .await
        .unwrap();
    assert!(not_paid(&back), "{back:?}");
    assert_eq!(back.step, RicaricaStep::Returned);
    assert!(!back.settled);
    assert_eq!(
        sandbox.state().ricariche[0].status,
        RicaricaStatus::AwaitingPayment
    );

    // With the portal unreachable the URL is all there is: still not paid.
    add_fault(
        &sandbox,
        "GET /api/v1/ricariche/{id}",
        json!({"kind": "status", "code": 503}),
        20,
    )
    .await;
    let offline = engine.resume_pending().await.unwrap();
    let offline = offline
        .iter()
        .find(|v| v.local_id == view.local_id)
        .unwrap();
    assert!(not_paid(offline), "{offline:?}");
    assert!(offline.error_key.is_some());
    clear_faults(&sandbox).await;

    // The checkout session ends unpaid: the portal's word settles it.
    sandbox.advance_clock(sandbox.config().checkout_session_ttl + Duration::from_secs(60));
    let settled = engine.resume_pending().await.unwrap();
    let settled = settled
        .iter()
        .find(|v| v.local_id == view.local_id)
        .unwrap();
    assert_eq!(settled.step, RicaricaStep::Expired, "{settled:?}");
    assert!(settled.settled && not_paid(settled));
    assert_eq!(balance(&sandbox, LUCA, REFEZIONE), before);
    assert_eq!(sandbox.state().receipts.len(), receipts);

    // The other way round: paid at the checkout, the browser sent to the cancel URL: paid.
    let second = engine
        .submit(&order(
            &session,
            &[(GIULIA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let launch = second.checkout.clone().unwrap();
    press(&launch.checkout_url, "pay").await;
    let back = engine
        .handle_return_url(launch.return_urls.cancel.as_str())
        .await
        .unwrap();
    assert_eq!(
        back.step,
        RicaricaStep::PaidAwaitingRegistration,
        "{back:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ritorni_contraffatti_o_ripetuti_rifiutati_senza_toccare_nulla() {
    let sandbox = portal().await;
    let dir = DataDir::new("privacy-return-forged");
    let secrets = RecordingSecureStore::new();
    let (session, engine) = synced(&sandbox, &dir, secrets, None).await;
    let a = engine
        .submit(&order(
            &session,
            &[(LUCA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let b = engine
        .submit(&order(
            &session,
            &[(SOFIA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let a_urls = a.checkout.clone().unwrap().return_urls;
    let b_urls = b.checkout.clone().unwrap().return_urls;
    let a_state = query(&a_urls.ok, "state").unwrap();
    let b_state = query(&b_urls.ok, "state").unwrap();
    let (a_id, a_secret) = a_state.split_once('.').unwrap();
    let (b_id, b_secret) = b_state.split_once('.').unwrap();
    let mut flipped = a_secret.as_bytes().to_vec();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let with_state = |state: &str| {
        let mut url = a_urls.ok.clone();
        url.set_query(Some(&format!("state={state}")));
        url.to_string()
    };
    let forged = |e: &RicaricaError| matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Forged));
    let foreign =
        |e: &RicaricaError| matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Foreign));
    let malformed =
        |e: &RicaricaError| matches!(e, RicaricaError::ReturnUrl(ReturnUrlError::Malformed));
    type Check = fn(&RicaricaError) -> bool;
    let cases: Vec<(&str, String, Check)> = vec![
        (
            "A with a flipped secret",
            with_state(&format!("{a_id}.{flipped}")),
            forged,
        ),
        (
            "A with B's secret",
            with_state(&format!("{a_id}.{b_secret}")),
            forged,
        ),
        (
            "B with A's secret",
            with_state(&format!("{b_id}.{a_secret}")),
            forged,
        ),
        (
            "a top-up that does not exist",
            with_state("r0000000000000000.AAAAAAAAAAAAAAAAAAAAAA"),
            forged,
        ),
        (
            "an outcome appended",
            format!("{}&esito=pagato", a_urls.ok),
            malformed,
        ),
        (
            "the state twice",
            format!("{}&state={a_state}", a_urls.ok),
            malformed,
        ),
        ("no state", with_state("").replace("?state=", ""), malformed),
        ("only the id", with_state(a_id), malformed),
        (
            "another host",
            a_urls.ok.as_str().replace("127.0.0.1", "evil.example"),
            foreign,
        ),
        (
            "https instead",
            a_urls.ok.as_str().replace("http://", "https://"),
            foreign,
        ),
        (
            "a path of its own",
            a_urls.ok.as_str().replace("/return/ok", "/return/pagato"),
            foreign,
        ),
        ("a fragment", format!("{}#pagato", a_urls.ok), foreign),
        (
            "the custom scheme",
            format!("it.comunicapp://pagopa/return/ok?state={a_state}"),
            foreign,
        ),
    ];
    let stored = |id: &str| session.store().ricarica(id).unwrap().unwrap();
    let (a_before, b_before) = (stored(&a.local_id), stored(&b.local_id));
    let portal_before = sandbox.state().ricariche;
    for (case, url, expected) in &cases {
        let error = engine.handle_return_url(url).await.unwrap_err();
        assert!(expected(&error), "{case} ({url}): {error:?}");
        assert!(error.message_key().starts_with("ricarica.ritorno_"));
        assert_eq!(stored(&a.local_id), a_before, "{case} changed A");
        assert_eq!(stored(&b.local_id), b_before, "{case} changed B");
    }
    let statuses = |list: &[comunicapp_sandbox::wire::Ricarica]| {
        list.iter().map(|r| r.status).collect::<Vec<_>>()
    };
    assert_eq!(
        statuses(&sandbox.state().ricariche),
        statuses(&portal_before)
    );

    // A paid for real: its genuine URL works once; a replay, or its cancel URL, changes nothing.
    let back = press(&a.checkout.clone().unwrap().checkout_url, "pay").await;
    assert_eq!(back, a_urls.ok.as_str());
    let paid = engine.handle_return_url(&back).await.unwrap();
    assert_eq!(paid.step, RicaricaStep::PaidAwaitingRegistration);
    let after_pay = stored(&a.local_id);
    for again in [
        a_urls.ok.as_str(),
        a_urls.cancel.as_str(),
        a_urls.error.as_str(),
    ] {
        let error = engine.handle_return_url(again).await.unwrap_err();
        assert!(
            matches!(&error, RicaricaError::ReturnUrl(ReturnUrlError::Replayed { local_id }) if *local_id == a.local_id),
            "{again}: {error:?}"
        );
        assert_eq!(stored(&a.local_id), after_pay);
    }
    assert_eq!(
        engine.get(&b.local_id).unwrap().unwrap().step,
        RicaricaStep::InCheckout
    );
}
