//! What the core's end-to-end stories share: a sandbox, a data folder, a logged-in session, and
//! the sandbox's admin knobs (faults, request log).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::api::{ClientOptions, RetryPolicy};
use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::comuni::Comune;
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle};
use serde_json::{json, Value};
use url::Url;

pub async fn sandbox() -> SandboxHandle {
    start(SandboxConfig::for_tests())
        .await
        .expect("sandbox starts")
}

/// A fresh folder for one test's caches; removed when dropped.
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-core-e2e-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        DataDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Development options with short timeouts, so fault stories stay quick.
pub fn quick_options(profile: Option<&str>) -> SessionOptions {
    SessionOptions {
        client: ClientOptions {
            allow_loopback_http: true,
            connect_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_millis(700),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(100),
                max_retry_after: Duration::from_secs(2),
            },
        },
        profile: profile.map(str::to_owned),
        // Shorter than the sandbox's token life, so that expiry shows up as the portal's 401.
        refresh_margin: Duration::from_secs(5),
        ..SessionOptions::development()
    }
}

pub fn open(
    sandbox_url: &Url,
    data_dir: &Path,
    secrets: Arc<MemorySecureStore>,
    options: SessionOptions,
) -> Session {
    let comune = Comune::sandbox(sandbox_url.clone()).expect("sandbox comune");
    let secrets: Arc<dyn SecureStore> = secrets;
    Session::open(data_dir, &comune, secrets, options).expect("session opens")
}

/// The parent's trip through the browser: the login page, the form POST, and the redirect
/// back to the app, handed to the core as the app would.
pub async fn login(session: &Session, sandbox: &SandboxHandle) {
    let authorize = session.login_start().expect("login url");
    let callback = submit_login_form(&authorize, sandbox).await;
    session
        .login_complete(callback.as_str())
        .await
        .expect("login completes");
}

/// Fills in the sandbox's login form for `authorize`; returns where the browser is sent.
pub async fn submit_login_form(authorize: &Url, sandbox: &SandboxHandle) -> Url {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let page = browser
        .get(authorize.clone())
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), 200, "the login page opens");
    let credentials = sandbox.demo_credentials();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), credentials.username));
    form.push(("password".into(), credentials.password));
    let action = sandbox.base_url().join("oauth/authorize").expect("url");
    let answer = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .expect("form post");
    assert_eq!(answer.status(), 302, "the login form redirects to the app");
    let location = answer.headers()["location"].to_str().expect("location");
    Url::parse(location).expect("callback url")
}

pub type RequestLog = BTreeMap<String, BTreeMap<String, u64>>;

pub async fn requests(sandbox: &SandboxHandle) -> RequestLog {
    let url = sandbox.base_url().join("admin/requests").expect("url");
    reqwest::get(url)
        .await
        .expect("request log")
        .json()
        .await
        .expect("request log json")
}

/// Requests per route and outcome between two snapshots of the log.
pub fn delta(before: &RequestLog, after: &RequestLog) -> RequestLog {
    let mut delta = RequestLog::new();
    for (route, outcomes) in after {
        for (outcome, count) in outcomes {
            let was = before
                .get(route)
                .and_then(|o| o.get(outcome))
                .copied()
                .unwrap_or(0);
            if *count > was {
                delta
                    .entry(route.clone())
                    .or_default()
                    .insert(outcome.clone(), count - was);
            }
        }
    }
    delta
}

pub async fn add_fault(sandbox: &SandboxHandle, route: &str, kind: Value, count: u32) {
    let mut rule = kind;
    rule["route"] = json!(route);
    rule["count"] = json!(count);
    let url = sandbox.base_url().join("admin/faults").expect("url");
    let answer = reqwest::Client::new()
        .post(url)
        .json(&rule)
        .send()
        .await
        .expect("add fault");
    assert!(answer.status().is_success(), "fault accepted: {rule}");
}

pub async fn clear_faults(sandbox: &SandboxHandle) {
    let url = sandbox.base_url().join("admin/faults").expect("url");
    let answer = reqwest::Client::new()
        .delete(url)
        .send()
        .await
        .expect("clear faults");
    assert!(answer.status().is_success());
}

/// Every balance the sandbox holds, as `(child, service) → cents`.
pub fn sandbox_balances(sandbox: &SandboxHandle) -> BTreeMap<(String, String), i64> {
    sandbox
        .state()
        .balances
        .balances
        .into_iter()
        .map(|b| ((b.child_id, b.service_code), b.balance_cents))
        .collect()
}

/// Every balance the Saldo view shows, in the same shape.
pub fn shown_balances(session: &Session) -> BTreeMap<(String, String), i64> {
    session
        .saldo()
        .expect("saldo")
        .children
        .into_iter()
        .flat_map(|child| {
            child
                .services
                .into_iter()
                .map(move |s| ((child.child_id.clone(), s.service_code), s.balance_cents))
        })
        .collect()
}
