//! The one entry point of the platforms' background schedulers (WorkManager, BGAppRefreshTask):
//! refresh, settle unfinished top-ups, and say which local notifications to post.
//!
//! The apps schedule it and post what it returns; every rule is here. The store remembers what
//! was announced, in the same transaction that decides it, so an event is never notified twice,
//! across runs and after a crash. The work runs as a task of the core and the run only waits for
//! it within the platform's budget: when the budget is over the run returns at once, and the task
//! finishes its step or is killed with the process, which every step is built to survive.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::api::Error;
use crate::copy::Lang;
use crate::pagamenti::PagamentiView;
use crate::ricarica::{RicaricaEngine, RicaricaStep, RicaricaView};
use crate::saldo::SaldoView;

/// An avviso this close to its due date (or past it, unpaid) is announced.
pub const AVVISO_DUE_WITHIN_DAYS: i64 = 5;
/// A registration older than this is history, not news (a first run after installing the app).
pub const REGISTERED_NEWS_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundReport {
    /// To post now, each once.
    pub notifications: Vec<LocalNotification>,
    /// The cache was brought up to date.
    pub refreshed: bool,
    /// Unfinished top-ups that this run settled.
    pub settled: usize,
    /// False when the budget ran out before all of the work was done.
    pub completed: bool,
    /// The code of the refresh's error, when it failed (offline, session expired, …).
    pub refresh_error: Option<String>,
    /// The integrity scan found the cache file damaged: the next open rebuilds it from the
    /// portal (the app may reopen the profile now).
    pub cache_damaged: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    CreditLow,
    CreditInDebt,
    RicaricaRegistered,
    AvvisoDueSoon,
}

/// The screen a tap on the notification opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Saldo {
        child_id: String,
        service_code: String,
    },
    Ricarica {
        local_id: String,
    },
    Avviso {
        avviso_id: String,
    },
    Pagamenti,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalNotification {
    /// Stable: the same event always has the same id.
    pub id: String,
    /// The id as the 31-bit number Android's NotificationManager and the iOS request use.
    pub numeric_id: i32,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub destination: Destination,
}

/// Refreshes, settles the unfinished top-ups, then announces what became true, within `budget`.
pub async fn run(
    engine: Arc<RicaricaEngine>,
    budget: Duration,
    now: DateTime<Utc>,
) -> Result<BackgroundReport, Error> {
    let deadline = tokio::time::Instant::now() + budget;
    let work = Arc::clone(&engine);
    let task = tokio::spawn(async move {
        // The whole-file scan the launch skips; a damaged cache is rebuilt at the next open.
        let damaged = !work.session().store().check_integrity()?;
        let refreshed = work.session().refresh().await;
        let settled = work.resume_pending().await.map(|views| {
            views
                .iter()
                .filter(|v| v.settled && v.error_key.is_none())
                .count()
        });
        Ok::<_, Error>((damaged, refreshed, settled))
    });
    let mut report = BackgroundReport {
        notifications: Vec::new(),
        refreshed: false,
        settled: 0,
        completed: false,
        refresh_error: None,
        cache_damaged: false,
    };
    let Ok(joined) = tokio::time::timeout_at(deadline, task).await else {
        return Ok(report);
    };
    let Ok(outcome) = joined else {
        // The task panicked: nothing it wrote is half-done (each step is one transaction).
        return Ok(report);
    };
    let (damaged, refreshed, settled) = outcome?;
    report.cache_damaged = damaged;
    match refreshed {
        Ok(_) => report.refreshed = true,
        Err(error) => report.refresh_error = Some(error.message_key().to_owned()),
    }
    report.settled = settled.unwrap_or(0);
    let session = engine.session();
    let saldo = session.saldo()?;
    let pagamenti = session.pagamenti()?;
    let ricariche = engine.history().unwrap_or_else(|error| {
        // The credit and avviso notifications do not need them; "registrata" waits a run.
        tracing::warn!(
            key = error.message_key(),
            "top-ups not read for the notifications: {error}"
        );
        Vec::new()
    });
    let events = events(&saldo, &pagamenti, &ricariche, now, session.lang());
    let ids: Vec<String> = events.iter().map(|n| n.id.clone()).collect();
    let fresh = session.store().announce(&ids, now)?;
    report.notifications = events
        .into_iter()
        .filter(|n| fresh.contains(&n.id))
        .collect();
    report.completed = true;
    Ok(report)
}

