//! The app as a process the crash tests can kill: it logs in, runs a top-up, and settles what is
//! unfinished, talking to a sandbox over HTTP and keeping its data where the parent says.
//!
//! `ricarica_child login  --portal URL --data DIR --user U --password P`
//! `ricarica_child run    --portal URL --data DIR [--new online|avviso]
//!                        [--continue-draft online|avviso] [--return-url URL] [--pause-at STEP]
//!                        [--pause-after N]`
//!
//! `--new` composes a top-up tap by tap through the engine's stored draft, then PROSEGUI;
//! `--continue-draft` carries on a draft a killed process left (nothing when there is none).
//!
//! Protocol on stdout, one line each: `STEP <name>` after every persisted step (and a pause
//! forever when it is `--pause-at`, or when it is this process's N-th with `--pause-after N`: the
//! crash tests kill a recovering process at each step it persists that way), `CHECKOUT <url>` when the app would open the checkout (the
//! parent answers `RETURN <url>` on stdin with where the browser was sent), `AVVISO <nav>` when a
//! notice waits to be paid (the parent answers `CONTINUE`), `ERROR <key>`, and at the end one
//! `FINAL <local id> <step> <portal id|-> <total cents>` per stored top-up, then `DONE`.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comunicapp_core::api::{ClientOptions, RetryPolicy};
use comunicapp_core::auth::{SecureStore, SecureStoreError};
use comunicapp_core::comuni::Comune;
use comunicapp_core::ricarica::{
    DraftAction, PaymentMode, PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEngine,
    RicaricaStep, RicaricaView, StepObserver,
};
use comunicapp_core::sync::{Session, SessionOptions};
use url::Url;

/// The stand-in for the Keychain / Keystore: a JSON file in the data folder, replaced atomically.
struct FileSecureStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecureStore {
    fn read(&self) -> Result<BTreeMap<String, String>, SecureStoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(unavailable),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn write(&self, map: &BTreeMap<String, String>) -> Result<(), SecureStoreError> {
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(map).map_err(unavailable)?).map_err(unavailable)?;
        std::fs::rename(&tmp, &self.path).map_err(unavailable)
    }
}

fn unavailable(e: impl std::fmt::Display) -> SecureStoreError {
    SecureStoreError::Unavailable {
        reason: e.to_string(),
    }
}

