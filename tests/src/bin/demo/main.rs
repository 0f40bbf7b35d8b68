//! `make demo`: the parent's main job, start to finish, on a sandbox embedded in this process.
//!
//! Choose the comune, log in (PKCE), read the Saldo, top up € 20 of refezione online and see it
//! "in registrazione" and then registered, top up two children in one checkout, generate an
//! avviso for the scuolabus with its QR code, and list the Pagamenti. Every step the app would
//! take goes through the core; only the parent's browser is stood in for by a form-submitting
//! HTTP client — or, with `--interactive`, by a person paying in a real browser.

mod browser;
mod error;
mod screens;
mod topup;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::comuni::ComuniList;
use comunicapp_core::email::Email;
use comunicapp_core::money::format_cents;
use comunicapp_core::ricarica::{
    copy, PaymentMode, RicaricaEngine, RicaricaError, RicaricaStep, RicaricaView,
};
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle, REFEZIONE, SCUOLABUS};
use url::Url;

use browser::{FormBrowser, ReturnPage};
use error::{unexpected, DemoError};
use topup::{preset, Choice};

/// Short, so the whole story fits in the demo (the real portal takes up to 24 hours).
const REGISTRATION_DELAY: Duration = Duration::from_secs(3);
const INTERACTIVE_PORT: u16 = 8787;
const SETTLE_TIMEOUT: Duration = Duration::from_secs(20);
/// A person in a browser may take as long as the pagoPA session lasts.
const PERSON_TIMEOUT: Duration = Duration::from_secs(30 * 60);

struct Options {
    interactive: bool,
    /// 0 = any free port.
    port: u16,
}

fn parse_args() -> Result<Options, String> {
    let mut interactive = false;
    let mut port = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--interactive" => interactive = true,
            "--port" => {
                port = Some(
                    args.next()
                        .and_then(|p| p.parse().ok())
                        .ok_or("--port: numero non valido")?,
                );
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("argomento sconosciuto: {other}\n{USAGE}")),
        }
    }
    // A person types the address into a browser: a fixed, known port unless told otherwise.
    let default_port = if interactive { INTERACTIVE_PORT } else { 0 };
    Ok(Options {
        interactive,
        port: port.unwrap_or(default_port),
    })
}

const USAGE: &str = "uso: demo [--interactive] [--port N]\n  --interactive  stampa l'indirizzo del checkout e aspetta che una persona paghi nel browser\n  --port N       porta della sandbox (0 = qualsiasi; con --interactive 8787)";

/// The demo's own data folder (the app's cache), removed at the end.
struct DataDir(PathBuf);

