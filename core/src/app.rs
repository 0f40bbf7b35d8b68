//! Opening the app on one comune: the comune picked from the bundled list, its profile's session
//! and the ricarica engine, set up for a release or a development build; and what the app asks of
//! them as a whole — live views, following a top-up after the checkout, the background run.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use url::Url;

use crate::api::Error;
use crate::auth::SecureStore;
use crate::background::{self, BackgroundReport};
use crate::comuni::ComuniList;
use crate::copy::Lang;
use crate::live::{self, LiveTasks, TaskHandle};
use crate::pagamenti::PagamentiView;
use crate::ricarica::{
    PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEngine, RicaricaError, RicaricaStep,
    RicaricaView,
};
use crate::saldo::SaldoView;
use crate::sync::{Session, SessionOptions};

/// How the app was built and where the development sandbox runs.
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// Development build: the sandbox comune is selectable and plain HTTP to loopback allowed.
    pub development: bool,
    /// Where the sandbox runs (e.g. `http://10.0.2.2:8787` from the Android emulator).
    pub sandbox_url: Option<String>,
    /// The OAuth redirect URI registered for this build; the app's claimed scheme by default.
    pub redirect_uri: Option<String>,
    /// pagoPA return URLs in the custom-scheme form instead of the App Link / Universal Link one.
    pub custom_scheme_returns: bool,
    /// Base of the App Link return URLs when not the production one (development builds).
    pub return_url_base: Option<String>,
    /// The language of every text the core produces.
    pub lang: Lang,
}

pub struct App {
    pub session: Arc<Session>,
    pub engine: Arc<RicaricaEngine>,
    tasks: LiveTasks,
    /// Top-ups being followed after the checkout, by local id; dropping the app stops them.
    following: Mutex<HashMap<String, TaskHandle>>,
    follow: PollPolicy,
}

impl App {
    /// Opens the profile of `comune_id` from `data_dir`. No network: the cached Saldo is there at
    /// once.
    pub fn open(
        data_dir: &Path,
        comune_id: &str,
        secure_store: Arc<dyn SecureStore>,
        config: AppConfig,
    ) -> Result<App, Error> {
        let mut list = ComuniList::bundled()?;
        if let Some(sandbox_url) = &config.sandbox_url {
            list.set_sandbox_url(Url::parse(sandbox_url)?)?;
        }
        let comune = list
            .selectable(config.development)
            .into_iter()
            .find(|c| c.id == comune_id)
            .ok_or_else(|| Error::invalid("comune", "comune non disponibile"))?
            .clone();
        let mut session_options = if config.development {
            SessionOptions::development()
        } else {
            SessionOptions::default()
        };
        session_options.lang = config.lang;
        if let Some(redirect_uri) = config.redirect_uri {
            session_options.redirect_uri = redirect_uri;
        }
        let session = Arc::new(Session::open(
            data_dir,
            &comune,
            secure_store,
            session_options,
        )?);
        let return_urls = match (config.custom_scheme_returns, config.return_url_base) {
            (true, _) => ReturnUrlStyle::custom_scheme(),
            (false, Some(base)) => ReturnUrlStyle::AppLink {
                base: Url::parse(&base)?,
            },
            (false, None) => ReturnUrlStyle::app_link(),
        };
        let ricarica_config = RicaricaConfig {
            return_urls,
            ..RicaricaConfig::default()
        };
        // The only failure left is a return URL form this build may not use (plain HTTP in
        // a release build).
        let engine = RicaricaEngine::new(Arc::clone(&session), ricarica_config)
            .map_err(|e| Error::invalid("return_url", e.to_string()))?;
        let follow = if config.development {
            PollPolicy::following_development()
        } else {
            PollPolicy::following()
        };
        Ok(App::with_engine(Arc::new(engine), follow))
    }

    /// An app over an engine set up by hand (the demo and the tests choose its polling).
    pub fn with_engine(engine: Arc<RicaricaEngine>, follow: PollPolicy) -> App {
        App {
            session: engine.shared_session(),
            engine,
            tasks: LiveTasks::default(),
            following: Mutex::default(),
            follow,
        }
    }

    /// The Pagamenti screen: the avvisi and receipts of the cache, with the top-ups in progress
    /// and the finished ones ("Storico") from the store.
    pub fn pagamenti(&self) -> Result<PagamentiView, RicaricaError> {
        pagamenti_of(&self.engine)
    }

    pub fn subscribe_saldo(
        &self,
        listener: impl Fn(SaldoView) + Send + Sync + 'static,
    ) -> TaskHandle {
        let session = Arc::clone(&self.session);
        live::subscribe(
            &self.tasks,
            self.session.store().watch_changes(),
            move || session.saldo().ok(),
            listener,
        )
    }

