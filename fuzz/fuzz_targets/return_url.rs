//! The checkout's return URLs as `RicaricaEngine::handle_return_url` receives them, for both
//! return-URL styles (https App Link and the `it.comunicapp://` scheme).
//!
//! At start-up the sandbox parent's account is cached and one online top-up per style is
//! submitted (the portal is never reached: the session is not logged in, so the top-up stays
//! stored with its return URLs and verifier), then moved to "in checkout" with the state
//! machine's own `CheckoutCreated` event. Each input is then
//! delivered to both engines; `{state}`, `{id}` and `{v}` in it stand for that top-up's genuine
//! `state`, local id and verifier, so the fuzzer can build near-genuine URLs it could never guess.
//!
//! Beyond "no panic": an input is accepted if and only if, normalised (trimmed, parsed as a URL;
//! scheme, user info, host, port, path, decoded query pairs and fragment compared), it equals one
//! of the four genuine URLs of that engine's top-up; an accepted URL records exactly that URL's
//! outcome, and delivering it again is refused as replayed.
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::comuni::Comune;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::ricarica::{
    Cart, CartItem, Order, PaymentMode, PollPolicy, ReturnOutcome, ReturnUrlError, ReturnUrlStyle,
    RicaricaConfig, RicaricaEngine, RicaricaError, RicaricaEvent, RicaricaState, RicaricaStep,
};
use comunicapp_core::store::CacheUpdate;
use comunicapp_core::sync::{Session, SessionOptions};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use url::Url;

/// The sandbox parent as `GET /api/v1/account` returns it: the top-up's child must be enrolled.
const ACCOUNT_JSON: &str = r#"{"parent":{"id":"gen-0001","first_name":"Maria","last_name":"Rossi",
    "email":"maria.rossi@example.it"},"children":[{"id":"alu-0001","first_name":"Giulia",
    "last_name":"Rossi","school":"Scuola Primaria","class_name":"4ª B","tariff_band":"B",
    "meal_price_cents":410,"services":["refezione","scuolabus"]}]}"#;

const OUTCOMES: [(&str, ReturnOutcome); 4] = [
    ("ok", ReturnOutcome::Ok),
    ("cancel", ReturnOutcome::Cancel),
    ("error", ReturnOutcome::Error),
    ("waiting", ReturnOutcome::Waiting),
];

/// A URL reduced to what decides where it leads and what it carries.
type Normalised = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<u16>,
    String,
    Vec<(String, String)>,
    Option<String>,
);

fn normalise(text: &str) -> Option<Normalised> {
    let url = Url::parse(text.trim()).ok()?;
    Some((
        url.scheme().to_owned(),
        url.username().to_owned(),
        url.password().map(str::to_owned),
        url.host_str().map(str::to_owned),
        url.port_or_known_default(),
        url.path().to_owned(),
        url.query_pairs().into_owned().collect(),
        url.fragment().map(str::to_owned),
    ))
}

/// One engine with its top-up waiting in the checkout.
struct Pending {
    engine: RicaricaEngine,
    local_id: String,
    state: String,
    verifier: String,
    /// The four URLs handed to the checkout, normalised, with their outcomes.
    genuine: Vec<(Normalised, ReturnOutcome)>,
    /// The stored record while in the checkout, to put back after each accepted URL.
    in_checkout_json: String,
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    pending: Vec<Pending>,
}

/// The store of each fuzzing process lives here; those of processes that are gone are removed.
fn data_dir() -> PathBuf {
    let root = std::env::temp_dir().join("comunicapp-fuzz-return-url");
    if let Ok(entries) = std::fs::read_dir(&root) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let alive = name.parse::<u32>().is_ok_and(|pid| {
                PathBuf::from(format!("/proc/{pid}")).exists() && pid != std::process::id()
            });
            if !alive {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = root.join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).expect("fuzz data dir");
    dir
}

impl Fixture {
    fn new() -> Fixture {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        // Port 9 (discard) on loopback: never contacted, the session is not logged in.
        let portal = Url::parse("http://127.0.0.1:9/").expect("portal URL");
        let comune = Comune::sandbox(portal).expect("sandbox comune");
        let secrets: Arc<dyn SecureStore> = Arc::new(MemorySecureStore::new());
        let session = Arc::new(
            Session::open(&data_dir(), &comune, secrets, SessionOptions::development())
                .expect("session"),
        );
        let account = CacheUpdate {
            fresh: vec![("account".to_owned(), ACCOUNT_JSON.to_owned(), None)],
            ..CacheUpdate::default()
        };
        session
            .store()
            .apply(&account, chrono::Utc::now())
            .expect("account cached");
        let pending = [ReturnUrlStyle::app_link(), ReturnUrlStyle::custom_scheme()]
            .into_iter()
            .map(|style| runtime.block_on(Pending::new(Arc::clone(&session), style)))
            .collect();
        Fixture { runtime, pending }
    }
}

