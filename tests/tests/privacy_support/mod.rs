//! What the privacy-and-security checks share: a secure store that remembers every secret the
//! core gave it, the byte scanner for a data folder, the seeded parent's personal data as search
//! needles, error and log capture, a TLS server nobody trusts, and a proxy that records what the
//! core sends on the wire.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use comunicapp_core::api::{ClientOptions, RetryPolicy};
use comunicapp_core::auth::{MemorySecureStore, SecureStore, SecureStoreError};
use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::comuni::Comune;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::ricarica::{
    AmountChoice, Order, PaymentMode, PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEvent,
    RicaricaState,
};
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::wire::Account;
use comunicapp_sandbox::SandboxHandle;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

// ---------------------------------------------------------------------------------------------
// The secure store
// ---------------------------------------------------------------------------------------------

/// The tests' stand-in for the Keychain / Keystore: a [`MemorySecureStore`] that also remembers
/// every value ever written, so that tokens rotated away are searched for as well.
#[derive(Default)]
pub struct RecordingSecureStore {
    inner: MemorySecureStore,
    written: Mutex<Vec<(String, String)>>,
}

impl RecordingSecureStore {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn keys(&self) -> Vec<String> {
        self.inner.keys()
    }

    /// Every secret the core stored so far: access and refresh tokens, and the PKCE verifier and
    /// `state` of each login started.
    pub fn secrets(&self) -> Vec<Secret> {
        let written = self.written.lock().unwrap().clone();
        let mut found = BTreeSet::new();
        for (key, value) in written {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&value) else {
                // Not JSON: the whole value is the secret.
                found.insert(Secret::new("secure store value", &value));
                continue;
            };
            let fields: &[(&str, &'static str)] = if key.ends_with(".tokens") {
                &[
                    ("access_token", "access token"),
                    ("refresh_token", "refresh token"),
                ]
            } else if key.ends_with(".pending_login") {
                &[("verifier", "PKCE code verifier"), ("state", "OAuth state")]
            } else {
                &[]
            };
            let mut any = false;
            for (field, what) in fields {
                if let Some(text) = json.get(*field).and_then(|v| v.as_str()) {
                    found.insert(Secret::new(what, text));
                    any = true;
                }
            }
            assert!(
                any,
                "a secret of an unknown shape under {key}: update the test"
            );
        }
        found.into_iter().collect()
    }

    /// The PKCE verifier of the login `profile` has pending.
    pub fn pending_verifier(&self, profile: &str) -> Option<String> {
        let json = self
            .inner
            .get(&format!("comunicapp.{profile}.pending_login"))
            .unwrap()?;
        let value: serde_json::Value = serde_json::from_str(&json).ok()?;
        value["verifier"].as_str().map(str::to_owned)
    }

    /// The current access token of `profile`, if logged in.
    pub fn access_token(&self, profile: &str) -> Option<String> {
        let json = self
            .inner
            .get(&format!("comunicapp.{profile}.tokens"))
            .unwrap()?;
        let value: serde_json::Value = serde_json::from_str(&json).ok()?;
        value["access_token"].as_str().map(str::to_owned)
    }
}

impl SecureStore for RecordingSecureStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecureStoreError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecureStoreError> {
        self.written
            .lock()
            .unwrap()
            .push((key.to_owned(), value.to_owned()));
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), SecureStoreError> {
        self.inner.delete(key)
    }
}

/// A secret value and what it is (the label is what a failure shows, never the value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Secret {
    pub what: &'static str,
    pub value: String,
}

