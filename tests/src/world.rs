//! Everything the sandbox knows, behind one lock: the family, balances, notices, checkout
//! sessions, tokens, faults. Time-driven changes (registration after the delay, session expiry,
//! pending payments settling) happen lazily in [`World::tick`], called before every request reads
//! the world, so nothing runs in the background and a test can move the clock.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use url::Url;

use crate::config::SandboxConfig;
use crate::faults::FaultState;
use crate::notice;
use crate::oauth::OAuthState;
use crate::wire::{
    Account, Avviso, AvvisoStatus, Balance, Balances, EnteConfig, Movement, MovementKind, Receipt,
    Ricarica, RicaricaStatus,
};

pub const SCHOOL_YEAR: &str = "2026/2027";
pub const REFEZIONE: &str = "refezione";

/// Username and password of the seeded parent, for the login form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredentials {
    pub username: String,
    pub password: String,
}

/// A child's service that a paid notice credits once registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub child_id: String,
    pub service_code: String,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeState {
    Payable,
    /// Held by an open or pending checkout session (pagoPA `PPT_PAGAMENTO_IN_CORSO`).
    InProgress {
        session_id: String,
    },
    /// pagoPA `PPT_PAGAMENTO_DUPLICATO` from now on.
    Paid {
        at: DateTime<Utc>,
    },
}

/// A pagoPA notice the ente issued (a debt position).
#[derive(Debug, Clone)]
pub struct NoticeRecord {
    pub nav: String,
    pub amount_cents: i64,
    pub description: String,
    pub credits: Vec<Credit>,
    pub ricarica_id: Option<String>,
    pub avviso_id: Option<String>,
    pub state: NoticeState,
    /// Set when paid: the portal learns of the payment (receipt, balance) only at this time.
    pub registration_due: Option<DateTime<Utc>>,
    pub registered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Open,
    Pending { since: DateTime<Utc> },
    Paid,
    Cancelled,
    Failed,
    Expired,
}

/// Where the checkout sends the browser; used exactly as the caller gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReturnUrls {
    pub ok: String,
    pub cancel: String,
    pub error: String,
    pub waiting: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionNotice {
    pub nav: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub company_name: String,
    pub description: String,
}

/// A pagoPA checkout session opened by `POST /checkout/ec/v1/carts`.
#[derive(Debug, Clone)]
pub struct CheckoutSession {
    pub id: String,
    pub notices: Vec<SessionNotice>,
    pub return_urls: SessionReturnUrls,
    pub fee_cents: i64,
    pub expires_at: DateTime<Utc>,
    pub state: SessionState,
}

impl CheckoutSession {
    pub fn total_cents(&self) -> i64 {
        self.notices.iter().map(|n| n.amount_cents).sum()
    }
}

#[derive(Debug, Clone)]
pub struct RicaricaRecord {
    pub ricarica: Ricarica,
    pub parent_id: String,
    /// The request body as first received, to tell a replay from a reused key.
    pub request: serde_json::Value,
    pub session_id: Option<String>,
}

pub struct World {
    pub clock_offset: TimeDelta,
    pub ente: EnteConfig,
    pub account: Account,
    pub credentials: DemoCredentials,
    /// (child id, service code) → cents; negative = debt.
    pub balances: BTreeMap<(String, String), i64>,
    pub balances_changed_at: DateTime<Utc>,
    /// Oldest first; a cursor is an index into this list.
    pub movements: Vec<Movement>,
    pub avvisi: Vec<Avviso>,
    /// Oldest first (served newest first).
    pub receipts: Vec<Receipt>,
    pub ricariche: Vec<RicaricaRecord>,
    pub notices: BTreeMap<String, NoticeRecord>,
    pub sessions: BTreeMap<String, CheckoutSession>,
    pub oauth: OAuthState,
    pub faults: FaultState,
    next_serial: u64,
}

/// A `std` duration as a chrono span, saturating at a century (far beyond any test).
pub fn span(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::days(36_500))
}

