//! The app's handle on one comune's portal for one profile: login, Saldo, Pagamenti, refresh.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use comunicapp_core::{
    api::dto::MovementKind as CoreMovementKind,
    app::{App, AppConfig},
    auth::{SecureStore, SecureStoreError},
    comuni::{Comune, ComuniList},
    contatti,
    copy::Lang,
    pagamenti,
    ricarica::RicaricaEngine,
    saldo,
    sync::{self, Session},
};

use crate::error::{ApiError, InLang};
use crate::ricarica::RicaricaView;

/// The platform's secret storage (Keychain on iOS, Keystore-backed storage on Android),
/// implemented in Swift and Kotlin. The core keeps its tokens here and nowhere else.
#[uniffi::export(with_foreign)]
pub trait SecureStorage: Send + Sync {
    fn get(&self, key: String) -> Result<Option<String>, SecureStorageError>;
    fn set(&self, key: String, value: String) -> Result<(), SecureStorageError>;
    fn delete(&self, key: String) -> Result<(), SecureStorageError>;
}

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SecureStorageError {
    #[error("archivio sicuro non disponibile: {reason}")]
    Unavailable { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecureStorageError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecureStorageError::Unavailable { reason: e.reason }
    }
}

pub(crate) struct ForeignSecureStore(pub(crate) Arc<dyn SecureStorage>);

fn unavailable(e: SecureStorageError) -> SecureStoreError {
    match e {
        SecureStorageError::Unavailable { reason } => SecureStoreError::Unavailable { reason },
    }
}

impl SecureStore for ForeignSecureStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecureStoreError> {
        self.0.get(key.to_owned()).map_err(unavailable)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecureStoreError> {
        self.0
            .set(key.to_owned(), value.to_owned())
            .map_err(unavailable)
    }
    fn delete(&self, key: &str) -> Result<(), SecureStoreError> {
        self.0.delete(key.to_owned()).map_err(unavailable)
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ComuneInfo {
    pub id: String,
    pub name: String,
    pub provincia: String,
    pub portal_url: String,
    pub sandbox: bool,
}

impl From<&Comune> for ComuneInfo {
    fn from(c: &Comune) -> Self {
        ComuneInfo {
            id: c.id.clone(),
            name: c.name.clone(),
            provincia: c.provincia.clone(),
            portal_url: c.portal_url.to_string(),
            sandbox: c.sandbox,
        }
    }
}

/// The comuni the parent can choose from; the sandbox only in development builds.
#[uniffi::export]
pub fn list_comuni(development: bool) -> Result<Vec<ComuneInfo>, ApiError> {
    let list = ComuniList::bundled()?;
    Ok(list
        .selectable(development)
        .into_iter()
        .map(ComuneInfo::from)
        .collect())
}

/// "Scelta del comune" as the parent types (word starts, provincia, no case or accents).
#[uniffi::export]
pub fn search_comuni(query: String, development: bool) -> Result<Vec<ComuneInfo>, ApiError> {
    let list = ComuniList::bundled()?;
    Ok(list
        .search(&query, development)
        .into_iter()
        .map(ComuneInfo::from)
        .collect())
}

/// How the app was built and where the development sandbox runs.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AppOptions {
    /// Development build: the sandbox comune is selectable and plain HTTP to loopback allowed.
    pub development: bool,
    /// Where the sandbox runs (e.g. `http://10.0.2.2:8787` from the Android emulator).
    pub sandbox_url: Option<String>,
    /// The OAuth redirect URI registered for this build; the app's claimed scheme by default.
    pub redirect_uri: Option<String>,
    /// pagoPA return URLs in the custom-scheme form (`it.comunicapp://pagopa/return/…`) instead
    /// of the App Link / Universal Link form.
    pub custom_scheme_returns: bool,
    /// Base of the App Link return URLs when not the production one (development builds).
    pub return_url_base: Option<String>,
    /// The language of every text the core produces (views, errors, notifications).
    pub language: Language,
}

/// Italian first (the instruction sheet's words), English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    Italian,
    English,
}

impl From<Language> for Lang {
    fn from(language: Language) -> Self {
        match language {
            Language::Italian => Lang::It,
            Language::English => Lang::En,
        }
    }
}

#[derive(uniffi::Object)]
pub struct ComunicApp {
    app: App,
}

#[uniffi::export(async_runtime = "tokio")]
impl ComunicApp {
    /// Opens the profile of `comune_id` from `data_dir` (the app's private files). No network:
    /// the cached Saldo is available at once.
    #[uniffi::constructor]
    pub fn open(
        data_dir: String,
        comune_id: String,
        secure_storage: Arc<dyn SecureStorage>,
        options: AppOptions,
    ) -> Result<Arc<Self>, ApiError> {
        let store: Arc<dyn SecureStore> = Arc::new(ForeignSecureStore(secure_storage));
        let lang = Lang::from(options.language);
        let config = AppConfig {
            development: options.development,
            sandbox_url: options.sandbox_url,
            redirect_uri: options.redirect_uri,
            custom_scheme_returns: options.custom_scheme_returns,
            return_url_base: options.return_url_base,
            lang,
        };
        let app = App::open(Path::new(&data_dir), &comune_id, store, config).in_lang(lang)?;
        Ok(Arc::new(ComunicApp { app }))
    }