impl DataDir {
    fn create() -> Result<DataDir, DemoError> {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-demo-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(DataDir(dir))
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Everything the story needs, made once.
struct Demo {
    options: Options,
    sandbox: SandboxHandle,
    session: Arc<Session>,
    engine: RicaricaEngine,
    catalog: EnteConfig,
    browser: FormBrowser,
    return_page: ReturnPage,
    payer_email: Email,
    _data: DataDir,
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let outcome = tokio::select! {
        outcome = run(options) => outcome,
        _ = tokio::signal::ctrl_c() => Err(unexpected("interrotta con Ctrl-C")),
    };
    match outcome {
        Ok(()) => {
            println!(
                "\nDemo completata in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("\nDemo interrotta [{}]: {error}", error.message_key());
            ExitCode::FAILURE
        }
    }
}

const GIULIA: &str = "alu-0001";
const LUCA: &str = "alu-0002";
const SOFIA: &str = "alu-0003";

async fn run(options: Options) -> Result<(), DemoError> {
    let mut demo = set_up(options).await?;
    show_saldo(&demo).await?;
    ricarica_20_euro_refezione(&mut demo).await?;
    let both = ricarica_due_figli(&mut demo).await?;
    avviso_scuolabus(&demo).await?;

    if was_paid(&both) {
        println!("{}", screens::title("Registrazione"));
        let registered = topup::wait_for_step(
            &demo.engine,
            &both.local_id,
            RicaricaStep::Registered,
            SETTLE_TIMEOUT,
        )
        .await?;
        println!(
            "  Ricarica {} ({}): {}",
            registered.local_id, registered.total_display, registered.message
        );
    }
    show_saldo(&demo).await?;
    show_pagamenti(&demo).await?;
    let Demo { sandbox, .. } = demo;
    sandbox.shutdown().await;
    Ok(())
}

async fn set_up(options: Options) -> Result<Demo, DemoError> {
    let sandbox = start(SandboxConfig {
        port: options.port,
        registration_delay: REGISTRATION_DELAY,
        ..SandboxConfig::default()
    })
    .await?;
    println!("ComunicApp — demo sulla sandbox del Portale Genitori");
    println!(
        "Sandbox: {} (registrazione dei pagamenti dopo {} s invece di 24 ore)",
        sandbox.base_url(),
        REGISTRATION_DELAY.as_secs()
    );

    println!("{}", screens::title("Comune"));
    let mut comuni = ComuniList::bundled()?;
    comuni.set_sandbox_url(sandbox.base_url())?;
    let selectable = comuni.selectable(true);
    let comune = selectable
        .iter()
        .find(|c| c.sandbox)
        .map(|c| (*c).clone())
        .ok_or_else(|| unexpected("nessuna sandbox nell'elenco dei comuni"))?;
    println!("{}", screens::comuni(&selectable, &comune));

    println!("{}", screens::title("Accesso"));
    let return_page = ReturnPage::start().await?;
    let data = DataDir::create()?;
    let secrets: Arc<dyn SecureStore> = Arc::new(MemorySecureStore::new());
    let session_options = SessionOptions {
        // RFC 8252 loopback redirect: a desktop program catches the login's answer itself.
        redirect_uri: join(return_page.base(), "oauth/callback")?.to_string(),
        ..SessionOptions::development()
    };
    let session = Arc::new(Session::open(&data.0, &comune, secrets, session_options)?);
    let browser = FormBrowser::new()?;
    let credentials = sandbox.demo_credentials();
    let callback = browser.log_in(&session, &credentials).await?;
    println!(
        "  Pagina di accesso del portale: utente {}, modulo inviato",
        credentials.username
    );
    println!(
        "  Ritorno all'app: {}{}?code=…&state=… (PKCE S256, state verificato)",
        callback.origin().ascii_serialization(),
        callback.path()
    );
    session.refresh().await?;
    let account = session
        .account()?
        .ok_or_else(|| unexpected("account non scaricato"))?;
    let wire_ente = session
        .ente()?
        .ok_or_else(|| unexpected("configurazione dell'ente non scaricata"))?;
    println!(
        "  Accesso eseguito: {} {} — {}",
        account.parent.first_name, account.parent.last_name, wire_ente.name
    );
    let catalog = EnteConfig::from_portal(wire_ente)
        .map_err(|e| unexpected(format!("{}: {e}", e.message_key())))?;
    let engine = topup::engine(session.clone(), return_page.base())?;
    // What the app does at every start: settle whatever a previous run left unfinished.
    let resumed = engine.resume_pending().await?;
    println!("  Ricariche in sospeso da completare: {}", resumed.len());
    let payer_email = Email::parse(&account.parent.email).map_err(RicaricaError::from)?;
    Ok(Demo {
        options,
        sandbox,
        session,
        engine,
        catalog,
        browser,
        return_page,
        payer_email,
        _data: data,
    })
}

fn join(base: &Url, path: &str) -> Result<Url, DemoError> {
    base.join(path).map_err(|e| unexpected(e.to_string()))
}

async fn show_saldo(demo: &Demo) -> Result<(), DemoError> {
    demo.session.refresh().await?;
    println!("{}", screens::title("Saldo"));
    println!("{}", screens::saldo(&demo.session.saldo()?));
    Ok(())
}

async fn show_pagamenti(demo: &Demo) -> Result<(), DemoError> {
    demo.session.refresh().await?;
    println!("{}", screens::title("Pagamenti"));
    println!("{}", screens::pagamenti(&demo.session.pagamenti()?));
    Ok(())
}

fn child_name(demo: &Demo, child_id: &str) -> Result<String, DemoError> {
    demo.session
        .account()?
        .and_then(|a| a.children.into_iter().find(|c| c.id == child_id))
        .map(|c| c.first_name)
        .ok_or_else(|| unexpected(format!("alunno {child_id} sconosciuto")))
}

fn service_label(demo: &Demo, code: &str) -> Result<String, DemoError> {
    demo.catalog
        .service(code)
        .map(|s| s.label.clone())
        .ok_or_else(|| unexpected(format!("servizio {code} sconosciuto")))
}

/// Steps 3–5 on screen: the e-mail check for these children, the mode, the riepilogo.
async fn confirm(
    demo: &Demo,
    choices: &[Choice<'_>],
    mode: PaymentMode,
) -> Result<comunicapp_core::ricarica::Order, DemoError> {
    let child_ids: Vec<String> = choices.iter().map(|c| c.child_id.to_owned()).collect();
    let options = demo.engine.options(&child_ids).await?;
    println!("  {}", options.email_message);
    println!("  {} {}", copy::MAIL_ATTUALE, options.payer_email);
    let mode_label = match mode {
        PaymentMode::Online => copy::PAGAMENTO_ONLINE,
        PaymentMode::Avviso => copy::GENERA_AVVISO,
    };
    println!("  {}: {mode_label}", copy::SCEGLI_MODALITA);
    let order = topup::compose(&demo.catalog, choices, &demo.payer_email, mode)?;
    println!(
        "{}",
        screens::riepilogo(&demo.engine.riepilogo(&order).await?)
    );
    Ok(order)
}

/// Paid, whether or not registered yet; with `--interactive` the person may cancel instead.
fn was_paid(view: &RicaricaView) -> bool {
    matches!(
        view.step,
        RicaricaStep::PaidAwaitingRegistration | RicaricaStep::Registered
    )
}

/// Online payment of `choices` in one checkout: riepilogo, checkout, return URL, portal status.
async fn pay_online(demo: &mut Demo, choices: &[Choice<'_>]) -> Result<RicaricaView, DemoError> {
    let order = confirm(demo, choices, PaymentMode::Online).await?;
    let submitted = demo.engine.submit(&order).await?;
    let launch = submitted
        .checkout
        .clone()
        .ok_or_else(|| unexpected(format!("nessun checkout: {}", submitted.message)))?;
    println!(
        "  PROSEGUI → ricarica {} sul portale: {}",
        submitted.portal_id.as_deref().unwrap_or("?"),
        submitted.message
    );
    println!("  Checkout pagoPA: {}", launch.checkout_url);
    let landed = browser_pays(demo, &launch.checkout_url).await?;
    println!(
        "  Il browser torna all'app: {}{} (pagoPA non aggiunge alcun esito)",
        landed.path(),
        landed.query().map(|_| "?state=…").unwrap_or_default()
    );
    let settled = demo.engine.handle_return_url(landed.as_str()).await?;
    println!(
        "  Ritorno riconosciuto (state verificato); esito chiesto al portale: {}",
        settled.message
    );
    // The same link again (a reload, a second tap) is refused and changes nothing.
    match demo.engine.handle_return_url(landed.as_str()).await {
        Err(RicaricaError::ReturnUrl(refused)) => {
            println!(
                "  Stesso link riaperto: «{refused}» ({})",
                refused.message_key()
            );
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err(unexpected("un ritorno ripetuto è stato accettato")),
    }
    Ok(settled)
}

/// The parent's browser on the checkout page: a form submission, or a person with `--interactive`.
async fn browser_pays(demo: &mut Demo, checkout: &Url) -> Result<Url, DemoError> {
    if !demo.options.interactive {
        let pressed = demo.browser.press(checkout, "pay").await?;
        println!(
            "  Pagina pagoPA: totale {} (commissione inclusa) → «Paga»",
            pressed.total_shown
        );
        return Ok(pressed.return_url);
    }
    println!("\n  ➜ Apri nel browser e paga (o annulla):\n\n      {checkout}\n");
    println!("  In attesa del ritorno all'app…");
    let deadline = tokio::time::Instant::now() + PERSON_TIMEOUT;
    loop {
        let arrival = tokio::time::timeout_at(deadline, demo.return_page.next_arrival())
            .await
            .map_err(|_| unexpected("nessun pagamento entro 30 minuti"))?
            .ok_or_else(|| unexpected("pagina di ritorno chiusa"))?;
        // A stray tab or the favicon is not a checkout return; the engine judges the rest.
        if arrival.path().starts_with("/pagopa/return/") {
            return Ok(arrival);
        }
    }
}

async fn ricarica_20_euro_refezione(demo: &mut Demo) -> Result<(), DemoError> {
    let choice = preset(GIULIA, REFEZIONE, 2_000);
    println!(
        "{}",
        screens::title(&format!(
            "{} per {}",
            copy::ricarica_da(choice.amount.amount()),
            child_name(demo, GIULIA)?
        ))
    );
    println!(
        "  {} {}, alunno {}",
        copy::SERVIZIO,
        service_label(demo, REFEZIONE)?,
        child_name(demo, GIULIA)?
    );
    let before = screens::balance_of(&demo.session.saldo()?, GIULIA, REFEZIONE).unwrap_or(0);
    let paid = pay_online(demo, &[choice]).await?;
    if !was_paid(&paid) {
        return Ok(());
    }

    demo.session.refresh().await?;
    let shown = screens::balance_of(&demo.session.saldo()?, GIULIA, REFEZIONE).unwrap_or(0);
    println!(
        "  Saldo refezione di {}: {} (in registrazione: + {})",
        child_name(demo, GIULIA)?,
        format_cents(shown),
        paid.total_display
    );
    let registered = topup::wait_for_step(
        &demo.engine,
        &paid.local_id,
        RicaricaStep::Registered,
        SETTLE_TIMEOUT,
    )
    .await?;
    // The engine ran the normal sync when the portal registered it.
    let after = screens::balance_of(&demo.session.saldo()?, GIULIA, REFEZIONE).unwrap_or(0);
    println!(
        "  {}: saldo refezione di {} {} → {}",
        registered.message,
        child_name(demo, GIULIA)?,
        format_cents(before),
        format_cents(after)
    );
    if after != before + paid.total_cents {
        return Err(unexpected(format!(
            "il saldo doveva crescere di {}",
            paid.total_display
        )));
    }
    Ok(())
}

async fn ricarica_due_figli(demo: &mut Demo) -> Result<RicaricaView, DemoError> {
    println!(
        "{}",
        screens::title(&format!(
            "Due figli in un solo pagamento: {} e {}",
            child_name(demo, LUCA)?,
            child_name(demo, SOFIA)?
        ))
    );
    let choices = [
        preset(LUCA, REFEZIONE, 2_000),
        preset(SOFIA, REFEZIONE, 1_000),
    ];
    pay_online(demo, &choices).await
}

async fn avviso_scuolabus(demo: &Demo) -> Result<(), DemoError> {
    println!(
        "{}",
        screens::title(&format!(
            "Avviso di pagamento: scuolabus di {}",
            child_name(demo, GIULIA)?
        ))
    );
    let choices = [Choice {
        child_id: GIULIA,
        service_code: SCUOLABUS,
        amount: comunicapp_core::ricarica::AmountChoice::Custom(
            comunicapp_core::money::Amount::from_cents(1_500),
        ),
    }];
    let order = confirm(demo, &choices, PaymentMode::Avviso).await?;
    let issued = demo.engine.submit(&order).await?;
    let details = issued
        .avviso
        .as_ref()
        .ok_or_else(|| unexpected(format!("nessun avviso: {}", issued.message)))?;
    println!("  {}", issued.message);
    let description = format!(
        "Ricarica {} - {}",
        service_label(demo, SCUOLABUS)?,
        child_name(demo, GIULIA)?
    );
    println!("{}", screens::avviso(details, &description)?);
    Ok(())
}