impl World {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ente: EnteConfig,
        account: Account,
        credentials: DemoCredentials,
        balances: BTreeMap<(String, String), i64>,
        balances_changed_at: DateTime<Utc>,
        movements: Vec<Movement>,
        avvisi: Vec<Avviso>,
        receipts: Vec<Receipt>,
        notices: BTreeMap<String, NoticeRecord>,
        next_serial: u64,
    ) -> Self {
        Self {
            clock_offset: TimeDelta::zero(),
            ente,
            account,
            credentials,
            balances,
            balances_changed_at,
            movements,
            avvisi,
            receipts,
            ricariche: Vec::new(),
            notices,
            sessions: BTreeMap::new(),
            oauth: OAuthState::default(),
            faults: FaultState::default(),
            next_serial,
        }
    }

    /// The sandbox's clock: real time plus whatever `/admin/clock/advance` added.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// A fresh serial for ids and notice numbers; never reused within a sandbox.
    pub fn next_serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    pub fn new_id(&mut self, prefix: &str) -> String {
        let serial = self.next_serial();
        format!("{prefix}-{serial:06}")
    }

    pub fn issue_nav(&mut self) -> String {
        let serial = self.next_serial();
        notice::nav_for_serial(serial)
    }

    /// Applies every time-driven change that is due.
    pub fn tick(&mut self, config: &SandboxConfig) {
        let now = self.now();
        let mut expired = Vec::new();
        let mut settled = Vec::new();
        for session in self.sessions.values() {
            match session.state {
                SessionState::Open if session.expires_at <= now => expired.push(session.id.clone()),
                SessionState::Pending { since } => {
                    if let Some(after) = config.pending_settle_after {
                        if since + span(after) <= now {
                            settled.push(session.id.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        for id in expired {
            self.close_session(&id, SessionState::Expired, config);
        }
        for id in settled {
            self.close_session(&id, SessionState::Paid, config);
        }
        let due: Vec<String> = self
            .notices
            .values()
            .filter(|n| !n.registered && n.registration_due.is_some_and(|due| due <= now))
            .map(|n| n.nav.clone())
            .collect();
        for nav in due {
            self.register(&nav);
        }
    }

    /// Ends a session with `outcome`, moving its notices and its ricarica along.
    pub fn close_session(
        &mut self,
        session_id: &str,
        outcome: SessionState,
        config: &SandboxConfig,
    ) {
        let now = self.now();
        let Some(session) = self.sessions.get_mut(session_id) else {
            return;
        };
        session.state = outcome;
        let navs: Vec<String> = session.notices.iter().map(|n| n.nav.clone()).collect();
        for nav in &navs {
            let Some(record) = self.notices.get_mut(nav) else {
                continue;
            };
            let held_here = matches!(&record.state,
                NoticeState::InProgress { session_id: held } if held == session_id);
            if !held_here {
                continue;
            }
            match outcome {
                SessionState::Paid => {
                    record.state = NoticeState::Paid { at: now };
                    record.registration_due = Some(now + span(config.registration_delay));
                }
                SessionState::Pending { .. } | SessionState::Open => {}
                SessionState::Cancelled | SessionState::Failed | SessionState::Expired => {
                    record.state = NoticeState::Payable;
                }
            }
        }
        let status = match outcome {
            SessionState::Open => RicaricaStatus::AwaitingPayment,
            SessionState::Pending { .. } => RicaricaStatus::PaymentPending,
            SessionState::Paid => RicaricaStatus::Paid,
            SessionState::Cancelled => RicaricaStatus::Cancelled,
            SessionState::Failed => RicaricaStatus::Failed,
            SessionState::Expired => RicaricaStatus::Expired,
        };
        if let Some(record) = self
            .ricariche
            .iter_mut()
            .find(|r| r.session_id.as_deref() == Some(session_id))
        {
            record.ricarica.status = status;
            record.ricarica.updated_at = now;
            if status != RicaricaStatus::AwaitingPayment && status != RicaricaStatus::PaymentPending
            {
                record.ricarica.checkout_url = None;
                record.ricarica.expires_at = None;
            }
            if status == RicaricaStatus::Paid {
                record.ricarica.paid_at = Some(now);
            }
        }
    }

    /// A notice paid outside the checkout (bank, ATM, tobacconist).
    pub fn pay_notice_elsewhere(
        &mut self,
        nav: &str,
        config: &SandboxConfig,
    ) -> Result<(), PayError> {
        let now = self.now();
        let record = self.notices.get_mut(nav).ok_or(PayError::Unknown)?;
        match record.state {
            NoticeState::Paid { .. } => return Err(PayError::AlreadyPaid),
            NoticeState::InProgress { .. } => return Err(PayError::InProgress),
            NoticeState::Payable => {}
        }
        record.state = NoticeState::Paid { at: now };
        record.registration_due = Some(now + span(config.registration_delay));
        let avviso_id = record.avviso_id.clone();
        let ricarica_id = record.ricarica_id.clone();
        if let Some(avviso) = self
            .avvisi
            .iter_mut()
            .find(|a| Some(&a.id) == avviso_id.as_ref())
        {
            avviso.status = AvvisoStatus::Pagato;
        }
        if let Some(r) = self
            .ricariche
            .iter_mut()
            .find(|r| Some(&r.ricarica.id) == ricarica_id.as_ref())
        {
            r.ricarica.status = RicaricaStatus::Paid;
            r.ricarica.paid_at = Some(now);
            r.ricarica.updated_at = now;
        }
        Ok(())
    }

    /// The portal receives the receipt: balance, movement, receipt, ricarica `registered`.
    fn register(&mut self, nav: &str) {
        let now = self.now();
        let Some(record) = self.notices.get_mut(nav) else {
            return;
        };
        let NoticeState::Paid { at: paid_at } = record.state else {
            return;
        };
        record.registered = true;
        let record = record.clone();
        for credit in &record.credits {
            *self
                .balances
                .entry((credit.child_id.clone(), credit.service_code.clone()))
                .or_insert(0) += credit.amount_cents;
            let id = self.new_id("mov");
            self.movements.push(Movement {
                id,
                child_id: credit.child_id.clone(),
                service_code: credit.service_code.clone(),
                kind: MovementKind::TopUp,
                amount_cents: credit.amount_cents,
                occurred_at: now,
                description: format!("Ricarica pagoPA, avviso {nav}"),
            });
        }
        self.balances_changed_at = now;
        let receipt_id = self.new_id("ric");
        let first = record.credits.first();
        self.receipts.push(Receipt {
            id: receipt_id,
            notice_number: nav.to_string(),
            fiscal_code: self.ente.fiscal_code.clone(),
            amount_cents: record.amount_cents,
            description: record.description.clone(),
            paid_at,
            registered_at: now,
            ricarica_id: record.ricarica_id.clone(),
            child_id: first.map(|c| c.child_id.clone()),
            service_code: first.map(|c| c.service_code.clone()),
        });
        if let Some(avviso) = self.avvisi.iter_mut().find(|a| a.notice_number == nav) {
            avviso.status = AvvisoStatus::Pagato;
        }
        let Some(ricarica_id) = record.ricarica_id else {
            return;
        };
        let all_registered = self
            .notices
            .values()
            .filter(|n| n.ricarica_id.as_deref() == Some(ricarica_id.as_str()))
            .all(|n| n.registered);
        if let Some(r) = self
            .ricariche
            .iter_mut()
            .find(|r| r.ricarica.id == ricarica_id)
        {
            if all_registered {
                r.ricarica.status = RicaricaStatus::Registered;
                r.ricarica.registered_at = Some(now);
                r.ricarica.updated_at = now;
            }
        }
    }

    pub fn balances_view(&self) -> Balances {
        let mut balances = Vec::new();
        for child in &self.account.children {
            for service in &child.services {
                let cents = self
                    .balances
                    .get(&(child.id.clone(), service.clone()))
                    .copied()
                    .unwrap_or(0);
                let meal_price = (service == REFEZIONE)
                    .then_some(child.meal_price_cents)
                    .flatten();
                let meals_remaining = meal_price
                    .filter(|price| *price > 0)
                    .map(|price| u32::try_from(cents.max(0) / price).unwrap_or(u32::MAX));
                balances.push(Balance {
                    child_id: child.id.clone(),
                    service_code: service.clone(),
                    school_year: SCHOOL_YEAR.to_string(),
                    balance_cents: cents,
                    meal_price_cents: meal_price,
                    meals_remaining,
                });
            }
        }
        Balances {
            school_year: SCHOOL_YEAR.to_string(),
            computed_at: self.balances_changed_at,
            balances,
        }
    }

    pub fn child_has_service(&self, child_id: &str, service_code: &str) -> Option<bool> {
        self.account
            .children
            .iter()
            .find(|c| c.id == child_id)
            .map(|c| c.services.iter().any(|s| s == service_code))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayError {
    Unknown,
    AlreadyPaid,
    InProgress,
}

/// Where an avviso can be paid, in the words of the ente's instruction sheet.
pub fn where_to_pay() -> Vec<String> {
    [
        "Agenzie della banca",
        "Home banking del PSP (servizio CBILL o pagoPA)",
        "Sportelli ATM abilitati dalle banche",
        "Tabaccherie Sisal, Lottomatica",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Checks a base URL ends with `/` so `join` appends rather than replaces.
pub fn join(base: &Url, path: &str) -> Url {
    base.join(path.trim_start_matches('/'))
        .unwrap_or_else(|_| base.clone())
}
