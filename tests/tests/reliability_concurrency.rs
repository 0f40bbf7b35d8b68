//! Issue 11, "Concurrency": one logged-in session on a real SQLite file, eight tokio tasks at
//! once — two refreshing, one reading the Saldo, one subscribing to the live Saldo and Pagamenti
//! views (subscribe, receive, drop), one reading Pagamenti and the top-up history, three topping
//! up online (submit, the checkout's pay button, the return URL, then the live esito until the
//! portal registers it, which the `for_tests()` sandbox does 2 s after the payment). The access
//! token lives 10 s, so token refreshes happen in the middle of all this too.
//!
//! Then: no deadlock (every operation has a watchdog), no error at all reaching a caller — in
//! particular none whose text or kind is SQLite's "database is locked" / busy —, every top-up
//! registered and paid exactly once on the sandbox, the app's top-ups the portal's, the Saldo the
//! portal's balances, no live task left behind, and `PRAGMA integrity_check` "ok" on both files.
//!
//! It runs for `COMUNICAPP_CONCURRENCY_SECS` seconds, 5 by default (what `make test` runs);
//! `make reliability` sets 60. Prints
//! `RELIABILITY<TAB>concurrency<TAB><operations><TAB>operations by 8 tasks in <secs> s, 0 errors`.

mod ricarica_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comunicapp_core::api::{ClientOptions, ErrorKind};
use comunicapp_core::app::App;
use comunicapp_core::ricarica::{
    Order, PaymentMode, PollPolicy, RicaricaEngine, RicaricaError, RicaricaStep,
};
use comunicapp_core::store::Store;
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::wire::RicaricaStatus;
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle, REFEZIONE, SCUOLABUS};
use ricarica_support::{sandbox_balances, shown_balances, DataDir};
use tokio::sync::mpsc;

const TASKS: usize = 8;
const DEFAULT_SECS: u64 = 5;
/// An operation that takes longer than this is taken for a deadlock.
const WATCHDOG: Duration = Duration::from_secs(30);
/// How often the reading tasks read: a screen redrawn at 500 Hz, not a busy loop.
const READ_EVERY: Duration = Duration::from_millis(2);

#[derive(Debug, Clone, Copy)]
enum Role {
    Refresh,
    Saldo,
    Subscriptions,
    Pagamenti,
    TopUp {
        child: &'static str,
        service: &'static str,
        euro: i64,
    },
}

const ROLES: [Role; TASKS] = [
    Role::Refresh,
    Role::Refresh,
    Role::Saldo,
    Role::Subscriptions,
    Role::Pagamenti,
    Role::TopUp {
        child: "alu-0001",
        service: REFEZIONE,
        euro: 10,
    },
    Role::TopUp {
        child: "alu-0002",
        service: REFEZIONE,
        euro: 20,
    },
    Role::TopUp {
        child: "alu-0001",
        service: SCUOLABUS,
        euro: 50,
    },
];

/// What every task shares.
struct World {
    sandbox: SandboxHandle,
    session: Arc<Session>,
    app: App,
    deadline: Instant,
    operations: AtomicU64,
    /// Operations by name, for the summary.
    by_name: Mutex<BTreeMap<&'static str, u64>>,
    /// `task/operation: error`, every failure a caller saw.
    errors: Mutex<Vec<String>>,
    /// SQLite's lock or busy errors (or any storage error) among them.
    lock_errors: AtomicU64,
    /// (child, service) → cents topped up and registered.
    topped_up: Mutex<BTreeMap<(String, String), i64>>,
}

impl World {
    fn done(&self, name: &'static str) {
        self.operations.fetch_add(1, Ordering::Relaxed);
        *self
            .by_name
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(name)
            .or_default() += 1;
    }

    fn failed(&self, task: usize, operation: &str, text: String, kind: Option<ErrorKind>) {
        let lower = text.to_lowercase();
        if lower.contains("locked") || lower.contains("busy") || kind == Some(ErrorKind::Storage) {
            self.lock_errors.fetch_add(1, Ordering::Relaxed);
        }
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("task {task} {operation}: {text}"));
    }

    fn ricarica_failed(&self, task: usize, operation: &str, error: &RicaricaError) {
        let kind = match error {
            RicaricaError::Api(e) => Some(e.kind()),
            RicaricaError::NotConfirmed { source, .. } => Some(source.kind()),
            _ => None,
        };
        self.failed(task, operation, format!("{error} / {error:?}"), kind);
    }

    fn running(&self) -> bool {
        Instant::now() < self.deadline
    }
}

