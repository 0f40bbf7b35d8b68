//! The screens kept up to date by the core, and the background run, against the sandbox: the
//! esito screen follows a paid top-up to registered with no call after the return URL, a Saldo
//! subscription sees the new balance, a cancelled subscription leaves no task behind, and the
//! background run announces each event once, across runs, in the app's language.

mod ricarica_support;

use std::collections::BTreeSet;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use comunicapp_core::app::App;
use comunicapp_core::background::{self, Destination, NotificationKind};
use comunicapp_core::copy::Lang;
use comunicapp_core::ricarica::{PaymentMode, PollPolicy, RicaricaEngine, RicaricaStep};
use comunicapp_core::saldo::SaldoView;
use comunicapp_sandbox::REFEZIONE;
use ricarica_support::*;

const GIULIA: &str = "alu-0001";
const WAIT: Duration = Duration::from_secs(15);

fn quick_follow() -> PollPolicy {
    PollPolicy {
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(300),
        budget: Duration::MAX,
    }
}

/// The app over a logged-in, synced session, as `App::open` would make it.
fn live_app(support: &ricarica_support::App, sandbox: &comunicapp_sandbox::SandboxHandle) -> App {
    let engine = RicaricaEngine::new(support.session.clone(), config(sandbox)).expect("engine");
    App::with_engine(Arc::new(engine), quick_follow())
}

fn balance_of(view: &SaldoView, child: &str, service: &str) -> Option<i64> {
    view.children
        .iter()
        .find(|c| c.child_id == child)?
        .services
        .iter()
        .find(|s| s.service_code == service)
        .map(|s| s.balance_cents)
}