    /// The URL to open in the system browser (Custom Tabs / ASWebAuthenticationSession).
    pub fn login_start(&self) -> Result<String, ApiError> {
        Ok(self
            .session()
            .login_start()
            .in_lang(self.lang())?
            .to_string())
    }

    /// The redirect the browser delivered back to the app.
    pub async fn login_complete(&self, callback_url: String) -> Result<(), ApiError> {
        self.session()
            .login_complete(&callback_url)
            .await
            .in_lang(self.lang())
    }

    pub fn is_logged_in(&self) -> Result<bool, ApiError> {
        self.session().is_logged_in().in_lang(self.lang())
    }

    /// Revokes the tokens and wipes the profile's data; true when the portal confirmed.
    pub async fn logout(&self) -> Result<bool, ApiError> {
        Ok(self
            .session()
            .logout()
            .await
            .in_lang(self.lang())?
            .revoked_on_portal)
    }

    /// The Saldo screen, from the cache, at once.
    pub fn saldo(&self) -> Result<SaldoView, ApiError> {
        Ok(self.session().saldo().in_lang(self.lang())?.into())
    }

    /// The Pagamenti screen, from the cache, at once: avvisi, receipts, the top-ups in progress
    /// and the finished ones.
    pub fn pagamenti(&self) -> Result<PagamentiView, ApiError> {
        Ok(self.app.pagamenti().in_lang(self.lang())?.into())
    }

    /// The Contatti screen (the ente's office), from the cache; `None` before the first sync.
    pub fn contatti(&self) -> Result<Option<ContattiView>, ApiError> {
        Ok(self
            .session()
            .contatti()
            .in_lang(self.lang())?
            .map(ContattiView::from))
    }

    /// Brings the cache up to date; on failure the cache is as it was.
    pub async fn refresh(&self) -> Result<RefreshReport, ApiError> {
        Ok(self.session().refresh().await.in_lang(self.lang())?.into())
    }
}

impl ComunicApp {
    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    pub(crate) fn engine(&self) -> &RicaricaEngine {
        &self.app.engine
    }

    fn session(&self) -> &Session {
        &self.app.session
    }

