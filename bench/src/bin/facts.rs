//! The rows of `make bench` that are counts, not timings, printed as one JSON object:
//! what a refresh with nothing changed costs on the wire, the requests each flow makes, and the
//! peak memory of a large first sync (`facts sync-rss N`, run in a process of its own).

use std::collections::BTreeMap;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use comunicapp_bench::{peak_rss_kib, sandbox_with_total, CountingProxy, DataDir, Profile};
use comunicapp_core::app::App;
use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::ricarica::{
    AmountChoice, PaymentMode, PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEngine,
    RicaricaEvent, RicaricaState,
};
use comunicapp_sandbox::{SandboxHandle, REFEZIONE};
use serde_json::{json, Value};
use url::Url;

type RequestLog = BTreeMap<String, BTreeMap<String, u64>>;

const RUNS: usize = 21;

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or(0)
}

async fn request_log(sandbox: &SandboxHandle) -> RequestLog {
    let url = sandbox.base_url().join("admin/requests").expect("url");
    reqwest::get(url)
        .await
        .expect("request log")
        .json()
        .await
        .expect("request log json")
}

/// Requests per route and outcome between two snapshots of the log.
fn since(before: &RequestLog, after: &RequestLog) -> RequestLog {
    let mut delta = RequestLog::new();
    for (route, outcomes) in after {
        for (outcome, count) in outcomes {
            let was = before.get(route).and_then(|o| o.get(outcome)).copied();
            let added = count - was.unwrap_or(0);
            if added > 0 {
                delta
                    .entry(route.clone())
                    .or_default()
                    .insert(outcome.clone(), added);
            }
        }
    }
    delta
}

fn total(log: &RequestLog) -> u64 {
    log.values().flat_map(BTreeMap::values).sum()
}

/// A refresh right after a sync: nothing changed on the portal.
async fn refresh_unchanged() -> Value {
    let sandbox = sandbox_with_total(3_000).await;
    let proxy = CountingProxy::start(&sandbox).await;
    let dir = DataDir::new("facts-refresh");
    let profile = Profile::logged_in(&sandbox, &proxy.url, dir.path()).await;
    let session = profile.open(dir.path());
    // The first sync, then the one that learns the empty page's ETag at the new cursor.
    session.refresh().await.expect("first sync");
    session.refresh().await.expect("second sync");
    let before = request_log(&sandbox).await;
    proxy.count.take();
    session.refresh().await.expect("unchanged refresh");
    let (up, down) = proxy.count.take();
    let requests = since(&before, &request_log(&sandbox).await);
    // Timings are medians of runs: one run on a loaded machine says little.
    let mut walls = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        session.refresh().await.expect("unchanged refresh");
        walls.push(start.elapsed().as_micros() as u64);
    }
    let wall = median(walls);
    // Each request alone, one after the other, as the core sends them (with what it holds).
    let http = reqwest::Client::new();
    let store = session.store();
    let mut singles = Vec::new();
    for (resource, path) in [
        ("ente", "api/v1/ente"),
        ("account", "api/v1/account"),
        ("balances", "api/v1/balances"),
        ("avvisi", "api/v1/avvisi"),
        ("receipts", "api/v1/receipts"),
        ("movements", "api/v1/movements"),
    ] {
        let mut times = Vec::new();
        let mut answer = 0;
        for _ in 0..RUNS {
            let single = Instant::now();
            answer = single_request(&http, &sandbox, path, resource, store).await;
            times.push(single.elapsed().as_micros() as u64);
        }
        singles.push((resource, median(times), answer));
    }
    let slowest = singles.iter().map(|s| s.1).max().unwrap_or(0);
    let sum: u64 = singles.iter().map(|s| s.1).sum();
    json!({
        "requests": requests,
        "bytes_up": up,
        "bytes_down": down,
        "wall_us": wall,
        "slowest_single_us": slowest,
        "sum_of_singles_us": sum,
        "singles": singles.iter().map(|(r, us, status)| json!({"resource": r, "us": us, "status": status})).collect::<Vec<_>>(),
    })
}

/// One GET of `path` as the core would send it now; returns the status.
async fn single_request(
    http: &reqwest::Client,
    sandbox: &SandboxHandle,
    path: &str,
    resource: &str,
    store: &comunicapp_core::store::Store,
) -> u16 {
    let mut request = http
        .get(sandbox.base_url().join(path).expect("url"))
        .bearer_auth(comunicapp_bench::TEST_TOKEN);
    let etag = if resource == "movements" {
        let (cursor, etag) = store
            .cursor_and_etag(resource)
            .expect("cursor")
            .unwrap_or_default();
        request = request.query(&[("limit", "500"), ("cursor", cursor.as_str())]);
        etag
    } else {
        store.etag(resource).expect("etag")
    };
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    request
        .send()
        .await
        .expect("single request")
        .status()
        .as_u16()
}