impl Secret {
    pub fn new(what: &'static str, value: &str) -> Self {
        Secret {
            what,
            value: value.to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Needles and the byte scanner
// ---------------------------------------------------------------------------------------------

/// One byte string to look for, with what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Needle {
    pub label: String,
    pub bytes: Vec<u8>,
    /// ASCII case folded on both sides (names, e-mails).
    pub fold_case: bool,
}

fn push_needle(needles: &mut BTreeSet<Needle>, label: String, bytes: Vec<u8>, fold_case: bool) {
    if bytes.len() < 4 {
        return;
    }
    let bytes = if fold_case {
        bytes.to_ascii_lowercase()
    } else {
        bytes
    };
    needles.insert(Needle {
        label,
        bytes,
        fold_case,
    });
}

/// A secret in every form it could be written in: plain (what JSON, a header or a form holds for
/// these base64url values), percent-encoded, base64 (both alphabets, padded or not), hex, and its
/// first and last 16 characters (a "masked" value that shows too much).
pub fn secret_needles(secrets: &[Secret]) -> Vec<Needle> {
    let mut needles = BTreeSet::new();
    for secret in secrets {
        let value = secret.value.as_bytes();
        let what = secret.what;
        push_needle(
            &mut needles,
            format!("{what} (plain)"),
            value.to_vec(),
            false,
        );
        let percent: String = url::form_urlencoded::byte_serialize(value).collect();
        push_needle(
            &mut needles,
            format!("{what} (percent-encoded)"),
            percent.into_bytes(),
            false,
        );
        for (name, engine) in [
            ("base64", &STANDARD),
            ("base64 unpadded", &STANDARD_NO_PAD),
            ("base64url", &URL_SAFE),
            ("base64url unpadded", &URL_SAFE_NO_PAD),
        ] {
            push_needle(
                &mut needles,
                format!("{what} ({name})"),
                engine.encode(value).into_bytes(),
                false,
            );
        }
        let hex: String = value.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        push_needle(
            &mut needles,
            format!("{what} (hex)"),
            hex.into_bytes(),
            true,
        );
        if value.len() >= 24 {
            push_needle(
                &mut needles,
                format!("{what} (first 16 characters)"),
                value[..16].to_vec(),
                false,
            );
            push_needle(
                &mut needles,
                format!("{what} (last 16 characters)"),
                value[value.len() - 16..].to_vec(),
                false,
            );
        }
    }
    needles.into_iter().collect()
}

/// The seeded family's personal data, from the sandbox's account: each child's first name, full
/// name and school (and the school's longer words), the parent's names, e-mail (plain,
/// percent-encoded, its local part), user name and id.
pub fn personal_needles(account: &Account, username: &str) -> Vec<Needle> {
    let mut needles = BTreeSet::new();
    let mut text = |label: String, value: &str| {
        push_needle(&mut needles, label.clone(), value.as_bytes().to_vec(), true);
        // JSON escapes quotes (the school names carry them).
        let escaped = serde_json::to_string(value).unwrap();
        let escaped = &escaped[1..escaped.len() - 1];
        push_needle(
            &mut needles,
            format!("{label} (JSON)"),
            escaped.as_bytes().to_vec(),
            true,
        );
    };
    for child in &account.children {
        let who = format!("child {}", child.id);
        text(format!("{who} first name"), &child.first_name);
        text(
            format!("{who} full name"),
            &format!("{} {}", child.first_name, child.last_name),
        );
        text(format!("{who} school"), &child.school);
        for word in child
            .school
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 6)
        {
            text(format!("{who} school word"), word);
        }
    }
    let parent = &account.parent;
    text("parent first name".into(), &parent.first_name);
    text("parent last name".into(), &parent.last_name);
    text(
        "parent full name".into(),
        &format!("{} {}", parent.first_name, parent.last_name),
    );
    text("parent id".into(), &parent.id);
    text("parent e-mail".into(), &parent.email);
    let percent: String = url::form_urlencoded::byte_serialize(parent.email.as_bytes()).collect();
    text("parent e-mail (percent-encoded)".into(), &percent);
    if let Some((local, _)) = parent.email.split_once('@') {
        text("parent e-mail local part".into(), local);
    }
    text("parent user name".into(), username);
    needles.into_iter().collect()
}

/// The part of [`personal_needles`] the log must mask: names, e-mails and the user name.
pub fn name_and_email_needles(account: &Account, username: &str) -> Vec<Needle> {
    personal_needles(account, username)
        .into_iter()
        .filter(|n| !n.label.contains("school") && !n.label.starts_with("parent id"))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The labels of the needles found in `haystack`.
pub fn found_in(haystack: &[u8], needles: &[Needle]) -> Vec<String> {
    let folded = haystack.to_ascii_lowercase();
    needles
        .iter()
        .filter(|n| {
            if n.fold_case {
                contains(&folded, &n.bytes)
            } else {
                contains(haystack, &n.bytes)
            }
        })
        .map(|n| n.label.clone())
        .collect()
}

/// `haystack` with every occurrence of `allowed` blanked out, so that a needle found inside an
/// allowed value (a name inside the e-mail address) is not counted.
pub fn blank_out(haystack: &[u8], allowed: &[Needle]) -> Vec<u8> {
    let mut blanked = haystack.to_vec();
    let mut folded = haystack.to_ascii_lowercase();
    for needle in allowed {
        let n = needle.bytes.len();
        let mut at = 0;
        while at + n <= folded.len() {
            let here = if needle.fold_case {
                &folded[at..at + n]
            } else {
                &blanked[at..at + n]
            };
            if here == &needle.bytes[..] {
                folded[at..at + n].fill(b'#');
                blanked[at..at + n].fill(b'#');
                at += n;
            } else {
                at += 1;
            }
        }
    }
    blanked
}

/// What a scan of a folder saw.
#[derive(Debug, Default)]
pub struct Scan {
    pub files: Vec<PathBuf>,
    pub bytes: usize,
    /// `file: needle` for each needle found in a file's bytes or its name.
    pub hits: Vec<String>,
    /// Files × needles compared.
    pub comparisons: usize,
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

/// Reads the raw bytes of every file under `dir` (whatever its name: the layout may grow) and
/// looks for every needle in them and in the file names.
pub fn scan_dir(dir: &Path, needles: &[Needle]) -> Scan {
    let mut scan = Scan::default();
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let shown = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        for label in found_in(&bytes, needles) {
            scan.hits.push(format!("{shown}: {label}"));
        }
        for label in found_in(shown.as_bytes(), needles) {
            scan.hits.push(format!("{shown} (file name): {label}"));
        }
        scan.bytes += bytes.len();
        scan.comparisons += needles.len();
        scan.files.push(file);
    }
    scan
}

/// The relative names of the files under `dir`.
pub fn layout(dir: &Path) -> BTreeSet<String> {
    files_under(dir)
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

/// Every file under `dir` with its bytes: what a killed app leaves on disk at this moment.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .filter_map(|f| std::fs::read(&f).ok().map(|bytes| (f, bytes)))
        .collect()
}

pub fn restore(files: &BTreeMap<PathBuf, Vec<u8>>) {
    for (path, bytes) in files {
        std::fs::write(path, bytes).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and logs
// ---------------------------------------------------------------------------------------------

/// Every error message seen along a run: `Display`, `Debug`, and the same for each source.
#[derive(Default)]
pub struct Messages(Mutex<Vec<String>>);

impl Messages {
    /// Also hands the error to the core's diagnostics log, as the bindings do with every error
    /// leaving the core.
    pub fn error<E: std::error::Error>(&self, context: &str, error: &E) {
        comunicapp_core::diagnostics::record_error("errore.prova", error);
        let mut texts = vec![
            format!("{context}: {error}"),
            format!("{context}: {error:?}"),
        ];
        let mut source = error.source();
        while let Some(inner) = source {
            texts.push(format!("{context} (source): {inner}"));
            texts.push(format!("{context} (source): {inner:?}"));
            source = inner.source();
        }
        self.0.lock().unwrap().extend(texts);
    }

    pub fn text(&self, context: &str, text: &str) {
        self.0.lock().unwrap().push(format!("{context}: {text}"));
    }

    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// What the app's process logged through the `log` facade (the HTTP stack under the core), as
/// `target: message` lines. The core's own `tracing` log is its diagnostics buffer
/// (`comunicapp_core::diagnostics`), which installs the process's subscriber itself; this does
/// not compete with it. Installed once for the whole test binary; every test checks the lines
/// against its own needles.
pub struct LogCapture {
    lines: Mutex<Vec<(String, String)>>,
}

static CAPTURE: OnceLock<&'static LogCapture> = OnceLock::new();

pub fn log_capture() -> &'static LogCapture {
    CAPTURE.get_or_init(|| {
        let capture: &'static LogCapture = Box::leak(Box::new(LogCapture {
            lines: Mutex::new(Vec::new()),
        }));
        let _ = log::set_logger(Box::leak(Box::new(LogForward(capture))));
        log::set_max_level(log::LevelFilter::Trace);
        capture
    })
}

impl LogCapture {
    fn push(&self, target: &str, message: String) {
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((target.to_owned(), message));
    }

