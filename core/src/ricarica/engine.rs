//! The ricarica engine: drives the state machine against the portal, persisting every step
//! BEFORE acting on it, so that a crash at any point loses no payment and never pays twice.
//!
//! Order of things for an online top-up: the idempotency key, the exact request body and the
//! return-URL secret are stored (`submitting`); the portal is asked to create the top-up; its
//! answer is stored (`in_checkout`) and only then is the checkout URL handed to the app. The
//! return URL moves the top-up to `returned`, the portal's status to its outcome. At every start
//! `resume_pending` settles whatever is unfinished, including a top-up whose create answer was
//! never stored: the portal is asked by idempotency key, and the create re-sent with the same key
//! and body when it holds nothing.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use rand::RngCore;

use crate::api::dto::{
    self, CreateRicaricaRequest, NewRicaricaItem, RicaricaStatus, RicaricheList,
};
use crate::api::{self, Fetched};
use crate::catalog::DEFAULT_REGISTRATION_DELAY_HOURS;
use crate::email::Email;
use crate::money::Amount;
use crate::store::StoredRicarica;
use crate::sync::Session;

use super::error::RicaricaError;
use super::record::{step_name, CachedContext, Record, RicaricaView};
use super::return_url::{ReturnState, ReturnUrlError, ReturnUrlStyle};
use super::{
    Cart, CartItem, Order, PaymentMode, PortalStatus, RicaricaEvent, RicaricaState, RicaricaStep,
    Submission,
};

/// Told after each step is safely on disk. The crash tests' child process prints the step and
/// pauses there so that its parent can kill it at exactly that point.
pub trait StepObserver: Send + Sync {
    fn persisted(&self, _step: &str) {}
}

struct Silent;
impl StepObserver for Silent {}

/// How patiently the engine asks the portal for a checkout's outcome after the browser returned.
#[derive(Debug, Clone)]
pub struct PollPolicy {
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// After this long the top-up is shown as "in verifica" and left to `resume_pending`.
    pub budget: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(30),
        }
    }
}

impl PollPolicy {
    /// Following a paid top-up until the portal registers it (up to a day): soon at first, then
    /// every few minutes at most, for as long as the app is open.
    pub fn following() -> Self {
        PollPolicy {
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(300),
            budget: Duration::MAX,
        }
    }

    /// The sandbox registers a payment within seconds.
    pub fn following_development() -> Self {
        PollPolicy {
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
            budget: Duration::MAX,
        }
    }

    /// Capped exponential backoff with full jitter, like the portal client's retries.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self
            .first_delay
            .saturating_mul(2_u32.saturating_pow(attempt.min(16)))
            .min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        // At least a tenth of the ceiling, so a run of zero draws cannot hammer the portal.
        Duration::from_millis(rand::rng().random_range(millis / 10..=millis.max(1)))
    }
}

#[derive(Debug, Clone)]
pub struct RicaricaConfig {
    pub return_urls: ReturnUrlStyle,
    pub poll: PollPolicy,
}

impl Default for RicaricaConfig {
    fn default() -> Self {
        RicaricaConfig {
            return_urls: ReturnUrlStyle::app_link(),
            poll: PollPolicy::default(),
        }
    }
}

pub struct RicaricaEngine {
    pub(super) session: Arc<Session>,
    config: RicaricaConfig,
    pub(super) observer: Arc<dyn StepObserver>,
    /// One read-modify-write of a stored top-up at a time (never held across the network).
    writing: Mutex<()>,
}

impl std::fmt::Debug for RicaricaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RicaricaEngine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What a create request came back with.
enum Created {
    Answer(Box<dto::Ricarica>),
    /// The portal refused it for good (a 4xx problem): nothing exists on the portal.
    Rejected(String),
}

impl RicaricaEngine {
    pub fn new(session: Arc<Session>, config: RicaricaConfig) -> Result<Self, RicaricaError> {
        let allow_loopback = session.api().options().allow_loopback_http;
        config.return_urls.validate(allow_loopback)?;
        Ok(RicaricaEngine {
            session,
            config,
            observer: Arc::new(Silent),
            writing: Mutex::new(()),
        })
    }

    pub fn with_observer(mut self, observer: Arc<dyn StepObserver>) -> Self {
        self.observer = observer;
        self
    }