/// Runs `operation` under the watchdog; `None` (and an error) if it hung.
async fn guarded<T>(
    world: &World,
    task: usize,
    name: &str,
    operation: impl std::future::Future<Output = T>,
) -> Option<T> {
    match tokio::time::timeout(WATCHDOG, operation).await {
        Ok(value) => Some(value),
        Err(_) => {
            world.failed(
                task,
                name,
                format!("no answer in {WATCHDOG:?}: deadlock?"),
                None,
            );
            None
        }
    }
}

async fn run_task(world: Arc<World>, task: usize, role: Role, order: Option<Order>) {
    let mut reads = tokio::time::interval(READ_EVERY);
    reads.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while world.running() {
        match role {
            Role::Refresh => {
                match guarded(&world, task, "refresh", world.session.refresh()).await {
                    Some(Ok(_)) => world.done("refresh"),
                    Some(Err(error)) => world.failed(
                        task,
                        "refresh",
                        format!("{error} / {error:?}"),
                        Some(error.kind()),
                    ),
                    None => return,
                }
            }
            Role::Saldo => {
                reads.tick().await;
                match world.session.saldo() {
                    Ok(view) if view.children.len() == 3 => world.done("saldo"),
                    Ok(view) => world.failed(
                        task,
                        "saldo",
                        format!("{} children", view.children.len()),
                        None,
                    ),
                    Err(error) => world.failed(
                        task,
                        "saldo",
                        format!("{error} / {error:?}"),
                        Some(error.kind()),
                    ),
                }
            }
            Role::Pagamenti => {
                reads.tick().await;
                match world.app.pagamenti() {
                    Ok(_) => world.done("pagamenti"),
                    Err(error) => world.ricarica_failed(task, "pagamenti", &error),
                }
                match world.app.engine.history() {
                    Ok(_) => world.done("history"),
                    Err(error) => world.ricarica_failed(task, "history", &error),
                }
            }
            Role::Subscriptions => {
                let (saldo_sent, mut saldo_seen) = mpsc::unbounded_channel();
                let (pagamenti_sent, mut pagamenti_seen) = mpsc::unbounded_channel();
                let saldo = world.app.subscribe_saldo(move |view| {
                    let _ = saldo_sent.send(view);
                });
                let pagamenti = world.app.subscribe_pagamenti(move |view| {
                    let _ = pagamenti_sent.send(view);
                });
                let received = async { (saldo_seen.recv().await, pagamenti_seen.recv().await) };
                match guarded(&world, task, "subscribe", received).await {
                    Some((Some(_), Some(_))) => world.done("subscribe, receive, drop"),
                    Some(_) => world.failed(task, "subscribe", "the channel closed".into(), None),
                    None => return,
                }
                drop(saldo);
                drop(pagamenti);
            }
            Role::TopUp { .. } => {
                if !top_up(&world, task, role, order.as_ref().expect("order")).await {
                    return;
                }
            }
        }
    }
}