async fn until_count(app: &App, expected: usize) -> usize {
    for _ in 0..200 {
        if app.live_tasks() == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    app.live_tasks()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esito_segue_la_ricarica_fino_alla_registrazione_senza_altre_chiamate() {
    let sandbox = sandbox().await;
    let support = app(&sandbox, "live-esito").await;
    let app = live_app(&support, &sandbox);
    let before = balance_of(&app.session.saldo().unwrap(), GIULIA, REFEZIONE).unwrap();

    let (saldo_sent, saldo_seen) = mpsc::channel();
    let saldo_handle = app.subscribe_saldo(move |view| {
        let _ = saldo_sent.send(view);
    });
    let first = saldo_seen
        .recv_timeout(WAIT)
        .expect("the current Saldo at once");
    assert_eq!(balance_of(&first, GIULIA, REFEZIONE), Some(before));

    let order = order(&support, &[(GIULIA, REFEZIONE, 20)], PaymentMode::Online);
    let view = app.engine.submit(&order).await.unwrap();
    let checkout = view.checkout.clone().expect("checkout");
    let back = press(&checkout.checkout_url, "pay").await;
    let paid = app.handle_return_url(&back).await.unwrap();
    assert_eq!(paid.step, RicaricaStep::PaidAwaitingRegistration);
    assert_eq!(
        paid.message,
        "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore"
    );

    // From here on the test only listens.
    let (esito_sent, esito_seen) = mpsc::channel();
    let esito_handle = app
        .subscribe_ricarica(&paid.local_id, move |view| {
            let _ = esito_sent.send(view);
        })
        .unwrap();
    let mut steps = Vec::new();
    let mut new_balance = None;
    while new_balance.is_none() {
        let view = esito_seen.recv_timeout(WAIT).expect("the esito moves on");
        if view.step != RicaricaStep::Registered {
            assert_eq!(view.items[0].balance_after_cents, None, "{view:?}");
        }
        new_balance = view.items[0].balance_after_cents;
        steps.push(view.step);
    }
    assert_eq!(steps.first(), Some(&RicaricaStep::PaidAwaitingRegistration));
    assert_eq!(steps.last(), Some(&RicaricaStep::Registered));
    // The esito's new balance is the portal's after the registration, never the old one.
    assert_eq!(new_balance, Some(before + 2_000));
    let registered = support.engine.get(&paid.local_id).unwrap().unwrap();
    assert_eq!(registered.items[0].child_name.as_deref(), Some("Giulia"));
    assert_eq!(registered.items[0].service_label, "Refezione buono pasto");
    assert_eq!(registered.summary, "Giulia · Refezione buono pasto");
    loop {
        let view = saldo_seen.recv_timeout(WAIT).expect("the Saldo follows");
        if balance_of(&view, GIULIA, REFEZIONE) == Some(before + 2_000) {
            break;
        }
    }
    // The follower ended with the registration; the two subscriptions are what is left.
    assert_eq!(until_count(&app, 2).await, 2);
    esito_handle.cancel();
    drop(saldo_handle);
    assert_eq!(until_count(&app, 0).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn un_ascoltatore_bloccato_non_ferma_il_core() {
    let sandbox = sandbox().await;
    let support = app(&sandbox, "live-slow").await;
    let app = live_app(&support, &sandbox);
    let (release, held) = mpsc::channel::<()>();
    let held = std::sync::Mutex::new(held);
    let (sent, seen) = mpsc::channel();
    let _handle = app.subscribe_saldo(move |view| {
        let _ = sent.send(view);
        // Stuck until the test lets go: a screen that takes its time.
        let _ = held.lock().map(|h| h.recv());
    });
    seen.recv_timeout(WAIT).expect("first view");
    // While the listener is stuck the core refreshes, twice, and a reader is not held up.
    app.session.refresh().await.unwrap();
    app.session.refresh().await.unwrap();
    assert!(app.session.saldo().is_ok());
    let _ = release.send(());
    let _ = release.send(());
    let latest = seen
        .recv_timeout(WAIT)
        .expect("the latest view after the listener returns");
    assert_eq!(latest, app.session.saldo().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn le_notifiche_arrivano_una_volta_sola_anche_dopo_un_riavvio() {
    let sandbox = sandbox().await;
    let support = app(&sandbox, "background-once").await;
    let app = live_app(&support, &sandbox);

    let report = app.run_background(Duration::from_secs(10)).await.unwrap();
    assert!(report.completed && report.refreshed, "{report:?}");
    let saldo = app.session.saldo().unwrap();
    let expect = |debt: bool| -> BTreeSet<(String, String)> {
        saldo
            .children
            .iter()
            .flat_map(|c| c.services.iter().map(move |s| (c, s)))
            .filter(|(_, s)| {
                if debt {
                    s.in_debt
                } else {
                    s.low_credit && !s.in_debt
                }
            })
            .map(|(c, s)| (c.child_id.clone(), s.service_code.clone()))
            .collect()
    };
    let announced = |kind: NotificationKind| -> BTreeSet<(String, String)> {
        report
            .notifications
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| match &n.destination {
                Destination::Saldo {
                    child_id,
                    service_code,
                } => (child_id.clone(), service_code.clone()),
                other => panic!("a credit notification opens the Saldo, not {other:?}"),
            })
            .collect()
    };
    assert!(!expect(true).is_empty(), "the seeded family has a debt");
    assert_eq!(announced(NotificationKind::CreditInDebt), expect(true));
    assert_eq!(announced(NotificationKind::CreditLow), expect(false));
    let debt = report
        .notifications
        .iter()
        .find(|n| n.kind == NotificationKind::CreditInDebt)
        .unwrap();
    assert!(debt.title.ends_with(": credito esaurito"), "{}", debt.title);
    assert!(debt.body.contains("da saldare"), "{}", debt.body);
    let numbers: BTreeSet<i32> = report.notifications.iter().map(|n| n.numeric_id).collect();
    assert_eq!(numbers.len(), report.notifications.len());

    let again = app.run_background(Duration::from_secs(10)).await.unwrap();
    assert!(again.completed);
    assert!(again.notifications.is_empty(), "{:?}", again.notifications);

    // A new process on the same files: still nothing to announce.
    drop(app);
    let reopened = live_app(&support, &sandbox);
    let after_restart = reopened
        .run_background(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(after_restart.notifications.is_empty());

    // The avviso: a month before its due date it is no news; two days before, once.
    let avviso = reopened.session.pagamenti().unwrap().avvisi_da_pagare[0].clone();
    let days_before = |days| {
        let noon = avviso.due_date.and_hms_opt(12, 0, 0).unwrap() - chrono::Duration::days(days);
        Utc.from_utc_datetime(&noon)
    };
    let early = background::run(
        reopened.engine.clone(),
        Duration::from_secs(10),
        days_before(30),
    )
    .await
    .unwrap();
    assert!(early
        .notifications
        .iter()
        .all(|n| n.kind != NotificationKind::AvvisoDueSoon));
    let two_days_before = days_before(2);
    let due = background::run(
        reopened.engine.clone(),
        Duration::from_secs(10),
        two_days_before,
    )
    .await
    .unwrap();
    let kinds: Vec<NotificationKind> = due.notifications.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [NotificationKind::AvvisoDueSoon]);
    assert_eq!(
        due.notifications[0].destination,
        Destination::Avviso {
            avviso_id: avviso.id.clone()
        }
    );
    assert!(due.notifications[0].body.contains(&avviso.due_date_label));
    let due_again = background::run(
        reopened.engine.clone(),
        Duration::from_secs(10),
        two_days_before,
    )
    .await
    .unwrap();
    assert!(due_again.notifications.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn una_ricarica_registrata_in_background_e_annunciata_e_il_budget_e_rispettato() {
    let sandbox = sandbox().await;
    let support = app(&sandbox, "background-registered").await;
    let app = live_app(&support, &sandbox);
    app.run_background(Duration::from_secs(10)).await.unwrap();

    let order = order(&support, &[(GIULIA, REFEZIONE, 20)], PaymentMode::Online);
    let view = app.engine.submit(&order).await.unwrap();
    let back = press(&view.checkout.clone().unwrap().checkout_url, "pay").await;
    // The app is killed before the return URL reaches it; the background run settles it.
    let _ = back;
    after_registration_delay(&sandbox);

    let none = app.run_background(Duration::ZERO).await.unwrap();
    assert!(!none.completed && none.notifications.is_empty(), "{none:?}");

    let mut registered = Vec::new();
    for _ in 0..20 {
        let report = app.run_background(Duration::from_secs(10)).await.unwrap();
        assert!(report.completed);
        registered.extend(
            report
                .notifications
                .into_iter()
                .filter(|n| n.kind == NotificationKind::RicaricaRegistered),
        );
        if !registered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(registered.len(), 1);
    assert_eq!(
        registered[0].destination,
        Destination::Ricarica {
            local_id: view.local_id.clone()
        }
    );
    assert!(
        registered[0].body.contains("€ 20,00"),
        "{}",
        registered[0].body
    );
    let later = app.run_background(Duration::from_secs(10)).await.unwrap();
    assert!(later
        .notifications
        .iter()
        .all(|n| n.kind != NotificationKind::RicaricaRegistered));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_inglese_importi_date_notifiche_ed_errori() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("english");
    let mut options = quick_options();
    options.lang = Lang::En;
    let session = ricarica_support::open_with(&sandbox, &dir, options).await;
    let saldo = session.saldo().unwrap();
    assert!(
        saldo.freshness.label.starts_with("Updated "),
        "{}",
        saldo.freshness.label
    );
    let amounts: Vec<&str> = saldo
        .children
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.balance_display.as_str()))
        .collect();
    assert!(
        amounts.iter().all(|a| a.contains('€') && !a.contains("€ ")),
        "{amounts:?}"
    );
    let labels: Vec<&str> = saldo
        .children
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.service_label.as_str()))
        .collect();
    assert!(labels.contains(&"School meals"), "{labels:?}");

    let engine = RicaricaEngine::new(Arc::new(session), config(&sandbox)).unwrap();
    let app = App::with_engine(Arc::new(engine), quick_follow());
    let report = app.run_background(Duration::from_secs(10)).await.unwrap();
    let debt = report
        .notifications
        .iter()
        .find(|n| n.kind == NotificationKind::CreditInDebt)
        .expect("the debt, in English");
    assert!(debt.title.ends_with(": credit used up"), "{}", debt.title);

    let bad = app
        .engine
        .draft_apply(comunicapp_core::ricarica::DraftAction::ChooseCustom {
            text: "20,505".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(bad.message_key(), "importo.troppi_decimali");
    assert_eq!(
        Lang::En.error_message(bad.message_key(), &bad.to_string()),
        "Use at most two decimals"
    );
}