/// Every event true now, announced or not.
fn events(
    saldo: &SaldoView,
    pagamenti: &PagamentiView,
    ricariche: &[RicaricaView],
    now: DateTime<Utc>,
    lang: Lang,
) -> Vec<LocalNotification> {
    let mut events = Vec::new();
    for child in &saldo.children {
        for service in &child.services {
            let (kind, tag) = if service.in_debt {
                (NotificationKind::CreditInDebt, "debito")
            } else if service.low_credit {
                (NotificationKind::CreditLow, "credito-basso")
            } else {
                continue;
            };
            let (title, body) = credit_texts(
                lang,
                kind,
                &child.name,
                &service.service_label,
                &service.balance_display,
                service.meals_remaining,
            );
            events.push(notification(
                format!("{tag}:{}:{}", child.child_id, service.service_code),
                kind,
                title,
                body,
                Destination::Saldo {
                    child_id: child.child_id.clone(),
                    service_code: service.service_code.clone(),
                },
            ));
        }
    }
    for ricarica in ricariche {
        let recent = (now - ricarica.created_at).num_days() <= REGISTERED_NEWS_DAYS;
        if ricarica.step == RicaricaStep::Registered && recent {
            let (title, body) = match lang {
                Lang::It => (
                    "Ricarica registrata".to_owned(),
                    format!(
                        "La ricarica di {} è stata registrata: il saldo è aggiornato.",
                        ricarica.total_display
                    ),
                ),
                Lang::En => (
                    "Top-up registered".to_owned(),
                    format!(
                        "Your {} top-up has been registered: the balance is up to date.",
                        ricarica.total_display
                    ),
                ),
            };
            events.push(notification(
                format!("ricarica-registrata:{}", ricarica.local_id),
                NotificationKind::RicaricaRegistered,
                title,
                body,
                Destination::Ricarica {
                    local_id: ricarica.local_id.clone(),
                },
            ));
        }
    }
    let today = crate::sync::rome_time(now).date_naive();
    for avviso in &pagamenti.avvisi_da_pagare {
        if (avviso.due_date - today).num_days() > AVVISO_DUE_WITHIN_DAYS {
            continue;
        }
        let (title, body) = match lang {
            Lang::It => (
                "Avviso di pagamento in scadenza".to_owned(),
                format!(
                    "{} di {}: scade il {}.",
                    avviso.description, avviso.amount_display, avviso.due_date_label
                ),
            ),
            Lang::En => (
                "Payment notice due soon".to_owned(),
                format!(
                    "{} of {}: due on {}.",
                    avviso.description, avviso.amount_display, avviso.due_date_label
                ),
            ),
        };
        events.push(notification(
            format!("avviso-in-scadenza:{}", avviso.id),
            NotificationKind::AvvisoDueSoon,
            title,
            body,
            Destination::Avviso {
                avviso_id: avviso.id.clone(),
            },
        ));
    }
    events
}

fn credit_texts(
    lang: Lang,
    kind: NotificationKind,
    child: &str,
    service: &str,
    balance: &str,
    meals: Option<u32>,
) -> (String, String) {
    match (lang, kind, meals) {
        (Lang::It, NotificationKind::CreditInDebt, _) => (
            format!("{child}: credito esaurito"),
            format!("Il saldo di {service} è {balance}: da saldare con una ricarica."),
        ),
        (Lang::En, NotificationKind::CreditInDebt, _) => (
            format!("{child}: credit used up"),
            format!("The {service} balance is {balance}: top it up to settle it."),
        ),
        (Lang::It, _, Some(1)) => (
            format!("{child}: credito in esaurimento"),
            format!("{service}: resta 1 pasto ({balance})."),
        ),
        (Lang::It, _, Some(meals)) => (
            format!("{child}: credito in esaurimento"),
            format!("{service}: restano {meals} pasti ({balance})."),
        ),
        (Lang::It, _, None) => (
            format!("{child}: credito in esaurimento"),
            format!("Il saldo di {service} è {balance}."),
        ),
        (Lang::En, _, Some(1)) => (
            format!("{child}: credit running low"),
            format!("{service}: 1 meal left ({balance})."),
        ),
        (Lang::En, _, Some(meals)) => (
            format!("{child}: credit running low"),
            format!("{service}: {meals} meals left ({balance})."),
        ),
        (Lang::En, _, None) => (
            format!("{child}: credit running low"),
            format!("The {service} balance is {balance}."),
        ),
    }
}

fn notification(
    id: String,
    kind: NotificationKind,
    title: String,
    body: String,
    destination: Destination,
) -> LocalNotification {
    LocalNotification {
        numeric_id: numeric_id(&id),
        id,
        kind,
        title,
        body,
        destination,
    }
}

/// FNV-1a of the id, in 31 bits: stable across runs, builds and platforms.
fn numeric_id(id: &str) -> i32 {
    let hash = id.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    i32::try_from(hash & 0x7fff_ffff).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_are_stable_positive_and_spread() {
        assert_eq!(
            numeric_id("debito:c1:refezione"),
            numeric_id("debito:c1:refezione")
        );
        let ids: std::collections::HashSet<i32> = (0..1000)
            .map(|n| numeric_id(&format!("credito-basso:child-{n}:refezione")))
            .collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| *id >= 0));
    }

    #[test]
    fn credit_texts_speak_the_apps_language() {
        let (title, body) = credit_texts(
            Lang::It,
            NotificationKind::CreditLow,
            "Giulia",
            "Refezione",
            "€ 9,00",
            Some(2),
        );
        assert_eq!(title, "Giulia: credito in esaurimento");
        assert_eq!(body, "Refezione: restano 2 pasti (€ 9,00).");
        let (title, _) = credit_texts(
            Lang::En,
            NotificationKind::CreditInDebt,
            "Luca",
            "School bus",
            "-€8.20",
            None,
        );
        assert_eq!(title, "Luca: credit used up");
    }
}