    /// Lines from the app side: the sandbox portal runs in the same process and is left out
    /// (its own targets and the server framework's).
    pub fn app_lines(&self) -> Vec<String> {
        const SERVER: [&str; 4] = ["comunicapp_sandbox", "axum", "tower", "tower_http"];
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(target, _)| !SERVER.iter().any(|s| target.starts_with(s)))
            .map(|(target, message)| format!("{target}: {message}"))
            .collect()
    }
}

struct LogForward(&'static LogCapture);

impl log::Log for LogForward {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        self.0.push(record.target(), record.args().to_string());
    }
    fn flush(&self) {}
}

// ---------------------------------------------------------------------------------------------
// The app side: sessions, login, the ricarica flow
// ---------------------------------------------------------------------------------------------

/// Development options (loopback HTTP) with short timeouts and quick retries.
pub fn dev_options(profile: Option<&str>) -> SessionOptions {
    SessionOptions {
        client: ClientOptions {
            connect_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_millis(1500),
            retry: quick_retry(),
            ..ClientOptions::development()
        },
        profile: profile.map(str::to_owned),
        refresh_margin: Duration::from_secs(5),
        ..SessionOptions::development()
    }
}

/// Release options, with only the timings shortened.
pub fn release_options(profile: Option<&str>) -> SessionOptions {
    SessionOptions {
        client: ClientOptions {
            connect_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_millis(1500),
            retry: quick_retry(),
            ..ClientOptions::default()
        },
        profile: profile.map(str::to_owned),
        ..SessionOptions::default()
    }
}

pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
    }
}

pub fn open(
    portal: &Url,
    data_dir: &Path,
    secrets: Arc<dyn SecureStore>,
    options: SessionOptions,
) -> Session {
    let comune = Comune::sandbox(portal.clone()).expect("sandbox comune");
    Session::open(data_dir, &comune, secrets, options).expect("session opens")
}

/// One trip through the browser login, with what it carried.
pub struct LoginTrip {
    pub authorize: Url,
    pub callback: Url,
    pub state: String,
    pub code: String,
}

pub fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The sandbox's login form filled in for the core's authorization URL; the callback is not yet
/// handed to the core.
pub async fn browser_login(session: &Session, sandbox: &SandboxHandle) -> LoginTrip {
    let authorize = session.login_start().expect("login url");
    let callback = crate::core_support::submit_login_form(&authorize, sandbox).await;
    LoginTrip {
        state: query(&authorize, "state").expect("state"),
        code: query(&callback, "code").expect("code"),
        authorize,
        callback,
    }
}

pub async fn login(session: &Session, sandbox: &SandboxHandle) -> LoginTrip {
    let trip = browser_login(session, sandbox).await;
    session
        .login_complete(trip.callback.as_str())
        .await
        .expect("login completes");
    trip
}

/// Return URLs on loopback as a development build may use, and quick polling.
pub fn ricarica_config(sandbox: &SandboxHandle, poll_budget: Duration) -> RicaricaConfig {
    RicaricaConfig {
        return_urls: ReturnUrlStyle::AppLink {
            base: Url::parse(&format!(
                "http://127.0.0.1:{}/pagopa/return/",
                sandbox.port()
            ))
            .unwrap(),
        },
        poll: PollPolicy {
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            budget: poll_budget,
        },
    }
}