impl Pending {
    async fn new(session: Arc<Session>, style: ReturnUrlStyle) -> Pending {
        let config = RicaricaConfig {
            return_urls: style,
            poll: PollPolicy {
                first_delay: Duration::ZERO,
                max_delay: Duration::ZERO,
                budget: Duration::ZERO,
            },
        };
        let engine = RicaricaEngine::new(Arc::clone(&session), config).expect("engine");
        let cart = Cart::try_from(vec![CartItem {
            child_id: "alu-0001".to_owned(),
            service_code: "refezione".to_owned(),
            amount: Amount::from_cents(2050),
        }])
        .expect("cart");
        let order = Order {
            cart,
            payer_email: Email::parse("maria.rossi@example.it").expect("e-mail"),
            mode: PaymentMode::Online,
        };
        let local_id = match engine.submit(&order).await {
            Err(RicaricaError::NotConfirmed { local_id, .. }) => local_id,
            other => panic!("submitting while logged out must stay unconfirmed: {other:?}"),
        };
        let stored = session
            .store()
            .ricarica(&local_id)
            .expect("store")
            .expect("stored top-up");
        let mut record: Value = serde_json::from_str(&stored.state_json).expect("record JSON");
        let verifier = record["return_verifier"]
            .as_str()
            .expect("online top-up has a verifier")
            .to_owned();
        let urls = &record["request"]["return_urls"];
        let genuine: Vec<(Normalised, ReturnOutcome)> = OUTCOMES
            .iter()
            .map(|(name, outcome)| {
                let url = urls[name].as_str().expect("return URL");
                (normalise(url).expect("genuine URL parses"), *outcome)
            })
            .collect();
        let state = format!("{local_id}.{verifier}");
        for (normalised, _) in &genuine {
            assert_eq!(normalised.6, [("state".to_owned(), state.clone())]);
        }
        let machine: RicaricaState =
            serde_json::from_value(record["machine"].clone()).expect("machine");
        let in_checkout = machine
            .apply(RicaricaEvent::CheckoutCreated {
                ricarica_id: "rc-fuzz".to_owned(),
                checkout_url: Url::parse("https://checkout.pagopa.it/c/fuzz").expect("URL"),
            })
            .expect("submitting → in checkout");
        record["machine"] = serde_json::to_value(&in_checkout).expect("machine JSON");
        let in_checkout_json = record.to_string();
        let moved = session
            .store()
            .update_ricarica(
                &local_id,
                &stored.state_json,
                &in_checkout_json,
                false,
                stored.updated_at,
            )
            .expect("store");
        assert!(moved, "top-up moved to the checkout");
        let pending = Pending {
            engine,
            local_id,
            state,
            verifier,
            genuine,
            in_checkout_json,
        };
        assert_eq!(pending.step(), RicaricaStep::InCheckout);
        pending
    }

    fn step(&self) -> RicaricaStep {
        self.view_outcome().0
    }

    fn view_outcome(&self) -> (RicaricaStep, Option<ReturnOutcome>) {
        let view = self
            .engine
            .get(&self.local_id)
            .expect("store")
            .expect("the top-up is kept");
        (view.step, view.provisional_outcome)
    }

    /// Puts the top-up back in the checkout after an accepted URL moved it on.
    fn reset(&self) {
        let store = self.engine.session().store();
        let stored = store
            .ricarica(&self.local_id)
            .expect("store")
            .expect("stored top-up");
        let moved = store
            .update_ricarica(
                &self.local_id,
                &stored.state_json,
                &self.in_checkout_json,
                false,
                stored.updated_at,
            )
            .expect("store");
        assert!(moved && self.step() == RicaricaStep::InCheckout);
    }
}

enum Verdict {
    Refused,
    Replayed,
    /// Past the check: the top-up was moved on (whatever polling the portal then said).
    Accepted,
}

fn deliver(runtime: &tokio::runtime::Runtime, engine: &RicaricaEngine, url: &str) -> Verdict {
    match runtime.block_on(engine.handle_return_url(url)) {
        Err(RicaricaError::ReturnUrl(
            ReturnUrlError::Malformed | ReturnUrlError::Foreign | ReturnUrlError::Forged,
        )) => Verdict::Refused,
        Err(RicaricaError::ReturnUrl(ReturnUrlError::Replayed { .. })) => Verdict::Replayed,
        Err(RicaricaError::ReturnUrl(ReturnUrlError::BadConfiguration)) => {
            panic!("a fixed, valid configuration was refused for {url:?}")
        }
        Ok(_) | Err(_) => Verdict::Accepted,
    }
}

thread_local! {
    static FIXTURE: Fixture = Fixture::new();
}

fuzz_target!(|data: &[u8]| {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
    FIXTURE.with(|fixture| {
        for pending in &fixture.pending {
            let url = template
                .replace("{state}", &pending.state)
                .replace("{id}", &pending.local_id)
                .replace("{v}", &pending.verifier);
            let expected = normalise(&url).and_then(|n| {
                pending
                    .genuine
                    .iter()
                    .find(|(genuine, _)| *genuine == n)
                    .map(|(_, outcome)| *outcome)
            });
            match (deliver(&fixture.runtime, &pending.engine, &url), expected) {
                (Verdict::Refused, None) => {}
                (Verdict::Refused, Some(outcome)) => {
                    panic!("genuine {outcome:?} URL refused: {url:?}")
                }
                (Verdict::Replayed, _) => {
                    panic!("replayed while the top-up is in the checkout: {url:?}")
                }
                (Verdict::Accepted, None) => panic!("accepted a URL that is not ours: {url:?}"),
                (Verdict::Accepted, Some(outcome)) => {
                    assert_eq!(
                        pending.view_outcome(),
                        (RicaricaStep::Returned, Some(outcome)),
                        "{url:?}"
                    );
                    assert!(
                        matches!(
                            deliver(&fixture.runtime, &pending.engine, &url),
                            Verdict::Replayed
                        ),
                        "second delivery of {url:?} not refused as replayed"
                    );
                    pending.reset();
                }
            }
        }
    });
});