    pub(crate) fn lang(&self) -> Lang {
        self.app.session.lang()
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Freshness {
    pub fetched_at: Option<SystemTime>,
    /// "Dati aggiornati al 28/11/2026 alle 09:14"
    pub label: String,
    pub stale: bool,
    /// The last refresh failed: show the offline banner.
    pub last_refresh_failed: bool,
}

impl From<sync::Freshness> for Freshness {
    fn from(f: sync::Freshness) -> Self {
        Freshness {
            fetched_at: f.fetched_at.map(SystemTime::from),
            label: f.label,
            stale: f.stale,
            last_refresh_failed: f.last_refresh_failed,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct RefreshReport {
    pub updated: Vec<String>,
    pub not_modified: Vec<String>,
    pub new_movements: u64,
}

impl From<sync::RefreshReport> for RefreshReport {
    fn from(r: sync::RefreshReport) -> Self {
        RefreshReport {
            updated: r.updated,
            not_modified: r.not_modified,
            new_movements: r.new_movements as u64,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SaldoView {
    pub school_year: Option<String>,
    pub children: Vec<ChildSaldo>,
    pub freshness: Freshness,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChildSaldo {
    pub child_id: String,
    pub name: String,
    pub school: String,
    pub class_name: String,
    pub services: Vec<ServiceSaldo>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ServiceSaldo {
    pub service_code: String,
    pub service_label: String,
    pub balance_cents: i64,
    pub balance_display: String,
    pub in_debt: bool,
    pub meal_price_cents: Option<i64>,
    pub meal_price_display: Option<String>,
    pub meals_remaining: Option<u32>,
    pub low_credit: bool,
    pub movements: Vec<MovementView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MovementKind {
    TopUp,
    Meal,
    Adjustment,
    Unknown,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct MovementView {
    pub id: String,
    pub kind: MovementKind,
    pub amount_cents: i64,
    pub amount_display: String,
    pub occurred_at: SystemTime,
    pub date_label: String,
    pub description: String,
}

impl From<saldo::SaldoView> for SaldoView {
    fn from(v: saldo::SaldoView) -> Self {
        SaldoView {
            school_year: v.school_year,
            children: v.children.into_iter().map(ChildSaldo::from).collect(),
            freshness: v.freshness.into(),
        }
    }
}

impl From<saldo::ChildSaldo> for ChildSaldo {
    fn from(c: saldo::ChildSaldo) -> Self {
        ChildSaldo {
            child_id: c.child_id,
            name: c.name,
            school: c.school,
            class_name: c.class_name,
            services: c.services.into_iter().map(ServiceSaldo::from).collect(),
        }
    }
}

impl From<saldo::ServiceSaldo> for ServiceSaldo {
    fn from(s: saldo::ServiceSaldo) -> Self {
        ServiceSaldo {
            service_code: s.service_code,
            service_label: s.service_label,
            balance_cents: s.balance_cents,
            balance_display: s.balance_display,
            in_debt: s.in_debt,
            meal_price_cents: s.meal_price_cents,
            meal_price_display: s.meal_price_display,
            meals_remaining: s.meals_remaining,
            low_credit: s.low_credit,
            movements: s.movements.into_iter().map(MovementView::from).collect(),
        }
    }
}

impl From<CoreMovementKind> for MovementKind {
    fn from(k: CoreMovementKind) -> Self {
        match k {
            CoreMovementKind::TopUp => MovementKind::TopUp,
            CoreMovementKind::Meal => MovementKind::Meal,
            CoreMovementKind::Adjustment => MovementKind::Adjustment,
            CoreMovementKind::Unknown => MovementKind::Unknown,
        }
    }
}

impl From<saldo::MovementView> for MovementView {
    fn from(m: saldo::MovementView) -> Self {
        MovementView {
            id: m.id,
            kind: m.kind.into(),
            amount_cents: m.amount_cents,
            amount_display: m.amount_display,
            occurred_at: m.occurred_at.into(),
            date_label: m.date_label,
            description: m.description,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PagamentiView {
    /// "Avvisi Pagamento da Pagare"
    pub avvisi_da_pagare: Vec<AvvisoView>,
    pub receipts: Vec<ReceiptView>,
    /// "Ricariche in corso", oldest first.
    pub ricariche_in_corso: Vec<RicaricaView>,
    /// "Storico": the settled top-ups, newest first.
    pub storico: Vec<RicaricaView>,
    pub freshness: Freshness,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct AvvisoView {
    pub id: String,
    pub notice_number: String,
    /// In groups of 4: "3222 0115 1398 5741 81".
    pub notice_number_display: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub amount_display: String,
    /// ISO date, e.g. "2026-12-15".
    pub due_date: String,
    pub due_date_label: String,
    pub description: String,
    pub child_name: Option<String>,
    /// What the QR code on the notice encodes (`PAGOPA|002|…`).
    pub qr_payload: String,
    pub cbill_code: String,
    pub where_to_pay: Vec<String>,
    /// Every field above, labelled, one per line, for the share sheet.
    pub share_text: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ReceiptView {
    pub id: String,
    pub notice_number: String,
    pub amount_cents: i64,
    pub amount_display: String,
    pub description: String,
    pub paid_at: SystemTime,
    pub paid_at_label: String,
    pub ricarica_id: Option<String>,
}

impl From<pagamenti::PagamentiView> for PagamentiView {
    fn from(v: pagamenti::PagamentiView) -> Self {
        PagamentiView {
            avvisi_da_pagare: v
                .avvisi_da_pagare
                .into_iter()
                .map(AvvisoView::from)
                .collect(),
            receipts: v.receipts.into_iter().map(ReceiptView::from).collect(),
            ricariche_in_corso: v
                .ricariche_in_corso
                .into_iter()
                .map(RicaricaView::from)
                .collect(),
            storico: v.storico.into_iter().map(RicaricaView::from).collect(),
            freshness: v.freshness.into(),
        }
    }
}

impl From<pagamenti::AvvisoView> for AvvisoView {
    fn from(a: pagamenti::AvvisoView) -> Self {
        AvvisoView {
            id: a.id,
            notice_number: a.notice_number,
            notice_number_display: a.notice_number_display,
            fiscal_code: a.fiscal_code,
            amount_cents: a.amount_cents,
            amount_display: a.amount_display,
            due_date: a.due_date.to_string(),
            due_date_label: a.due_date_label,
            description: a.description,
            child_name: a.child_name,
            qr_payload: a.qr_payload,
            cbill_code: a.cbill_code,
            where_to_pay: a.where_to_pay,
            share_text: a.share_text,
        }
    }
}

impl From<pagamenti::ReceiptView> for ReceiptView {
    fn from(r: pagamenti::ReceiptView) -> Self {
        ReceiptView {
            id: r.id,
            notice_number: r.notice_number,
            amount_cents: r.amount_cents,
            amount_display: r.amount_display,
            description: r.description,
            paid_at: r.paid_at.into(),
            paid_at_label: r.paid_at_label,
            ricarica_id: r.ricarica_id,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ContattiView {
    pub ente_name: String,
    /// "Ufficio Servizi Educativi"
    pub office_name: String,
    pub phones: Vec<PhoneContact>,
    pub email: String,
    /// `mailto:` for the mail app.
    pub email_uri: String,
    pub hours: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PhoneContact {
    pub display: String,
    /// `tel:+39…` for the dialer.
    pub uri: String,
}

impl From<contatti::ContattiView> for ContattiView {
    fn from(c: contatti::ContattiView) -> Self {
        ContattiView {
            ente_name: c.ente_name,
            office_name: c.office_name,
            phones: c
                .phones
                .into_iter()
                .map(|p| PhoneContact {
                    display: p.display,
                    uri: p.uri,
                })
                .collect(),
            email: c.email,
            email_uri: c.email_uri,
            hours: c.hours,
        }
    }
}