fn ricarica_config(sandbox: &SandboxHandle) -> RicaricaConfig {
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

/// The payer presses "pay" on the checkout page; returns where the browser is sent back.
async fn pay(checkout_url: &Url) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    browser
        .get(checkout_url.clone())
        .send()
        .await
        .expect("checkout page");
    let action = Url::parse(&format!("{checkout_url}/pay")).expect("pay url");
    let answer = browser.post(action).send().await.expect("pay");
    answer.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// Requests of each flow an app runs: launch, a live view's update, PROSEGUI, the return URL.
async fn requests_per_flow() -> Value {
    let sandbox = sandbox_with_total(0).await;
    let dir = DataDir::new("facts-flows");
    let profile = Profile::logged_in(&sandbox, &sandbox.base_url(), dir.path()).await;
    profile
        .open(dir.path())
        .refresh()
        .await
        .expect("first sync");

    let before = request_log(&sandbox).await;
    let session = Arc::new(profile.open(dir.path()));
    session.saldo().expect("first frame");
    let launch = since(&before, &request_log(&sandbox).await);

    let engine = RicaricaEngine::new(session.clone(), ricarica_config(&sandbox)).expect("engine");
    let app = App::with_engine(Arc::new(engine), PollPolicy::following_development());
    let before = request_log(&sandbox).await;
    session.refresh().await.expect("refresh");
    let refresh_alone = total(&since(&before, &request_log(&sandbox).await));
    let (sent, seen) = mpsc::channel();
    let handle = app.subscribe_saldo(move |view| {
        let _ = sent.send(view);
    });
    seen.recv_timeout(Duration::from_secs(10))
        .expect("current view");
    let before = request_log(&sandbox).await;
    session.refresh().await.expect("refresh");
    seen.recv_timeout(Duration::from_secs(10))
        .expect("updated view");
    let subscription_extra = total(&since(&before, &request_log(&sandbox).await)) - refresh_alone;
    drop(handle);

    let ente = EnteConfig::from_portal(session.ente().expect("ente").expect("ente cached"))
        .expect("valid catalog");
    let child = session.account().expect("account").expect("cached account");
    let email = Email::parse(&child.parent.email).expect("email");
    let child_id = child.children[0].id.clone();
    let state = RicaricaState::new()
        .apply(RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Preset(Amount::from_cents(2_000)),
        })
        .and_then(|s| {
            s.apply(RicaricaEvent::AddItem {
                child_id,
                service: ente.service(REFEZIONE).expect("refezione").clone(),
            })
        })
        .and_then(|s| s.apply(RicaricaEvent::ConfirmCart { payer_email: email }))
        .and_then(|s| s.apply(RicaricaEvent::ConfirmEmail))
        .and_then(|s| {
            s.apply(RicaricaEvent::ChooseMode {
                mode: PaymentMode::Online,
            })
        })
        .expect("the taps up to the riepilogo");
    let RicaricaState::Riepilogo { order } = state else {
        panic!("not at the riepilogo");
    };
    let before = request_log(&sandbox).await;
    let view = app.engine.submit(&order).await.expect("PROSEGUI");
    let prosegui = since(&before, &request_log(&sandbox).await);
    let checkout = view.checkout.expect("checkout URL");
    let back = pay(&checkout.checkout_url).await;
    let before = request_log(&sandbox).await;
    app.handle_return_url(&back).await.expect("return URL");
    let return_url = since(&before, &request_log(&sandbox).await);
    json!({
        "launch": launch,
        "subscription_update_extra": subscription_extra,
        "prosegui": prosegui,
        "return_url": return_url,
    })
}

/// A first sync of `size` movements, alone in this process, then its peak memory.
async fn sync_rss(size: usize) -> Value {
    let sandbox = sandbox_with_total(size).await;
    let dir = DataDir::new("facts-rss");
    let profile = Profile::logged_in(&sandbox, &sandbox.base_url(), dir.path()).await;
    let report = profile.open(dir.path()).refresh().await.expect("sync");
    json!({ "movements": report.new_movements, "peak_rss_kib": peak_rss_kib() })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let facts = match args.first().map(String::as_str) {
        Some("sync-rss") => {
            let size = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
            sync_rss(size).await
        }
        _ => json!({
            "refresh_unchanged": refresh_unchanged().await,
            "flows": requests_per_flow().await,
        }),
    };
    println!("{facts}");
}