    pub fn shared_session(&self) -> Arc<Session> {
        Arc::clone(&self.session)
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// PROSEGUI on the riepilogo. Online: the view carries the checkout URL and our return URLs;
    /// avviso: the notice. Nothing reaches the portal before the request is stored.
    pub async fn submit(&self, order: &Order) -> Result<RicaricaView, RicaricaError> {
        self.submit_handing_over(order, None).await
    }

    /// `submit`; with `draft_json`, the record is inserted only together with the deletion of
    /// that stored draft (see [`RicaricaEngine::submit_draft`]).
    pub(super) async fn submit_handing_over(
        &self,
        order: &Order,
        draft_json: Option<&str>,
    ) -> Result<RicaricaView, RicaricaError> {
        if order.cart.is_empty() {
            return Err(super::TransitionError::EmptyCart.into());
        }
        // The cached account, with no request: the riepilogo fetched it moments ago.
        let account = self
            .session
            .account()?
            .ok_or(RicaricaError::CatalogMissing)?;
        for item in order.cart.items() {
            super::options::enrolled_child(&account, &item.child_id, &item.service_code)?;
        }
        let local_id = random_local_id();
        let idempotency_key = random_idempotency_key();
        let machine = RicaricaState::Riepilogo {
            order: order.clone(),
        }
        .apply(RicaricaEvent::Proceed {
            idempotency_key: idempotency_key.clone(),
        })?;
        let return_state = match order.mode {
            PaymentMode::Online => Some(ReturnState::new(&local_id)),
            PaymentMode::Avviso => None,
        };
        let return_urls = match &return_state {
            Some(state) => {
                let encoded = state.encode();
                crate::diagnostics::add_secret(&encoded);
                Some(self.config.return_urls.urls(&encoded)?)
            }
            None => None,
        };
        let request = CreateRicaricaRequest {
            items: order
                .cart
                .items()
                .iter()
                .map(|item| NewRicaricaItem {
                    child_id: item.child_id.clone(),
                    service_code: item.service_code.clone(),
                    amount_cents: item.amount.cents(),
                })
                .collect(),
            mode: match order.mode {
                PaymentMode::Online => dto::PaymentMode::Online,
                PaymentMode::Avviso => dto::PaymentMode::Avviso,
            },
            payer_email: order.payer_email.as_str().to_owned(),
            return_urls,
        };
        let record = Record::new(
            local_id.clone(),
            machine,
            request,
            return_state.map(|s| s.verifier),
            Utc::now(),
        );
        match draft_json {
            Some(draft_json) => self.insert_from_draft(&record, draft_json)?,
            None => self.insert(&record)?,
        }
        match self.send_create(&record).await {
            Ok(created) => match self.apply_created(&local_id, created).await {
                // An answer we cannot accept (not our top-up, a checkout URL we must not open)
                // leaves the record `submitting`: like a lost answer, the next settling round
                // asks the portal by key.
                Err(error) if self.still_submitting(&local_id) => {
                    Err(RicaricaError::NotConfirmed {
                        local_id,
                        source: Box::new(match error {
                            RicaricaError::Api(source) => source,
                            other => api::Error::contract(other.to_string()),
                        }),
                    })
                }
                answer => answer,
            },
            Err(source) => Err(RicaricaError::NotConfirmed {
                local_id,
                source: Box::new(source),
            }),
        }
    }

    fn still_submitting(&self, local_id: &str) -> bool {
        matches!(
            self.load(local_id),
            Ok(Some((record, _))) if record.machine.step() == RicaricaStep::Submitting
        )
    }

    /// The URL the checkout sent the browser to, as the app received it. Accepted only for a
    /// top-up still in the checkout; then the portal is asked for the real outcome, with backoff,
    /// for at most the poll budget. Dropping the future stops the polling and loses nothing.
    pub async fn handle_return_url(&self, url: &str) -> Result<RicaricaView, RicaricaError> {
        let (outcome, state) = self.config.return_urls.parse(url)?;
        let local_id = state.local_id.clone();
        {
            let _writing = self.lock();
            let Some((mut record, stored)) = self.load(&local_id)? else {
                return Err(ReturnUrlError::Forged.into());
            };
            let genuine = record
                .return_verifier
                .as_deref()
                .is_some_and(|stored| state.matches(stored));
            if !genuine {
                return Err(ReturnUrlError::Forged.into());
            }
            if record.machine.step() != RicaricaStep::InCheckout {
                return Err(ReturnUrlError::Replayed { local_id }.into());
            }
            record.machine = record
                .machine
                .apply(RicaricaEvent::BrowserReturned { outcome })?;
            self.save(&record, &stored)?;
        }
        self.poll_until_settled(&local_id, self.config.poll.budget)
            .await
    }

    /// Asks the portal about one top-up until its checkout outcome is known or `budget` ran out;
    /// the answer is the top-up as it then stands.
    pub async fn poll_until_settled(
        &self,
        local_id: &str,
        budget: Duration,
    ) -> Result<RicaricaView, RicaricaError> {
        let started = tokio::time::Instant::now();
        let mut attempt = 0;
        loop {
            let mut view = match self.settle(local_id).await {
                Ok(view) => view,
                Err(error) if error.is_transient() => {
                    let mut view = self.view(local_id)?;
                    view.error_key = Some(error.message_key().to_owned());
                    view
                }
                Err(error) => return Err(error),
            };
            let waiting = matches!(
                view.step,
                RicaricaStep::Submitting | RicaricaStep::InCheckout | RicaricaStep::Returned
            );
            let delay = self.config.poll.delay(attempt);
            if !waiting || started.elapsed() + delay > budget {
                if !waiting {
                    view.error_key = None;
                }
                return Ok(view);
            }
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Run at every start: settles each unfinished top-up with the portal. A top-up that cannot
    /// be settled now (offline) is returned with its `error_key` and tried again next time. With
    /// no top-up stored, a failure to ask the portal for its unfinished ones is the error.
    pub async fn resume_pending(&self) -> Result<Vec<RicaricaView>, RicaricaError> {
        let mut views = Vec::new();
        for stored in self.session.store().unfinished_ricariche()? {
            match self.settle(&stored.id).await {
                Ok(view) => views.push(view),
                Err(error @ RicaricaError::Corrupt { .. }) => {
                    // Unreadable by this version: left in the store untouched, and the portal
                    // still settles it (adopt_unknown skips its key, so it is never doubled).
                    tracing::error!(local_id = %stored.id, "top-up not resumed: {error}");
                    continue;
                }
                Err(error) => {
                    let mut view = self.view(&stored.id)?;
                    view.error_key = Some(error.message_key().to_owned());
                    views.push(view);
                }
            }
        }
        match self.adopt_unknown().await {
            Ok(adopted) => views.extend(adopted),
            // With nothing stored (a new install, a lost records file) an empty answer would
            // read "nothing unfinished" when it means "not verified": say so.
            Err(error) if views.is_empty() => return Err(error),
            // Otherwise the local top-ups above carry their own outcome; the next start asks again.
            Err(error) => tracing::warn!(
                key = error.message_key(),
                "the portal's unfinished top-ups not adopted: {error}"
            ),
        }
        Ok(views)
    }

    /// Top-ups the portal holds unfinished but the store does not know (the cache was deleted or
    /// found corrupt and rebuilt): stored again from the portal's record, then settled like the
    /// others. Their old return URLs carry a secret that is gone, so only the portal settles them.
    async fn adopt_unknown(&self) -> Result<Vec<RicaricaView>, RicaricaError> {
        let list = match self
            .session
            .get::<RicaricheList>("api/v1/ricariche", &[("status", "unfinished")], None)
            .await?
        {
            Fetched::Fresh { value, .. } => value,
            Fetched::NotModified => return Ok(Vec::new()),
        };
        let known: HashSet<String> = self.known_keys()?;
        let payer_email = self
            .session
            .account()?
            .and_then(|account| Email::parse(&account.parent.email).ok());
        let mut views = Vec::new();
        for portal in list.ricariche {
            if known.contains(&portal.idempotency_key) {
                continue;
            }
            let Some(record) = adoptable(&portal, payer_email.clone()) else {
                tracing::warn!(ricarica_id = %portal.id, "a top-up of the portal is not a cart of ours: left to the portal");
                continue;
            };
            let local_id = record.local_id.clone();
            self.insert(&record)?;
            views.push(
                self.apply_created(&local_id, Created::Answer(Box::new(portal)))
                    .await?,
            );
        }
        Ok(views)
    }

    fn known_keys(&self) -> Result<HashSet<String>, RicaricaError> {
        Ok(self
            .session
            .store()
            .idempotency_keys()?
            .into_iter()
            .collect())
    }

    /// One settling round for `local_id` (what `resume_pending` does for each top-up).
    pub async fn retry(&self, local_id: &str) -> Result<RicaricaView, RicaricaError> {
        self.settle(local_id).await
    }

    /// Unfinished top-ups from the store, oldest first; no network.
    pub fn pending(&self) -> Result<Vec<RicaricaView>, RicaricaError> {
        let mut views = Vec::new();
        for stored in self.session.store().unfinished_ricariche()? {
            match Record::from_json(&stored.id, &stored.state_json) {
                Ok(record) => views.push(self.view_of(&record)),
                Err(error) => tracing::error!(local_id = %stored.id, "top-up not shown: {error}"),
            }
        }
        Ok(views)
    }

    /// Every stored top-up, newest first, finished ones included ("le mie ricariche"); no network.
    pub fn history(&self) -> Result<Vec<RicaricaView>, RicaricaError> {
        let mut views = Vec::new();
        for stored in self.session.store().all_ricariche()? {
            match Record::from_json(&stored.id, &stored.state_json) {
                Ok(record) => views.push(self.view_of(&record)),
                Err(error) => tracing::error!(local_id = %stored.id, "top-up not shown: {error}"),
            }
        }
        Ok(views)
    }

    /// One top-up from the store; no network.
    pub fn get(&self, local_id: &str) -> Result<Option<RicaricaView>, RicaricaError> {
        Ok(self
            .load(local_id)?
            .map(|(record, _)| self.view_of(&record)))
    }

    fn view(&self, local_id: &str) -> Result<RicaricaView, RicaricaError> {
        self.get(local_id)?
            .ok_or_else(|| RicaricaError::UnknownRicarica {
                local_id: local_id.to_owned(),
            })
    }

    fn view_of(&self, record: &Record) -> RicaricaView {
        let return_urls = match (&record.return_verifier, &record.request.return_urls) {
            (Some(_), Some(urls)) => Some(urls.clone()),
            _ => None,
        };
        // A cache that cannot be read only leaves the view without names or a new balance.
        let store = self.session.store();
        let balances = match record.machine.step() {
            RicaricaStep::Registered => store
                .document::<dto::Balances>("balances")
                .ok()
                .flatten()
                .map(|cached| cached.value),
            _ => None,
        };
        let account = store.document::<dto::Account>("account").ok().flatten();
        let ente = store.document::<dto::EnteDocument>("ente").ok().flatten();
        RicaricaView::of(
            record,
            return_urls,
            self.registration_delay_hours(),
            CachedContext {
                balances: balances.as_ref(),
                account: account.as_ref().map(|c| &c.value),
                ente: ente.as_ref().map(|c| &c.value),
            },
            self.session.lang(),
        )
    }

    fn registration_delay_hours(&self) -> u32 {
        self.session
            .ente()
            .ok()
            .flatten()
            .map_or(DEFAULT_REGISTRATION_DELAY_HOURS, |e| {
                e.registration_delay_hours
            })
    }

    /// Brings one stored top-up as far as the portal's word allows.
    async fn settle(&self, local_id: &str) -> Result<RicaricaView, RicaricaError> {
        let (record, _) = self
            .load(local_id)?
            .ok_or_else(|| RicaricaError::UnknownRicarica {
                local_id: local_id.to_owned(),
            })?;
        match &record.machine {
            RicaricaState::Submitting { .. } => {
                let created = match self.find_by_key(record.idempotency_key()).await? {
                    Some(found) => Created::Answer(Box::new(found)),
                    // Never reached the portal: the same key and body, so a create that did
                    // arrive in the meantime is answered, not repeated.
                    None => self.send_create(&record).await?,
                };
                self.apply_created(local_id, created).await
            }
            RicaricaState::InCheckout { ricarica_id, .. }
            | RicaricaState::Returned { ricarica_id, .. }
            | RicaricaState::AvvisoIssued { ricarica_id, .. }
            | RicaricaState::PaidAwaitingRegistration { ricarica_id, .. } => {
                let path = format!("api/v1/ricariche/{ricarica_id}");
                let portal = match self.session.get::<dto::Ricarica>(&path, &[], None).await? {
                    Fetched::Fresh { value, .. } => value,
                    Fetched::NotModified => {
                        return Err(RicaricaError::contract("304 senza If-None-Match"))
                    }
                };
                self.apply_portal(local_id, portal).await
            }
            _ => Ok(self.view_of(&record)),
        }
    }

    async fn find_by_key(&self, key: &str) -> Result<Option<dto::Ricarica>, RicaricaError> {
        let list = match self
            .session
            .get::<RicaricheList>("api/v1/ricariche", &[("idempotency_key", key)], None)
            .await?
        {
            Fetched::Fresh { value, .. } => value,
            Fetched::NotModified => return Err(RicaricaError::contract("304 senza If-None-Match")),
        };
        Ok(list
            .ricariche
            .into_iter()
            .find(|r| r.idempotency_key == key))
    }

    /// POST with the stored key and body. Only a definite refusal becomes `Rejected`; a lost
    /// answer is an error, and the top-up stays `submitting` for the next settling round.
    async fn send_create(&self, record: &Record) -> Result<Created, api::Error> {
        let answer = self
            .session
            .post::<_, dto::Ricarica>(
                "api/v1/ricariche",
                &record.request,
                Some(record.idempotency_key()),
            )
            .await;
        match answer {
            Ok(ricarica) => {
                // Not a persisted step: the one point where the portal holds the top-up and the
                // store does not know yet. The crash tests kill here too.
                self.observer.persisted("create_answered");
                Ok(Created::Answer(Box::new(ricarica)))
            }
            Err(api::Error::Problem { status, code, .. })
                if (400..500).contains(&status)
                    && !matches!(status, 401 | 408 | 429)
                    && code != dto::problem_code::IDEMPOTENCY_KEY_REUSED =>
            {
                Ok(Created::Rejected(code))
            }
            Err(error) => Err(error),
        }
    }

    async fn apply_created(
        &self,
        local_id: &str,
        created: Created,
    ) -> Result<RicaricaView, RicaricaError> {
        let portal = match created {
            Created::Rejected(reason) => {
                return self.transition(local_id, None, |machine| {
                    machine.apply(RicaricaEvent::SubmissionRejected { reason })
                });
            }
            Created::Answer(portal) => *portal,
        };
        self.check_portal_matches(local_id, &portal)?;
        if let Some(url) = &portal.checkout_url {
            // The browser is sent there with the parent's payment: the same rule as every URL
            // the core talks to (https; loopback http only in development builds).
            api::check_url(url, self.session.api().options().allow_loopback_http)
                .map_err(|_| RicaricaError::contract("indirizzo del checkout non consentito"))?;
        }
        let status = portal_status(portal.status);
        let view = self.transition(local_id, Some(portal.clone()), |machine| {
            if machine.step() != RicaricaStep::Submitting {
                // A concurrent settling round stored the same answer first; the next round
                // reports the status.
                return Ok(machine.clone());
            }
            let mode = machine.submission().map(|s| s.order.mode);
            let created = match (mode, &portal.checkout_url, &portal.avviso) {
                (Some(PaymentMode::Online), Some(url), _) => RicaricaEvent::CheckoutCreated {
                    ricarica_id: portal.id.clone(),
                    checkout_url: url.clone(),
                },
                (Some(PaymentMode::Avviso), _, Some(avviso)) => RicaricaEvent::NoticeIssued {
                    ricarica_id: portal.id.clone(),
                    notice_number: avviso.notice_number.clone(),
                },
                // No checkout URL any more: the session ended before we ever showed it.
                _ => {
                    return machine.apply(RicaricaEvent::Reconciled {
                        ricarica_id: portal.id.clone(),
                        status,
                    })
                }
            };
            let next = machine.apply(created)?;
            match status {
                PortalStatus::InProgress => Ok(next),
                status => next.apply(RicaricaEvent::StatusReported { status }),
            }
        })?;
        if view.step == RicaricaStep::AvvisoIssued {
            // "Avvisi Pagamento da Pagare" is the cached avvisi list: fetch it now if we can;
            // offline, the next refresh brings it.
            if let Err(error) = self.session.refresh().await {
                tracing::info!(
                    key = error.message_key(),
                    "avvisi not refreshed after a notice: {error}"
                );
            }
        }
        Ok(view)
    }

    async fn apply_portal(
        &self,
        local_id: &str,
        portal: dto::Ricarica,
    ) -> Result<RicaricaView, RicaricaError> {
        self.check_portal_matches(local_id, &portal)?;
        let status = portal_status(portal.status);
        let was_registered = self.view(local_id)?.step == RicaricaStep::Registered;
        let view = self.transition(local_id, Some(portal), |machine| {
            machine.apply(RicaricaEvent::StatusReported { status })
        })?;
        if view.step == RicaricaStep::Registered && !was_registered {
            // The new balance comes with the normal sync; failing it only leaves Saldo stale.
            if let Err(error) = self.session.refresh().await {
                tracing::info!(
                    key = error.message_key(),
                    "saldo not refreshed after a registration: {error}"
                );
            }
        }
        Ok(view)
    }

    /// The portal's top-up must be ours: same key, same items, same total.
    fn check_portal_matches(
        &self,
        local_id: &str,
        portal: &dto::Ricarica,
    ) -> Result<(), RicaricaError> {
        let (record, _) = self
            .load(local_id)?
            .ok_or_else(|| RicaricaError::UnknownRicarica {
                local_id: local_id.to_owned(),
            })?;
        if portal.idempotency_key != record.idempotency_key()
            || portal.total_cents != record.machine.total().cents()
            || portal.items.len() != record.machine.cart().len()
        {
            return Err(RicaricaError::contract(
                "la ricarica del portale non corrisponde alla richiesta",
            ));
        }
        if let Some(avviso) = &portal.avviso {
            super::record::AvvisoDetails::from_portal(avviso, self.session.lang())?;
        }
        Ok(())
    }

    /// Applies `change` to the freshest stored state and stores the result if anything changed.
    fn transition(
        &self,
        local_id: &str,
        portal: Option<dto::Ricarica>,
        change: impl FnOnce(&RicaricaState) -> Result<RicaricaState, super::TransitionError>,
    ) -> Result<RicaricaView, RicaricaError> {
        let _writing = self.lock();
        let (mut record, stored) =
            self.load(local_id)?
                .ok_or_else(|| RicaricaError::UnknownRicarica {
                    local_id: local_id.to_owned(),
                })?;
        let next = change(&record.machine)?;
        let portal_changed = portal.is_some() && portal != record.portal;
        if next != record.machine || portal_changed {
            let stepped = next.step() != record.machine.step();
            record.machine = next;
            if portal.is_some() {
                record.portal = portal;
            }
            if stepped {
                self.save(&record, &stored)?;
            } else {
                self.save_quietly(&record, &stored)?;
            }
        }
        Ok(self.view_of(&record))
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The stored top-up, with the exact state it was read in: what a save must find there.
    fn load(&self, local_id: &str) -> Result<Option<(Record, String)>, RicaricaError> {
        match self.session.store().ricarica(local_id)? {
            Some(StoredRicarica { state_json, .. }) => {
                let record = Record::from_json(local_id, &state_json)?;
                Ok(Some((record, state_json)))
            }
            None => Ok(None),
        }
    }

    fn insert(&self, record: &Record) -> Result<(), RicaricaError> {
        self.session.store().insert_ricarica(
            &record.local_id,
            record.idempotency_key(),
            &record.to_json()?,
            Utc::now(),
        )?;
        self.observer.persisted(step_name(record.machine.step()));
        Ok(())
    }

    fn insert_from_draft(&self, record: &Record, draft_json: &str) -> Result<(), RicaricaError> {
        let handed_over = self.session.store().insert_ricarica_from_draft(
            &record.local_id,
            record.idempotency_key(),
            &record.to_json()?,
            draft_json,
            Utc::now(),
        )?;
        if !handed_over {
            // Another PROSEGUI submitted this draft first, or it changed since it was read.
            return Err(super::TransitionError::IllegalTransition {
                step: RicaricaStep::Riepilogo,
                event: "proceed",
            }
            .into());
        }
        self.observer.persisted(step_name(record.machine.step()));
        Ok(())
    }

    fn save(&self, record: &Record, expected: &str) -> Result<(), RicaricaError> {
        self.save_quietly(record, expected)?;
        self.observer.persisted(step_name(record.machine.step()));
        Ok(())
    }

    /// Stores `record` only if the top-up is still as it was read (`expected`); another writer
    /// (a second engine on the same file: the background work, another process) that moved it
    /// first wins, and this change is refused rather than written over it.
    fn save_quietly(&self, record: &Record, expected: &str) -> Result<(), RicaricaError> {
        let store = self.session.store();
        let updated = store.update_ricarica(
            &record.local_id,
            expected,
            &record.to_json()?,
            record.machine.is_final(),
            Utc::now(),
        )?;
        if updated {
            return Ok(());
        }
        let local_id = record.local_id.clone();
        Err(match store.ricarica(&local_id)? {
            Some(_) => RicaricaError::Conflict { local_id },
            None => RicaricaError::UnknownRicarica { local_id },
        })
    }
}

/// A record rebuilt from the portal's top-up, as if it had just been submitted; `None` when the
/// portal's items do not make a valid cart for us.
fn adoptable(portal: &dto::Ricarica, payer_email: Option<Email>) -> Option<Record> {
    let mode = match portal.mode {
        dto::PaymentMode::Online => PaymentMode::Online,
        dto::PaymentMode::Avviso => PaymentMode::Avviso,
        dto::PaymentMode::Unknown => return None,
    };
    let items: Vec<CartItem> = portal
        .items
        .iter()
        .map(|item| CartItem {
            child_id: item.child_id.clone(),
            service_code: item.service_code.clone(),
            amount: Amount::from_cents(item.amount_cents),
        })
        .collect();
    let cart = Cart::try_from(items).ok()?;
    let machine = RicaricaState::Submitting {
        submission: Submission {
            order: Order {
                cart,
                payer_email: payer_email?,
                mode,
            },
            idempotency_key: portal.idempotency_key.clone(),
        },
    };
    let request = CreateRicaricaRequest {
        items: portal
            .items
            .iter()
            .map(|item| NewRicaricaItem {
                child_id: item.child_id.clone(),
                service_code: item.service_code.clone(),
                amount_cents: item.amount_cents,
            })
            .collect(),
        mode: portal.mode,
        payer_email: String::new(),
        return_urls: None,
    };
    Some(Record::new(
        random_local_id(),
        machine,
        request,
        None,
        portal.created_at,
    ))
}

fn portal_status(status: RicaricaStatus) -> PortalStatus {
    match status {
        RicaricaStatus::Paid => PortalStatus::Paid,
        RicaricaStatus::Registered => PortalStatus::Registered,
        RicaricaStatus::Cancelled => PortalStatus::Cancelled,
        RicaricaStatus::Failed => PortalStatus::Failed,
        RicaricaStatus::Expired => PortalStatus::Expired,
        // Unknown: a status a newer portal added; wait rather than guess an outcome.
        RicaricaStatus::AwaitingPayment
        | RicaricaStatus::PaymentPending
        | RicaricaStatus::AvvisoIssued
        | RicaricaStatus::Unknown => PortalStatus::InProgress,
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Also the selector of the return URLs' `state`: lowercase hex only.
fn random_local_id() -> String {
    format!("r{}", random_hex(8))
}

fn random_idempotency_key() -> String {
    format!("ricarica-{}", random_hex(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_backs_off_with_jitter_up_to_the_cap() {
        let policy = PollPolicy {
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(800),
            budget: Duration::from_secs(5),
        };
        for attempt in 0..40 {
            let ceiling = Duration::from_millis((100_u64 << attempt.min(3)).min(800));
            let delay = policy.delay(attempt);
            assert!(delay <= ceiling, "{attempt}: {delay:?} > {ceiling:?}");
            assert!(delay >= ceiling / 10, "{attempt}: {delay:?}");
        }
    }

    /// UniFFI runs the exported futures on tokio's multi-threaded runtime: they must be Send.
    #[allow(dead_code)]
    fn futures_are_send(engine: &RicaricaEngine, order: &Order) {
        fn send<T: Send>(_: T) {}
        send(engine.submit(order));
        send(engine.handle_return_url(""));
        send(engine.poll_until_settled("", Duration::ZERO));
        send(engine.resume_pending());
        send(engine.retry(""));
        send(engine.options(&[]));
        send(engine.riepilogo(order));
        send(engine.change_email(""));
        send(engine.draft());
        send(engine.draft_apply(super::super::DraftAction::Back));
        send(engine.draft_riepilogo());
        send(engine.submit_draft());
    }

    #[test]
    fn keys_and_ids_are_random_and_url_safe() {
        let (a, b) = (random_idempotency_key(), random_idempotency_key());
        assert_ne!(a, b);
        assert!(a.len() <= 200 && a.bytes().all(|c| c.is_ascii_graphic()));
        let id = random_local_id();
        assert_eq!(id.len(), 17);
        assert!(id
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
