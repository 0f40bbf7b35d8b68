//! Live views and the background run for the apps: listeners implemented in Kotlin and Swift,
//! the handle that owns each subscription, and the notifications to post.

use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::{background as core, live};

use crate::error::{ApiError, InLang};
use crate::ricarica::RicaricaView;
use crate::session::{ComunicApp, PagamentiView, SaldoView};

/// Called from a core thread, one view at a time per subscription; may take its time (the
/// core goes on and the listener later gets the latest view).
#[uniffi::export(with_foreign)]
pub trait SaldoListener: Send + Sync {
    fn on_update(&self, view: SaldoView);
}

#[uniffi::export(with_foreign)]
pub trait PagamentiListener: Send + Sync {
    fn on_update(&self, view: PagamentiView);
}

#[uniffi::export(with_foreign)]
pub trait RicaricaListener: Send + Sync {
    fn on_update(&self, view: RicaricaView);
}

/// Owns one subscription: `cancel()` or dropping it stops the core's task.
#[derive(uniffi::Object)]
pub struct TaskHandle(live::TaskHandle);

#[uniffi::export]
impl TaskHandle {
    pub fn cancel(&self) {
        self.0.cancel();
    }

    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct BackgroundReport {
    pub notifications: Vec<LocalNotification>,
    pub refreshed: bool,
    pub settled: u32,
    /// False when the budget ran out first; nothing is half-written either way.
    pub completed: bool,
    /// The error code of the refresh, when it failed.
    pub refresh_error: Option<String>,
    /// The cache file was found damaged: reopen the profile to rebuild it from the portal.
    pub cache_damaged: bool,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct LocalNotification {
    /// Stable: the same event always has the same id.
    pub id: String,
    /// For NotificationManager.notify / UNNotificationRequest.
    pub numeric_id: i32,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub destination: Destination,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NotificationKind {
    CreditLow,
    CreditInDebt,
    RicaricaRegistered,
    AvvisoDueSoon,
}

/// The screen a tap on the notification opens.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
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

#[uniffi::export(async_runtime = "tokio")]
impl ComunicApp {
    /// The Saldo screen, now and after every change.
    pub fn subscribe_saldo(&self, listener: Arc<dyn SaldoListener>) -> Arc<TaskHandle> {
        let handle = self
            .app()
            .subscribe_saldo(move |view| listener.on_update(view.into()));
        Arc::new(TaskHandle(handle))
    }

    /// The Pagamenti screen (avvisi, ricariche in corso, storico), now and after every change.
    pub fn subscribe_pagamenti(&self, listener: Arc<dyn PagamentiListener>) -> Arc<TaskHandle> {
        let handle = self
            .app()
            .subscribe_pagamenti(move |view| listener.on_update(view.into()));
        Arc::new(TaskHandle(handle))
    }

    /// One top-up (the esito screen), now and after every change, up to registered.
    pub fn subscribe_ricarica(
        &self,
        local_id: String,
        listener: Arc<dyn RicaricaListener>,
    ) -> Result<Arc<TaskHandle>, ApiError> {
        let handle = self
            .app()
            .subscribe_ricarica(&local_id, move |view| listener.on_update(view.into()))
            .in_lang(self.lang())?;
        Ok(Arc::new(TaskHandle(handle)))
    }

    /// The core's tasks alive for this app (subscriptions and top-ups being followed).
    pub fn live_tasks(&self) -> u32 {
        u32::try_from(self.app().live_tasks()).unwrap_or(u32::MAX)
    }

    /// For WorkManager / BGAppRefreshTask: refresh, settle unfinished top-ups, and the
    /// notifications to post, each only once; returns within `budget_millis`.
    pub async fn run_background(&self, budget_millis: u64) -> Result<BackgroundReport, ApiError> {
        Ok(self
            .app()
            .run_background(Duration::from_millis(budget_millis))
            .await
            .in_lang(self.lang())?
            .into())
    }
}

impl From<core::BackgroundReport> for BackgroundReport {
    fn from(r: core::BackgroundReport) -> Self {
        BackgroundReport {
            notifications: r.notifications.into_iter().map(Into::into).collect(),
            refreshed: r.refreshed,
            settled: u32::try_from(r.settled).unwrap_or(u32::MAX),
            completed: r.completed,
            refresh_error: r.refresh_error,
            cache_damaged: r.cache_damaged,
        }
    }
}

impl From<core::LocalNotification> for LocalNotification {
    fn from(n: core::LocalNotification) -> Self {
        LocalNotification {
            id: n.id,
            numeric_id: n.numeric_id,
            kind: n.kind.into(),
            title: n.title,
            body: n.body,
            destination: n.destination.into(),
        }
    }
}

impl From<core::NotificationKind> for NotificationKind {
    fn from(k: core::NotificationKind) -> Self {
        match k {
            core::NotificationKind::CreditLow => NotificationKind::CreditLow,
            core::NotificationKind::CreditInDebt => NotificationKind::CreditInDebt,
            core::NotificationKind::RicaricaRegistered => NotificationKind::RicaricaRegistered,
            core::NotificationKind::AvvisoDueSoon => NotificationKind::AvvisoDueSoon,
        }
    }
}

impl From<core::Destination> for Destination {
    fn from(d: core::Destination) -> Self {
        match d {
            core::Destination::Saldo {
                child_id,
                service_code,
            } => Destination::Saldo {
                child_id,
                service_code,
            },
            core::Destination::Ricarica { local_id } => Destination::Ricarica { local_id },
            core::Destination::Avviso { avviso_id } => Destination::Avviso { avviso_id },
            core::Destination::Pagamenti => Destination::Pagamenti,
        }
    }
}