/// The parent's taps up to the riepilogo: for each (child, service, euro) a preset amount and the
/// service, then the e-mail check and the mode.
pub fn order(session: &Session, items: &[(&str, &str, i64)], mode: PaymentMode) -> Order {
    let ente = EnteConfig::from_portal(session.ente().unwrap().expect("ente cached"))
        .expect("valid catalog");
    let mut state = RicaricaState::new();
    for (child, service, euro) in items {
        state = state
            .apply(RicaricaEvent::ChooseAmount {
                choice: AmountChoice::Preset(Amount::from_cents(euro * 100)),
            })
            .unwrap()
            .apply(RicaricaEvent::AddItem {
                child_id: (*child).to_owned(),
                service: ente.service(service).expect("service").clone(),
            })
            .unwrap();
    }
    let email = session.account().unwrap().unwrap().parent.email;
    let state = state
        .apply(RicaricaEvent::ConfirmCart {
            payer_email: Email::parse(&email).unwrap(),
        })
        .unwrap()
        .apply(RicaricaEvent::ConfirmEmail)
        .unwrap()
        .apply(RicaricaEvent::ChooseMode { mode })
        .unwrap();
    match state {
        RicaricaState::Riepilogo { order } => order,
        other => panic!("not at the riepilogo: {other:?}"),
    }
}