/// One online top-up from PROSEGUI to registered; false when the task cannot go on.
async fn top_up(world: &World, task: usize, role: Role, order: &Order) -> bool {
    let Role::TopUp {
        child,
        service,
        euro,
    } = role
    else {
        return false;
    };
    let engine = &world.app.engine;
    let view = match guarded(world, task, "submit", engine.submit(order)).await {
        Some(Ok(view)) => view,
        Some(Err(error)) => {
            world.ricarica_failed(task, "submit", &error);
            return false;
        }
        None => return false,
    };
    world.done("submit");
    let Some(checkout) = view.checkout.clone() else {
        world.failed(
            task,
            "submit",
            format!("no checkout at {:?}", view.step),
            None,
        );
        return false;
    };
    // The esito screen, subscribed before the browser comes back.
    let (sent, mut seen) = mpsc::unbounded_channel();
    let esito = match world.app.subscribe_ricarica(&view.local_id, move |view| {
        let _ = sent.send(view);
    }) {
        Ok(handle) => handle,
        Err(error) => {
            world.ricarica_failed(task, "subscribe_ricarica", &error);
            return false;
        }
    };
    let back = ricarica_support::press(&checkout.checkout_url, "pay").await;
    match guarded(world, task, "return", world.app.handle_return_url(&back)).await {
        Some(Ok(paid))
            if matches!(
                paid.step,
                RicaricaStep::PaidAwaitingRegistration | RicaricaStep::Registered
            ) =>
        {
            world.done("return URL")
        }
        Some(Ok(other)) => {
            world.failed(task, "return", format!("{:?}", other.step), None);
            return false;
        }
        Some(Err(error)) => {
            world.ricarica_failed(task, "return", &error);
            return false;
        }
        None => return false,
    }
    // The core follows the top-up by itself; the esito is told when the portal registers it.
    let registered = async {
        while let Some(view) = seen.recv().await {
            if view.step == RicaricaStep::Registered {
                return true;
            }
        }
        false
    };
    match guarded(world, task, "settle", registered).await {
        Some(true) => world.done("settled"),
        Some(false) => {
            world.failed(task, "settle", "the esito channel closed".into(), None);
            return false;
        }
        None => return false,
    }
    drop(esito);
    *world
        .topped_up
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry((child.to_owned(), service.to_owned()))
        .or_default() += euro * 100;
    true
}