    pub fn subscribe_pagamenti(
        &self,
        listener: impl Fn(PagamentiView) + Send + Sync + 'static,
    ) -> TaskHandle {
        let engine = Arc::clone(&self.engine);
        live::subscribe(
            &self.tasks,
            self.session.store().watch_changes(),
            move || pagamenti_of(&engine).ok(),
            listener,
        )
    }

    /// The esito screen of one top-up.
    pub fn subscribe_ricarica(
        &self,
        local_id: &str,
        listener: impl Fn(RicaricaView) + Send + Sync + 'static,
    ) -> Result<TaskHandle, RicaricaError> {
        if self.engine.get(local_id)?.is_none() {
            return Err(RicaricaError::UnknownRicarica {
                local_id: local_id.to_owned(),
            });
        }
        let engine = Arc::clone(&self.engine);
        let local_id = local_id.to_owned();
        Ok(live::subscribe(
            &self.tasks,
            self.session.store().watch_changes(),
            move || engine.get(&local_id).ok().flatten(),
            listener,
        ))
    }

    /// The core's tasks alive for this app: subscriptions and top-ups being followed.
    pub fn live_tasks(&self) -> usize {
        self.tasks.count()
    }

    /// The checkout's return URL; then the top-up is followed until the portal settles and
    /// registers it, so the esito screen needs no further call.
    pub async fn handle_return_url(&self, url: &str) -> Result<RicaricaView, RicaricaError> {
        let view = self.engine.handle_return_url(url).await?;
        self.follow_if_waiting(&view);
        Ok(view)
    }

    /// Run at every start: settles every unfinished top-up, then keeps following those the
    /// portal has not registered yet.
    pub async fn resume_pending(&self) -> Result<Vec<RicaricaView>, RicaricaError> {
        let views = self.engine.resume_pending().await?;
        for view in &views {
            self.follow_if_waiting(view);
        }
        Ok(views)
    }

    /// For WorkManager / BGAppRefreshTask: see [`background::run`].
    pub async fn run_background(&self, budget: Duration) -> Result<BackgroundReport, Error> {
        background::run(Arc::clone(&self.engine), budget, chrono::Utc::now()).await
    }

    fn follow_if_waiting(&self, view: &RicaricaView) {
        let waiting = matches!(
            view.step,
            RicaricaStep::Submitting
                | RicaricaStep::Returned
                | RicaricaStep::PaidAwaitingRegistration
        );
        if !waiting {
            return;
        }
        let mut following = self
            .following
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        following.retain(|_, handle| !handle.is_finished());
        if following.contains_key(&view.local_id) {
            return;
        }
        let task = follow(
            Arc::downgrade(&self.engine),
            view.local_id.clone(),
            self.follow.clone(),
        );
        following.insert(view.local_id.clone(), self.tasks.spawn(task));
    }
}

fn pagamenti_of(engine: &RicaricaEngine) -> Result<PagamentiView, RicaricaError> {
    let mut view = engine.session().pagamenti()?;
    view.ricariche_in_corso = engine.pending()?;
    view.storico = engine
        .history()?
        .into_iter()
        .filter(|r| r.settled)
        .collect();
    Ok(view)
}

/// Asks the portal about one top-up, with capped backoff, until it is registered or otherwise
/// settled; each answer is stored, so the live views see it. Holds the engine weakly: the task
/// ends with the app.
async fn follow(engine: Weak<RicaricaEngine>, local_id: String, policy: PollPolicy) {
    let mut attempt = 0;
    loop {
        tokio::time::sleep(policy.delay(attempt)).await;
        attempt += 1;
        let Some(engine) = engine.upgrade() else {
            return;
        };
        match engine.retry(&local_id).await {
            Ok(view) if view.settled => return,
            Ok(_) => {}
            // Offline or the portal busy: the next round tries again.
            Err(error) if error.is_transient() => {}
            Err(error) => {
                tracing::warn!(
                    key = error.message_key(),
                    "stopped following a top-up: {error}"
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MemorySecureStore;

    fn open(comune_id: &str, config: AppConfig) -> Result<App, Error> {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-app-{}-{}",
            std::process::id(),
            comune_id
        ));
        App::open(&dir, comune_id, Arc::new(MemorySecureStore::new()), config)
    }

    #[test]
    fn the_sandbox_opens_only_in_development_builds() {
        let sandbox = |development| AppConfig {
            development,
            sandbox_url: Some("http://127.0.0.1:8787/".to_owned()),
            ..AppConfig::default()
        };
        assert!(open("sandbox", sandbox(true)).is_ok());
        assert!(matches!(
            open("sandbox", sandbox(false)),
            Err(Error::InvalidInput { field, .. }) if field == "comune"
        ));
    }

    #[test]
    fn a_release_build_refuses_plain_http_return_urls() {
        let config = AppConfig {
            return_url_base: Some("http://app.comunicapp.it/pagopa/return/".to_owned()),
            ..AppConfig::default()
        };
        assert!(matches!(
            open("valenza", config),
            Err(Error::InvalidInput { field, .. }) if field == "return_url"
        ));
    }
}