/// The payer presses a button of the checkout page; the answer is where the checkout sends the
/// browser (not followed).
pub async fn press(checkout_url: &Url, button: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(checkout_url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the checkout page opens");
    let action = Url::parse(&format!("{checkout_url}/{button}")).unwrap();
    let answer = browser.post(action).send().await.unwrap();
    assert_eq!(answer.status(), 303, "the checkout sends the browser back");
    answer.headers()["location"].to_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------
// A TLS server nobody trusts
// ---------------------------------------------------------------------------------------------

/// A self-signed certificate for 127.0.0.1 and localhost, valid 2000–2999, end entity (CA:FALSE,
/// serverAuth): refused by a verifying client only because no trusted root issued it.
const UNTRUSTED_CERT_DER: &str = "MIIBnDCCAUOgAwIBAgIUOVghClM7Pfr1HkYH42S7RH/qNqowCgYIKoZIzj0EAwIwJDEiMCAGA1UEAwwZY29tdW5pY2FwcC11bnRydXN0ZWQtdGVzdDAgFw0wMDAxMDEwMDAwMDBaGA8yOTk5MTIzMTAwMDAwMFowJDEiMCAGA1UEAwwZY29tdW5pY2FwcC11bnRydXN0ZWQtdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEhFfAkjc5Km7a7JvSNlSHlsCKa7n5q3AQBosARbjsX55JJ6SbdjyOb7lKRgBW0vIUUybz6XmZhsFJdYc0FDKaWjUTBPMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAKBggqhkjOPQQDAgNHADBEAiA3SA5P2HNOo3SCdOze3b1VcI7Pt9NEtZxEulJPMu1fmgIgFRYbbUewTw+rdDIquUWl3SmOW+GTohefLxTkU9AnUCM=";
/// Its P-256 key, PKCS#8; made for these tests and used nowhere else.
const UNTRUSTED_KEY_DER: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjAqsZt0m5Fvki2OEPW9D4CK2ilGeS6PIHd7GQ6lTT5ChRANCAARIRXwJI3OSpu2uyb0jZUh5bAimu5+atwEAaLAEW47F+eSSekm3Y8jm+5SkYAVtLyFFMm8+l5mYbBSXWHNBQyml";

pub fn untrusted_cert_der() -> Vec<u8> {
    STANDARD.decode(UNTRUSTED_CERT_DER).unwrap()
}

/// An HTTPS server on 127.0.0.1 with the untrusted certificate: it answers `200 {}` to whoever
/// completes the handshake, and counts who did and what they sent.
pub struct UntrustedTls {
    pub url: Url,
    pub handshakes_ok: Arc<AtomicUsize>,
    pub handshakes_failed: Arc<AtomicUsize>,
    /// The decrypted bytes of every request received.
    pub received: Arc<Mutex<Vec<u8>>>,
}

pub async fn untrusted_tls_server() -> UntrustedTls {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cert = rustls::pki_types::CertificateDer::from(untrusted_cert_der());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        STANDARD.decode(UNTRUSTED_KEY_DER).unwrap(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = UntrustedTls {
        url: Url::parse(&format!("https://127.0.0.1:{port}/")).unwrap(),
        handshakes_ok: Arc::default(),
        handshakes_failed: Arc::default(),
        received: Arc::default(),
    };
    let (ok, failed, received) = (
        server.handshakes_ok.clone(),
        server.handshakes_failed.clone(),
        server.received.clone(),
    );
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let (ok, failed, received) = (ok.clone(), failed.clone(), received.clone());
            tokio::spawn(async move {
                let mut tls = match acceptor.accept(stream).await {
                    Ok(tls) => {
                        ok.fetch_add(1, Ordering::SeqCst);
                        tls
                    }
                    Err(_) => {
                        failed.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !contains(&request, b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                received.lock().unwrap().extend_from_slice(&request);
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                          content-length: 2\r\nconnection: close\r\n\r\n{}",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    server
}

// ---------------------------------------------------------------------------------------------
// A proxy that records what the core sends
// ---------------------------------------------------------------------------------------------

/// The bytes the core sent on one connection.
type Recorded = Arc<Mutex<Vec<u8>>>;

/// Plain TCP between the core and the sandbox, keeping every byte the core sent.
pub struct RecordingProxy {
    pub url: Url,
    streams: Arc<Mutex<Vec<Recorded>>>,
}

/// One HTTP/1.1 request as it went over the wire.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// `POST /oauth/token HTTP/1.1`
    pub line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn form(&self) -> BTreeMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }
}

pub async fn recording_proxy(upstream: &Url) -> RecordingProxy {
    let target = format!(
        "{}:{}",
        upstream.host_str().unwrap(),
        upstream.port_or_known_default().unwrap()
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let streams: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let all = streams.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let recorded: Recorded = Arc::default();
            all.lock().unwrap().push(recorded.clone());
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&target).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let upstream = async move {
                    let mut buf = [0u8; 8192];
                    loop {
                        match client_read.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                recorded.lock().unwrap().extend_from_slice(&buf[..n]);
                                if server_write.write_all(&buf[..n]).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = server_write.shutdown().await;
                };
                let downstream = async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    let _ = client_write.shutdown().await;
                };
                tokio::join!(upstream, downstream);
            });
        }
    });
    RecordingProxy {
        url: Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap(),
        streams,
    }
}

impl RecordingProxy {
    /// Every byte the core sent, connection by connection.
    pub fn raw(&self) -> Vec<Vec<u8>> {
        self.streams
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.lock().unwrap().clone())
            .collect()
    }

    /// The requests the core sent, in order within each connection.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.raw().iter().flat_map(|s| parse_requests(s)).collect()
    }
}

fn parse_requests(mut stream: &[u8]) -> Vec<RawRequest> {
    let mut requests = Vec::new();
    while let Some(end) = stream.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&stream[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let body_start = end + 4;
        let body_end = (body_start + length).min(stream.len());
        requests.push(RawRequest {
            line,
            headers,
            body: stream[body_start..body_end].to_vec(),
        });
        stream = &stream[body_end..];
    }
    requests
}