impl SecureStore for FileSecureStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecureStoreError> {
        let _guard = self.lock.lock().map_err(unavailable)?;
        Ok(self.read()?.get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecureStoreError> {
        let _guard = self.lock.lock().map_err(unavailable)?;
        let mut map = self.read()?;
        map.insert(key.to_owned(), value.to_owned());
        self.write(&map)
    }
    fn delete(&self, key: &str) -> Result<(), SecureStoreError> {
        let _guard = self.lock.lock().map_err(unavailable)?;
        let mut map = self.read()?;
        map.remove(key);
        self.write(&map)
    }
}

/// Prints each persisted step; at `pause_at`, or at the `pause_after`-th step, it stops there
/// until the parent kills the process.
struct PrintingObserver {
    pause_at: Option<String>,
    pause_after: Option<usize>,
    seen: AtomicUsize,
}

impl StepObserver for PrintingObserver {
    fn persisted(&self, step: &str) {
        say(&format!("STEP {step}"));
        let count = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if self.pause_at.as_deref() == Some(step) || self.pause_after == Some(count) {
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn read_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_owned()),
    }
}

#[derive(Default)]
struct Args {
    command: String,
    portal: Option<Url>,
    data: Option<PathBuf>,
    user: String,
    password: String,
    new: Option<PaymentMode>,
    continue_draft: Option<PaymentMode>,
    return_url: Option<String>,
    pause_at: Option<String>,
    pause_after: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut raw = std::env::args().skip(1);
    let mut args = Args {
        command: raw.next().ok_or("manca il comando")?,
        ..Args::default()
    };
    while let Some(flag) = raw.next() {
        let mut value = || raw.next().ok_or(format!("{flag}: manca il valore"));
        match flag.as_str() {
            "--portal" => args.portal = Some(Url::parse(&value()?).map_err(|e| e.to_string())?),
            "--data" => args.data = Some(PathBuf::from(value()?)),
            "--user" => args.user = value()?,
            "--password" => args.password = value()?,
            "--new" => args.new = Some(mode(&value()?)?),
            "--continue-draft" => args.continue_draft = Some(mode(&value()?)?),
            "--return-url" => args.return_url = Some(value()?),
            "--pause-at" => args.pause_at = Some(value()?),
            "--pause-after" => {
                args.pause_after = Some(value()?.parse().map_err(|e| format!("{flag}: {e}"))?)
            }
            other => return Err(format!("argomento sconosciuto: {other}")),
        }
    }
    Ok(args)
}

fn mode(text: &str) -> Result<PaymentMode, String> {
    match text {
        "online" => Ok(PaymentMode::Online),
        "avviso" => Ok(PaymentMode::Avviso),
        other => Err(format!("modalità sconosciuta: {other}")),
    }
}

fn open_session(portal: &Url, data: &Path) -> Result<Session, String> {
    let comune = Comune::sandbox(portal.clone()).map_err(|e| e.to_string())?;
    let secrets: Arc<dyn SecureStore> = Arc::new(FileSecureStore {
        path: data.join("secrets.json"),
        lock: Mutex::new(()),
    });
    let options = SessionOptions {
        client: ClientOptions {
            allow_loopback_http: true,
            connect_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_millis(1500),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(100),
                max_retry_after: Duration::from_secs(1),
            },
        },
        // Shorter than the sandbox's token life, so a request does not refresh every time.
        refresh_margin: Duration::from_secs(5),
        ..SessionOptions::development()
    };
    // The key on stdout, as every other failure of a run: a full disk can stop the very open.
    Session::open(data, &comune, secrets, options).map_err(|e| {
        say(&format!("ERROR {}", e.message_key()));
        e.to_string()
    })
}

async fn login(session: &Session, portal: &Url, user: &str, password: &str) -> Result<(), String> {
    let authorize = session.login_start().map_err(|e| e.to_string())?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), user.to_owned()));
    form.push(("password".into(), password.to_owned()));
    let action = portal.join("oauth/authorize").map_err(|e| e.to_string())?;
    let answer = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("il login non ha rediretto")?
        .to_owned();
    session
        .login_complete(&location)
        .await
        .map_err(|e| e.to_string())
}

/// The crash tests' fixed intents: Giulia's refezione, 20 euro, online; or her scuolabus, 15 euro,
/// by avviso.
fn intent(mode: PaymentMode) -> (&'static str, i64) {
    match mode {
        PaymentMode::Online => ("refezione", 2_000),
        PaymentMode::Avviso => ("scuolabus", 1_500),
    }
}

/// The parent's next tap from wherever the stored draft stands, until the riepilogo; PROSEGUI
/// then submits it. Each tap is a persisted step the crash tests can kill at.
async fn compose_and_submit(
    engine: &RicaricaEngine,
    mode: PaymentMode,
) -> Result<RicaricaView, String> {
    let (service, cents) = intent(mode);
    let mut view = engine
        .draft()
        .await
        .map_err(|e| e.message_key().to_owned())?;
    // Amount, service, cart, e-mail, mode: at most five taps from an empty draft.
    for _ in 0..5 {
        let action = match view.step {
            RicaricaStep::Composing if view.pending_amount_cents.is_some() => {
                DraftAction::AddItem {
                    child_id: "alu-0001".to_owned(),
                    service_code: service.to_owned(),
                }
            }
            RicaricaStep::Composing if view.items.is_empty() => DraftAction::ChoosePreset { cents },
            RicaricaStep::Composing => DraftAction::ConfirmCart {
                payer_email: "maria.rossi@example.it".to_owned(),
            },
            RicaricaStep::CheckingEmail => DraftAction::ConfirmEmail,
            RicaricaStep::ChoosingMode => DraftAction::ChooseMode { mode },
            _ => break,
        };
        view = engine
            .draft_apply(action)
            .await
            .map_err(|e| e.message_key().to_owned())?;
    }
    engine
        .submit_draft()
        .await
        .map_err(|e| e.message_key().to_owned())
}

