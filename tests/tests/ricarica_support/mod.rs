//! What the ricarica stories share: a sandbox that registers payments quickly, a logged-in app
//! with its ricarica engine, the parent's taps through the state machine, and the browser's
//! trip through the pagoPA checkout page.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::auth::MemorySecureStore;
use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::ricarica::{
    AmountChoice, Order, PaymentMode, PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEngine,
    RicaricaEvent, RicaricaState,
};
use comunicapp_core::store::StoredRicarica;
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle};
use url::Url;

#[path = "../core_support/mod.rs"]
mod core_support;
#[allow(unused_imports)]
pub use core_support::{add_fault, clear_faults, sandbox_balances, shown_balances, DataDir};

/// How long the sandbox takes to register a payment on the balance (24 h on the real portal).
pub const REGISTRATION_DELAY: Duration = Duration::from_millis(300);

pub async fn sandbox() -> SandboxHandle {
    start(SandboxConfig {
        registration_delay: REGISTRATION_DELAY,
        ..SandboxConfig::for_tests()
    })
    .await
    .expect("sandbox starts")
}

pub struct App {
    pub session: Arc<Session>,
    pub engine: RicaricaEngine,
    pub dir: DataDir,
}

/// The return URLs in their App Link form, on loopback as a development build may use.
pub fn config(sandbox: &SandboxHandle) -> RicaricaConfig {
    RicaricaConfig {
        return_urls: ReturnUrlStyle::AppLink {
            base: Url::parse(&format!(
                "http://127.0.0.1:{}/pagopa/return/",
                sandbox.port()
            ))
            .expect("base"),
        },
        poll: PollPolicy {
            first_delay: Duration::from_millis(30),
            max_delay: Duration::from_millis(200),
            budget: Duration::from_secs(2),
        },
    }
}

/// The session options of these tests: loopback HTTP, short timeouts.
pub fn quick_options() -> SessionOptions {
    core_support::quick_options(None)
}

/// A session on `dir` with `options`, logged in and synced once.
pub async fn open_with(sandbox: &SandboxHandle, dir: &DataDir, options: SessionOptions) -> Session {
    let session = core_support::open(
        &sandbox.base_url(),
        dir.path(),
        Arc::new(MemorySecureStore::new()),
        options,
    );
    core_support::login(&session, sandbox).await;
    session.refresh().await.expect("first sync");
    session
}

/// A parent logged in, with the cache filled by a first sync.
pub async fn app(sandbox: &SandboxHandle, name: &str) -> App {
    let dir = DataDir::new(name);
    let session = Arc::new(open_with(sandbox, &dir, quick_options()).await);
    let engine = RicaricaEngine::new(session.clone(), config(sandbox)).expect("engine");
    App {
        session,
        engine,
        dir,
    }
}

/// The parent's taps: for each (child, service, euro) a preset amount and the service, then the
/// e-mail check, the mode, and the riepilogo's order.
pub fn order(app: &App, items: &[(&str, &str, i64)], mode: PaymentMode) -> Order {
    let ente = EnteConfig::from_portal(app.session.ente().unwrap().expect("ente cached"))
        .expect("valid catalog");
    let mut state = RicaricaState::new();
    for (child, service, euro) in items {
        state = state
            .apply(RicaricaEvent::ChooseAmount {
                choice: AmountChoice::Preset(Amount::from_cents(euro * 100)),
            })
            .unwrap();
        state = state
            .apply(RicaricaEvent::AddItem {
                child_id: (*child).to_owned(),
                service: ente.service(service).expect("service").clone(),
            })
            .unwrap();
    }
    let email = app.session.account().unwrap().unwrap().parent.email;
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

/// The payer presses a button of the checkout page ("pay", "cancel", "fail", "pending"); the
/// answer is where the checkout sends the browser (the 303 Location), not followed.
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

pub fn stored(app: &App, local_id: &str) -> StoredRicarica {
    app.session
        .store()
        .ricarica(local_id)
        .unwrap()
        .expect("stored ricarica")
}

/// Moves the sandbox's clock past its registration delay: no real time is waited.
pub fn after_registration_delay(sandbox: &SandboxHandle) {
    sandbox.advance_clock(REGISTRATION_DELAY + Duration::from_millis(1));
}