/// `PRAGMA integrity_check` on a closed database file: with the sqlite3 shell when installed,
/// otherwise reopening it as the store and running its own check (`quick_check`).
fn integrity(cache: &Path, records: &Path) -> Result<String, String> {
    let shell = |file: &Path| {
        std::process::Command::new("sqlite3")
            .arg("-readonly")
            .arg(file)
            .arg("PRAGMA integrity_check;")
            .output()
    };
    match (shell(cache), shell(records)) {
        (Ok(a), Ok(b)) if a.status.success() && b.status.success() => {
            let verdicts = [a, b].map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
            if verdicts.iter().all(|v| v == "ok") {
                Ok("PRAGMA integrity_check (sqlite3): ok, ok".to_owned())
            } else {
                Err(format!("integrity_check: {verdicts:?}"))
            }
        }
        _ => {
            let store = Store::open(cache).map_err(|e| format!("reopen: {e:?}"))?;
            if store.was_rebuilt() {
                return Err("the store was rebuilt on reopening".to_owned());
            }
            match store.check_integrity() {
                Ok(true) => Ok("quick_check (no sqlite3 shell): ok".to_owned()),
                other => Err(format!("quick_check: {other:?}")),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn otto_compiti_insieme_nessuno_stallo_nessun_lock_archivio_coerente() {
    let secs: u64 = std::env::var("COMUNICAPP_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_SECS);
    let sandbox = start(SandboxConfig {
        access_token_ttl: Duration::from_secs(10),
        ..SandboxConfig::for_tests()
    })
    .await
    .expect("sandbox starts");
    let dir = DataDir::new("concurrency");
    let options = SessionOptions {
        client: ClientOptions::development(),
        refresh_margin: Duration::from_secs(5),
        ..SessionOptions::development()
    };
    let session = Arc::new(ricarica_support::open_with(&sandbox, &dir, options).await);
    let cache_file: PathBuf = session.store().path().to_owned();
    let records_file = session.store().records_path();
    let engine = Arc::new(
        RicaricaEngine::new(session.clone(), ricarica_support::config(&sandbox)).expect("engine"),
    );
    let follow = PollPolicy {
        first_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(500),
        budget: Duration::MAX,
    };
    let app = App::with_engine(engine.clone(), follow);
    // The parent's taps for each top-up task, made once.
    let taps = ricarica_support::App {
        session: session.clone(),
        engine: RicaricaEngine::new(session.clone(), ricarica_support::config(&sandbox))
            .expect("engine"),
        dir,
    };
    let orders: Vec<Option<Order>> = ROLES
        .iter()
        .map(|role| match role {
            Role::TopUp {
                child,
                service,
                euro,
            } => Some(ricarica_support::order(
                &taps,
                &[(*child, *service, *euro)],
                PaymentMode::Online,
            )),
            _ => None,
        })
        .collect();
    let balances_before = sandbox_balances(&sandbox);
    let receipts_before = sandbox.state().receipts.len();

    let started = Instant::now();
    let world = Arc::new(World {
        sandbox,
        session: session.clone(),
        app,
        deadline: started + Duration::from_secs(secs),
        operations: AtomicU64::new(0),
        by_name: Mutex::new(BTreeMap::new()),
        errors: Mutex::new(Vec::new()),
        lock_errors: AtomicU64::new(0),
        topped_up: Mutex::new(BTreeMap::new()),
    });
    let tasks: Vec<_> = ROLES
        .iter()
        .zip(orders)
        .enumerate()
        .map(|(i, (role, order))| tokio::spawn(run_task(world.clone(), i, *role, order)))
        .collect();
    // The watchdog of the whole run: the last top-up may take a registration delay past the end.
    let all = futures_util::future::join_all(tasks);
    let joined = tokio::time::timeout(Duration::from_secs(secs) + 2 * WATCHDOG, all)
        .await
        .expect("the tasks end: no deadlock");
    for (i, outcome) in joined.into_iter().enumerate() {
        if let Err(error) = outcome {
            world.failed(i, "task", format!("panicked: {error}"), None);
        }
    }
    let elapsed = started.elapsed();
    let operations = world.operations.load(Ordering::Relaxed);
    let errors = world
        .errors
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let lock_errors = world.lock_errors.load(Ordering::Relaxed);
    let by_name = world
        .by_name
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let refreshes = world
        .sandbox
        .request_log()
        .iter()
        .filter(|r| r.route == "/oauth/token")
        .count();
    println!("{by_name:?}, {refreshes} token exchanges");
    println!(
        "{operations} operations in {:.1} s, {} errors, {lock_errors} lock/busy/storage errors",
        elapsed.as_secs_f64(),
        errors.len()
    );
    assert_eq!(
        lock_errors, 0,
        "a lock, busy or storage error reached a caller: {errors:#?}"
    );
    assert!(errors.is_empty(), "{errors:#?}");

    // Every top-up registered and paid exactly once, and the app's the portal's.
    let sandbox = &world.sandbox;
    let state = sandbox.state();
    let local = world.app.engine.history().expect("history");
    let topped_up = world
        .topped_up
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let expected_topups: usize = ROLES
        .iter()
        .filter(|r| matches!(r, Role::TopUp { .. }))
        .count();
    assert!(
        local.len() >= expected_topups,
        "each top-up task finished at least one: {}",
        local.len()
    );
    assert_eq!(
        local.len(),
        state.ricariche.len(),
        "one portal top-up per app top-up"
    );
    for view in &local {
        let portal_id = view.portal_id.as_deref().expect("portal id");
        let portal = state
            .ricariche
            .iter()
            .find(|r| r.id == portal_id)
            .expect("the portal holds the app's top-up");
        assert_eq!(view.step, RicaricaStep::Registered, "{view:?}");
        assert_eq!(portal.status, RicaricaStatus::Registered, "{portal:?}");
        assert_eq!(portal.total_cents, view.total_cents);
        let receipts = state
            .receipts
            .iter()
            .filter(|r| r.ricarica_id.as_deref() == Some(portal_id))
            .count();
        assert_eq!(receipts, 1, "{portal_id} paid {receipts} times");
    }
    assert_eq!(state.receipts.len() - receipts_before, local.len());
    let balances_after = sandbox_balances(sandbox);
    for (combo, before) in &balances_before {
        let added = topped_up.get(combo).copied().unwrap_or_default();
        assert_eq!(balances_after[combo] - before, added, "{combo:?}");
    }
    world.session.refresh().await.expect("a last refresh");
    assert_eq!(
        shown_balances(&world.session),
        balances_after,
        "the Saldo is the portal's"
    );
    for _ in 0..200 {
        if world.app.live_tasks() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(world.app.live_tasks(), 0, "no live task left behind");

    // Closed, the files are sound (the folder is removed with `dir`, after the check).
    let ricarica_support::App {
        session: taps_session,
        engine: taps_engine,
        dir,
    } = taps;
    drop(taps_engine);
    drop(taps_session);
    drop(world);
    drop(engine);
    let session = Arc::try_unwrap(session).expect("nothing else holds the session");
    drop(session);
    let verdict = integrity(&cache_file, &records_file).expect("integrity");
    println!("{verdict}");
    drop(dir);
    println!(
        "RELIABILITY\tconcurrency\t{operations}\toperations by {TASKS} tasks in {secs} s, 0 errors"
    );
}