fn engine(
    session: Session,
    pause_at: Option<String>,
    pause_after: Option<usize>,
) -> Result<RicaricaEngine, String> {
    let config = RicaricaConfig {
        return_urls: ReturnUrlStyle::custom_scheme(),
        poll: PollPolicy {
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            budget: Duration::from_secs(2),
        },
    };
    Ok(RicaricaEngine::new(Arc::new(session), config)
        .map_err(|e| e.to_string())?
        .with_observer(Arc::new(PrintingObserver {
            pause_at,
            pause_after,
            seen: AtomicUsize::new(0),
        })))
}

/// What the app would do with a view: open the checkout, or show the notice to pay.
async fn act_on(engine: &RicaricaEngine, view: &RicaricaView, seen: &mut HashSet<String>) {
    if let Some(checkout) = &view.checkout {
        if seen.insert(checkout.checkout_url.to_string()) {
            say(&format!("CHECKOUT {}", checkout.checkout_url));
            if let Some(line) = read_line() {
                if let Some(url) = line.strip_prefix("RETURN ") {
                    deliver(engine, url).await;
                }
            }
        }
    }
    if view.step == RicaricaStep::AvvisoIssued {
        if let Some(avviso) = &view.avviso {
            if seen.insert(avviso.notice_number.clone()) {
                say(&format!("AVVISO {}", avviso.notice_number));
                let _ = read_line();
            }
        }
    }
}

async fn deliver(engine: &RicaricaEngine, url: &str) {
    match engine.handle_return_url(url).await {
        Ok(view) => say(&format!("RETURNED {:?}", view.step)),
        Err(error) => say(&format!("ERROR {}", error.message_key())),
    }
}

async fn run(args: Args, portal: &Url, data: &Path) -> Result<(), String> {
    let engine = engine(open_session(portal, data)?, args.pause_at, args.pause_after)?;
    let mut seen = HashSet::new();
    let started = match engine.draft().await {
        Ok(view) => {
            view.step != RicaricaStep::Composing
                || view.pending_amount_cents.is_some()
                || !view.items.is_empty()
        }
        Err(error) => {
            say(&format!("ERROR {}", error.message_key()));
            false
        }
    };
    let compose = args.new.or(args.continue_draft.filter(|_| started));
    if let Some(mode) = compose {
        match compose_and_submit(&engine, mode).await {
            Ok(view) => act_on(&engine, &view, &mut seen).await,
            Err(key) => say(&format!("ERROR {key}")),
        }
    }
    if let Some(url) = &args.return_url {
        deliver(&engine, url).await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match engine.resume_pending().await {
            Ok(views) => {
                for view in &views {
                    act_on(&engine, view, &mut seen).await;
                }
            }
            Err(error) => say(&format!("ERROR {}", error.message_key())),
        }
        let unsettled = engine.pending().map_err(|e| e.to_string())?;
        if unsettled.is_empty() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for view in engine.history().map_err(|e| e.to_string())? {
        say(&format!(
            "FINAL {} {:?} {} {}",
            view.local_id,
            view.step,
            view.portal_id.as_deref().unwrap_or("-"),
            view.total_cents
        ));
    }
    say("DONE");
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let (Some(portal), Some(data)) = (args.portal.clone(), args.data.clone()) else {
        eprintln!("servono --portal e --data");
        return ExitCode::from(2);
    };
    let outcome = match args.command.as_str() {
        "login" => match open_session(&portal, &data) {
            Ok(session) => login(&session, &portal, &args.user, &args.password)
                .await
                .map(|()| say("LOGGED_IN")),
            Err(e) => Err(e),
        },
        "run" => run(args, &portal, &data).await,
        other => Err(format!("comando sconosciuto: {other}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
