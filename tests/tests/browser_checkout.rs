//! The parent's story in a real browser: headless Chromium logs in on the sandbox's OAuth page,
//! opens the pagoPA checkout of a top-up the core's ricarica engine submitted, pays (or cancels,
//! or leaves it pending) there, and lands on the core's return URL exactly as the core made it —
//! pagoPA appends nothing. That URL goes to `handle_return_url`, and the portal's word settles
//! the top-up.

mod browser_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use browser_support::{Browser, LandingPage};
use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::comuni::Comune;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::ricarica::{
    copy, AmountChoice, CheckoutLaunch, Order, PaymentMode, PollPolicy, ReturnOutcome,
    ReturnUrlError, ReturnUrlStyle, RicaricaConfig, RicaricaEngine, RicaricaError, RicaricaEvent,
    RicaricaState, RicaricaStep, RicaricaView,
};
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::wire::RicaricaStatus;
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle, REFEZIONE};
use serde_json::json;
use url::Url;

const GIULIA: &str = "alu-0001";
const SETTLE_TIMEOUT: Duration = Duration::from_secs(15);

/// A data folder of its own per test, removed at the end.
struct DataDir(std::path::PathBuf);

impl DataDir {
    fn new(name: &str) -> DataDir {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-browser-e2e-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).expect("data dir");
        DataDir(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct World {
    sandbox: SandboxHandle,
    landing: LandingPage,
    browser: Browser,
    session: Arc<Session>,
    engine: RicaricaEngine,
    _data: DataDir,
}

/// Sandbox, landing page, Chromium, a core session logged in through Chromium with a loopback
/// redirect (RFC 8252), and the ricarica engine with its return URLs on the landing page (a
/// development build's App Link base).
async fn world(name: &str) -> World {
    let sandbox = start(SandboxConfig::for_tests())
        .await
        .expect("sandbox starts");
    let landing = LandingPage::start().await;
    let browser = Browser::launch().await;
    let data = DataDir::new(name);
    let comune = Comune::sandbox(sandbox.base_url()).expect("sandbox comune");
    let secrets: Arc<dyn SecureStore> = Arc::new(MemorySecureStore::new());
    let options = SessionOptions {
        redirect_uri: landing.url("oauth/callback").to_string(),
        ..SessionOptions::development()
    };
    let session =
        Arc::new(Session::open(&data.0, &comune, secrets, options).expect("session opens"));

    let authorize = session.login_start().expect("authorize URL");
    browser.open(&authorize).await;
    let credentials = sandbox.demo_credentials();
    browser.type_into("#username", &credentials.username).await;
    browser.type_into("#password", &credentials.password).await;
    browser.click("#login").await;
    let callback = browser.wait_for_origin(landing.base()).await;
    assert_eq!(callback.path(), "/oauth/callback");
    session
        .login_complete(callback.as_str())
        .await
        .expect("login completes with the URL Chromium landed on");
    session.refresh().await.expect("first sync");

    let config = RicaricaConfig {
        return_urls: ReturnUrlStyle::AppLink {
            base: landing.url("pagopa/return/"),
        },
        poll: PollPolicy {
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            budget: Duration::from_secs(2),
        },
    };
    let engine = RicaricaEngine::new(session.clone(), config).expect("engine");
    World {
        sandbox,
        landing,
        browser,
        session,
        engine,
        _data: data,
    }
}

fn refezione_cents(session: &Session, child_id: &str) -> i64 {
    session
        .saldo()
        .expect("saldo")
        .children
        .into_iter()
        .find(|c| c.child_id == child_id)
        .and_then(|c| c.services.into_iter().find(|s| s.service_code == REFEZIONE))
        .map(|s| s.balance_cents)
        .expect("refezione balance shown")
}

/// The parent's taps up to the riepilogo: "Ricarica da N euro", refezione for Giulia, the
/// e-mail confirmed, "Pagamento OnLine".
fn order_refezione(world: &World, cents: i64) -> Order {
    let wire = world.session.ente().expect("cache").expect("ente cached");
    let ente = EnteConfig::from_portal(wire).expect("valid catalog");
    let service = ente.service(REFEZIONE).expect("refezione offered").clone();
    let email = world
        .session
        .account()
        .expect("cache")
        .expect("account cached")
        .parent
        .email;
    let events = [
        RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Preset(Amount::from_cents(cents)),
        },
        RicaricaEvent::AddItem {
            child_id: GIULIA.to_owned(),
            service,
        },
        RicaricaEvent::ConfirmCart {
            payer_email: Email::parse(&email).expect("valid e-mail"),
        },
        RicaricaEvent::ConfirmEmail,
        RicaricaEvent::ChooseMode {
            mode: PaymentMode::Online,
        },
    ];
    let state = events
        .into_iter()
        .fold(RicaricaState::new(), |state, event| {
            state.apply(event).expect("allowed step")
        });
    match state {
        RicaricaState::Riepilogo { order } => order,
        other => panic!("not at the riepilogo: {other:?}"),
    }
}

/// PROSEGUI, then Chromium on the checkout page with the top-up's total.
async fn submit_and_open_checkout(world: &World, cents: i64) -> (RicaricaView, CheckoutLaunch) {
    let submitted = world
        .engine
        .submit(&order_refezione(world, cents))
        .await
        .expect("the engine submits the top-up");
    assert_eq!(submitted.step, RicaricaStep::InCheckout);
    let launch = submitted.checkout.clone().expect("a checkout to open");
    world.browser.open(&launch.checkout_url).await;
    assert_eq!(world.browser.text("#status").await, "Da pagare");
    // The amount plus the simulated PSP's € 1,00 commission.
    assert_eq!(
        world.browser.text("#total").await,
        comunicapp_core::money::format_cents(cents + 100)
    );
    (submitted, launch)
}

/// Where Chromium ended up, checked against what the core handed out: the same URL, nothing
/// added, really requested from the landing page.
async fn landed_exactly_on(world: &World, expected: &Url) -> Url {
    let landed = world.browser.wait_for_origin(world.landing.base()).await;
    assert_eq!(
        &landed, expected,
        "pagoPA appends nothing to the return URL"
    );
    let expected_hit = format!(
        "{}?{}",
        expected.path(),
        expected.query().unwrap_or_default()
    );
    assert!(
        world.landing.hits().contains(&expected_hit),
        "Chromium really requested {expected_hit}: {:?}",
        world.landing.hits()
    );
    landed
}

/// Settling rounds until the top-up reaches `wanted`.
async fn wait_for_step(engine: &RicaricaEngine, local_id: &str, wanted: RicaricaStep) {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        let view = engine.retry(local_id).await.expect("settling round");
        if view.step == wanted {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{local_id} stayed {:?}, wanted {wanted:?}",
            view.step
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn portal_status(sandbox: &SandboxHandle, portal_id: &str) -> RicaricaStatus {
    sandbox
        .state()
        .ricariche
        .into_iter()
        .find(|r| r.id == portal_id)
        .map(|r| r.status)
        .expect("the portal holds the top-up")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ricarica_online_20_euro_refezione_pagata_in_chromium_e_registrata() {
    let world = world("pay").await;
    let before = refezione_cents(&world.session, GIULIA);
    let (submitted, launch) = submit_and_open_checkout(&world, 2_000).await;

    world.browser.click("#pay").await;
    let landed = landed_exactly_on(&world, &launch.return_urls.ok).await;

    let paid = world
        .engine
        .handle_return_url(landed.as_str())
        .await
        .expect("our return URL is accepted");
    assert_eq!(paid.local_id, submitted.local_id);
    assert_eq!(paid.step, RicaricaStep::PaidAwaitingRegistration);
    assert_eq!(paid.message, copy::pagamento_ricevuto(24));

    // The sandbox registers a payment after its short delay; the engine's sync then shows it.
    wait_for_step(&world.engine, &paid.local_id, RicaricaStep::Registered).await;
    assert_eq!(refezione_cents(&world.session, GIULIA), before + 2_000);
    assert_eq!(
        world.sandbox.state().balance_cents(GIULIA, REFEZIONE),
        Some(before + 2_000)
    );
    let portal_id = paid.portal_id.expect("portal id");
    assert_eq!(
        portal_status(&world.sandbox, &portal_id),
        RicaricaStatus::Registered
    );
    world.browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ricarica_annullata_in_chromium_non_cambia_il_saldo_e_il_ritorno_non_si_ripete() {
    let world = world("cancel").await;
    let before = refezione_cents(&world.session, GIULIA);
    let (_, launch) = submit_and_open_checkout(&world, 1_000).await;

    world.browser.click("#cancel").await;
    let landed = landed_exactly_on(&world, &launch.return_urls.cancel).await;

    // A forged state (someone else's link) is refused before anything else happens.
    let mut forged = landed.clone();
    forged.set_query(Some("state=rdeadbeefdeadbeef.AAAAAAAAAAAAAAAAAAAAAA"));
    assert!(matches!(
        world.engine.handle_return_url(forged.as_str()).await,
        Err(RicaricaError::ReturnUrl(_))
    ));

    let cancelled = world
        .engine
        .handle_return_url(landed.as_str())
        .await
        .expect("our return URL is accepted");
    assert_eq!(cancelled.step, RicaricaStep::Cancelled);
    assert_eq!(cancelled.message, copy::PAGAMENTO_ANNULLATO);
    // Reloading the page that brought the browser back changes nothing.
    assert!(matches!(
        world.engine.handle_return_url(landed.as_str()).await,
        Err(RicaricaError::ReturnUrl(ReturnUrlError::Replayed { .. }))
    ));

    // Back on the checkout page: the session is closed, nothing left to pay.
    world.browser.open(&launch.checkout_url).await;
    assert_eq!(world.browser.text("#status").await, "Annullato");
    world.session.refresh().await.expect("sync");
    assert_eq!(refezione_cents(&world.session, GIULIA), before);
    let portal_id = cancelled.portal_id.expect("portal id");
    assert_eq!(
        portal_status(&world.sandbox, &portal_id),
        RicaricaStatus::Cancelled
    );
    world.browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ricarica_in_sospeso_in_chromium_resta_in_verifica_finche_il_psp_non_decide() {
    let world = world("pending").await;
    let (submitted, launch) = submit_and_open_checkout(&world, 5_000).await;

    world.browser.click("#pending").await;
    let landed = landed_exactly_on(&world, &launch.return_urls.waiting).await;

    // The engine polls within its short budget, then leaves the top-up "in attesa di esito".
    let waiting = world
        .engine
        .handle_return_url(landed.as_str())
        .await
        .expect("our return URL is accepted");
    assert_eq!(waiting.step, RicaricaStep::Returned);
    assert_eq!(waiting.provisional_outcome, Some(ReturnOutcome::Waiting));
    assert!(!waiting.settled);
    assert_eq!(world.engine.pending().expect("pending").len(), 1);

    // The PSP settles the payment later; the next settling round (as at the next start) sees it.
    let session_id = launch
        .checkout_url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .expect("checkout session id")
        .to_owned();
    let settle = world
        .sandbox
        .base_url()
        .join(&format!("admin/checkout/{session_id}/settle"))
        .expect("admin URL");
    let answer = reqwest::Client::new()
        .post(settle)
        .json(&json!({"outcome": "paid"}))
        .send()
        .await
        .expect("admin answers");
    assert!(answer.status().is_success(), "settled: {}", answer.status());
    let resumed = world.engine.resume_pending().await.expect("resume");
    let view = resumed
        .into_iter()
        .find(|v| v.local_id == submitted.local_id)
        .expect("the pending top-up is resumed");
    assert!(
        matches!(
            view.step,
            RicaricaStep::PaidAwaitingRegistration | RicaricaStep::Registered
        ),
        "after the PSP paid: {:?}",
        view.step
    );
    world.browser.close().await;
}
