//! The facade over one comune's portal for one profile: login, cached views, refresh.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::Freshness;
use crate::api::dto::{
    Account, AvvisiList, Balances, EnteDocument, MovementsPage, PortalDocument, ReceiptsList,
};
use crate::api::{ApiClient, ClientOptions, Error, Fetched};
use crate::auth::{Authenticator, LogoutReport, OAuthConfig, SecureStore};
use crate::comuni::Comune;
use crate::copy::Lang;
use crate::pagamenti::{build_pagamenti, PagamentiView};
use crate::saldo::{build_saldo, SaldoView};
use crate::store::{CacheUpdate, CursorUpdate, Store};

/// Tunables of a [`Session`]; `Default` is a release build.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub client: ClientOptions,
    /// The cache and secrets namespace; the comune id when `None`.
    pub profile: Option<String>,
    /// Registered on the portal: the app's claimed scheme, or a loopback URL for the demo.
    pub redirect_uri: String,
    /// Data older than this is shown as stale.
    pub stale_after: Duration,
    /// Refresh the access token this long before it expires.
    pub refresh_margin: Duration,
    /// Movements shown per service in the Saldo view.
    pub movements_shown: u32,
    /// The language of every text the views carry.
    pub lang: Lang,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            client: ClientOptions::default(),
            profile: None,
            redirect_uri: OAuthConfig::APP_REDIRECT_URI.to_owned(),
            stale_after: Duration::from_secs(30 * 60),
            refresh_margin: Duration::from_secs(60),
            movements_shown: 10,
            lang: Lang::It,
        }
    }
}

impl SessionOptions {
    /// Loopback HTTP to the sandbox, short timeouts and backoff.
    pub fn development() -> Self {
        SessionOptions {
            client: ClientOptions::development(),
            ..SessionOptions::default()
        }
    }
}

/// What a refresh did, per resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// Resources that changed (200 with a new body).
    pub updated: Vec<String>,
    /// Resources the portal confirmed unchanged (304).
    pub not_modified: Vec<String>,
    pub new_movements: usize,
}

/// The documents kept whole in the cache, with their portal paths.
const DOCUMENTS: [(&str, &str); 5] = [
    ("ente", "api/v1/ente"),
    ("account", "api/v1/account"),
    ("balances", "api/v1/balances"),
    ("avvisi", "api/v1/avvisi"),
    ("receipts", "api/v1/receipts"),
];
const MOVEMENTS: &str = "movements";
/// The portal's largest page: a first sync of a school year is a few round trips, not dozens.
const MOVEMENT_PAGE_SIZE: &str = "500";
/// A portal that keeps saying `has_more` is broken; stop rather than loop forever (100,000
/// movements at the largest page).
const MAX_MOVEMENT_PAGES: usize = 200;

pub struct Session {
    comune: Comune,
    profile: String,
    api: ApiClient,
    auth: Authenticator,
    store: Store,
    options: SessionOptions,
    saldo_memo: Mutex<Option<SaldoMemo>>,
}

/// The last Saldo view built, and the store generation it was built from.
struct SaldoMemo {
    generation: u64,
    view: SaldoView,
    balances_fetched_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("comune", &self.comune.id)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Opens the profile's cache (rebuilding it if corrupt) and its login. No network.
    pub fn open(
        data_dir: &Path,
        comune: &Comune,
        secure_store: Arc<dyn SecureStore>,
        options: SessionOptions,
    ) -> Result<Session, Error> {
        let profile = options.profile.clone().unwrap_or_else(|| comune.id.clone());
        let api = ApiClient::new(comune.portal_url.clone(), options.client.clone())?;
        let redirect_uri = Url::parse(&options.redirect_uri)
            .map_err(|_| Error::invalid("redirect_uri", "non è un indirizzo"))?;
        let oauth = OAuthConfig::for_portal(api.base_url(), redirect_uri)?;
        let auth = Authenticator::new(
            &profile,
            oauth,
            secure_store,
            api.http().clone(),
            options.client.allow_loopback_http,
            i64::try_from(options.refresh_margin.as_secs()).unwrap_or(i64::MAX / 4),
        )?;
        // Last, so that a refused configuration leaves no file behind.
        let store = Store::open_profile(data_dir, &profile)?;
        crate::diagnostics::install();
        let session = Session {
            comune: comune.clone(),
            profile,
            api,
            auth,
            store,
            options,
            saldo_memo: Mutex::new(None),
        };
        session.mask_account_names();
        Ok(session)
    }

    /// The family's names join the log's mask list as soon as the core knows them.
    fn mask_account_names(&self) {
        match self.account() {
            Ok(Some(account)) => {
                let parent = &account.parent;
                let names =
                    [parent.first_name.as_str(), parent.last_name.as_str()]
                        .into_iter()
                        .chain(account.children.iter().flat_map(|child| {
                            [child.first_name.as_str(), child.last_name.as_str()]
                        }));
                crate::diagnostics::add_personal_words(names);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(key = error.message_key(), "account not readable: {error}")
            }
        }
    }

    pub fn comune(&self) -> &Comune {
        &self.comune
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    pub fn lang(&self) -> Lang {
        self.options.lang
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn auth(&self) -> &Authenticator {
        &self.auth
    }

    /// The URL to open in the system browser (Custom Tabs / ASWebAuthenticationSession).
    pub fn login_start(&self) -> Result<Url, Error> {
        self.auth.login_start()
    }

    /// The URL the browser came back to.
    pub async fn login_complete(&self, callback_url: &str) -> Result<(), Error> {
        self.auth.login_complete(callback_url).await
    }

    pub fn is_logged_in(&self) -> Result<bool, Error> {
        self.auth.is_logged_in()
    }

    /// Revokes the tokens on the portal and wipes this profile's rows and secrets.
    pub async fn logout(&self) -> Result<LogoutReport, Error> {
        let report = self.auth.logout().await?;
        self.store.wipe()?;
        Ok(report)
    }

    /// The Saldo view from the cache, at once. Built once per change of the store: every
    /// screen and subscription asks for it after each write, and between writes only the
    /// "stale" flag can change, with the clock.
    pub fn saldo(&self) -> Result<SaldoView, Error> {
        let generation = self.store.generation();
        {
            let memo = self.saldo_memo.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(memo) = memo.as_ref().filter(|m| m.generation == generation) {
                let mut view = memo.view.clone();
                view.freshness = Freshness::of(
                    memo.balances_fetched_at,
                    self.too_old(memo.balances_fetched_at),
                    memo.view.freshness.last_refresh_failed,
                    self.options.lang,
                );
                return Ok(view);
            }
        }
        let (view, balances_fetched_at) = self.build_saldo_view()?;
        *self.saldo_memo.lock().unwrap_or_else(|p| p.into_inner()) = Some(SaldoMemo {
            generation,
            view: view.clone(),
            balances_fetched_at,
        });
        Ok(view)
    }

    fn build_saldo_view(&self) -> Result<(SaldoView, Option<DateTime<Utc>>), Error> {
        let account = self.store.document::<Account>("account")?;
        let balances = self.store.document::<Balances>("balances")?;
        let ente = self.store.document::<EnteDocument>("ente")?;
        let freshness = self.freshness(balances.as_ref().map(|b| b.fetched_at))?;
        let mut movement_error = None;
        let view = build_saldo(
            account.as_ref().map(|c| &c.value),
            balances.as_ref().map(|c| &c.value),
            ente.as_ref().map(|c| &c.value),
            |child, service| {
                self.store
                    .movements(child, service, self.options.movements_shown)
                    .unwrap_or_else(|e| {
                        movement_error = Some(e);
                        Vec::new()
                    })
            },
            freshness,
            self.options.lang,
        );
        match movement_error {
            Some(e) => Err(e),
            None => Ok((view, balances.map(|b| b.fetched_at))),
        }
    }

    /// The Pagamenti view from the cache, at once.
    pub fn pagamenti(&self) -> Result<PagamentiView, Error> {
        let avvisi = self.store.document::<AvvisiList>("avvisi")?;
        let receipts = self.store.document::<ReceiptsList>("receipts")?;
        let account = self.store.document::<Account>("account")?;
        let freshness = self.freshness(avvisi.as_ref().map(|c| c.fetched_at))?;
        Ok(build_pagamenti(
            avvisi.as_ref().map(|c| &c.value),
            receipts.as_ref().map(|c| &c.value),
            account.as_ref().map(|c| &c.value),
            freshness,
            self.options.lang,
        ))
    }

    /// The Contatti screen, from the cache; `None` before the first sync.
    pub fn contatti(&self) -> Result<Option<crate::contatti::ContattiView>, Error> {
        Ok(crate::contatti::build_contatti(self.ente()?.as_ref()))
    }

    /// The ente's configuration as last fetched.
    pub fn ente(&self) -> Result<Option<EnteDocument>, Error> {
        Ok(self.store.document("ente")?.map(|c| c.value))
    }

    pub fn account(&self) -> Result<Option<Account>, Error> {
        Ok(self.store.document("account")?.map(|c| c.value))
    }

    fn freshness(&self, fetched_at: Option<DateTime<Utc>>) -> Result<Freshness, Error> {
        let status = self.store.refresh_status()?;
        Ok(Freshness::of(
            fetched_at,
            self.too_old(fetched_at),
            status.last_error.is_some(),
            self.options.lang,
        ))
    }

    fn too_old(&self, fetched_at: Option<DateTime<Utc>>) -> bool {
        fetched_at.is_none_or(|at| {
            (Utc::now() - at).to_std().unwrap_or(Duration::ZERO) > self.options.stale_after
        })
    }

    /// Brings the cache up to date. On failure the cache is left exactly as it was (and the
    /// views turn stale); the error says why.
    pub async fn refresh(&self) -> Result<RefreshReport, Error> {
        match self.fetch_all().await {
            Ok((update, report)) => {
                self.store.apply(&update, Utc::now())?;
                self.mask_account_names();
                Ok(report)
            }
            Err(error) => {
                self.store
                    .record_refresh_failure(Utc::now(), error.message_key())?;
                Err(error)
            }
        }
    }

    async fn fetch_all(&self) -> Result<(CacheUpdate, RefreshReport), Error> {
        // All requests run to completion (join, not try_join): dropping one midway could drop a
        // token refresh the others are waiting for.
        // The movements go out beside the documents: an unchanged refresh costs one round trip.
        let mut update = CacheUpdate::default();
        let (ente, account, balances, avvisi, receipts, movements) = tokio::join!(
            self.fetch_document::<EnteDocument>(DOCUMENTS[0]),
            self.fetch_document::<Account>(DOCUMENTS[1]),
            self.fetch_document::<Balances>(DOCUMENTS[2]),
            self.fetch_document::<AvvisiList>(DOCUMENTS[3]),
            self.fetch_document::<ReceiptsList>(DOCUMENTS[4]),
            self.fetch_movements(&mut update),
        );
        let mut report = RefreshReport::default();
        for (fetched, (resource, _)) in [ente, account, balances, avvisi, receipts]
            .into_iter()
            .zip(DOCUMENTS)
        {
            match fetched? {
                Some((json, etag)) => {
                    update.fresh.push((resource.to_owned(), json, etag));
                    report.updated.push(resource.to_owned());
                }
                None => {
                    update.confirmed.push(resource.to_owned());
                    report.not_modified.push(resource.to_owned());
                }
            }
        }
        if !movements? {
            report.not_modified.push(MOVEMENTS.to_owned());
        }
        report.new_movements = update.movements.len();
        Ok((update, report))
    }

    /// `None` when the portal confirmed the cached copy; otherwise the body, re-serialised from
    /// the typed value so that only contract-valid documents reach the cache.
    async fn fetch_document<T: PortalDocument>(
        &self,
        (resource, path): (&str, &str),
    ) -> Result<Option<(String, Option<String>)>, Error> {
        let etag = self.store.etag(resource)?;
        match self.get::<T>(path, &[], etag.as_deref()).await? {
            Fetched::NotModified => Ok(None),
            Fetched::Fresh { value, etag } => {
                if let Some(violation) = value.contract_violation() {
                    return Err(Error::contract(violation));
                }
                Ok(Some((serde_json::to_string(&value)?, etag)))
            }
        }
    }

    /// Pages from the stored cursor on. The first request carries the `ETag` of the empty page
    /// seen there last time, so a refresh with nothing new costs a 304 and no body.
    async fn fetch_movements(&self, update: &mut CacheUpdate) -> Result<bool, Error> {
        let stored = self.store.cursor_and_etag(MOVEMENTS)?;
        let mut etag = stored.as_ref().and_then(|(_, etag)| etag.clone());
        let mut cursor = stored.map(|(cursor, _)| cursor);
        for _ in 0..MAX_MOVEMENT_PAGES {
            let mut query: Vec<(&str, &str)> = vec![("limit", MOVEMENT_PAGE_SIZE)];
            query.extend(cursor.iter().map(|c| ("cursor", c.as_str())));
            let sent_etag = etag.take();
            let (page, page_etag) = match self
                .get::<MovementsPage>("api/v1/movements", &query, sent_etag.as_deref())
                .await?
            {
                Fetched::Fresh { value, etag } => (value, etag),
                Fetched::NotModified if sent_etag.is_some() => return Ok(false),
                Fetched::NotModified => return Err(Error::contract("304 senza If-None-Match")),
            };
            let same_page_again = cursor.as_deref() == Some(page.next_cursor.as_str());
            update.movements.extend(page.movements);
            cursor = Some(page.next_cursor);
            if !page.has_more {
                if let Some(cursor) = cursor {
                    update.cursors.push(CursorUpdate {
                        resource: MOVEMENTS.to_owned(),
                        cursor,
                        // Only the page at the cursor kept can be asked for again.
                        etag: if same_page_again { page_etag } else { None },
                    });
                }
                return Ok(true);
            }
        }
        Err(Error::contract("troppe pagine di movimenti"))
    }

    /// An authorised GET: the access token is refreshed before expiry, and once more after a 401.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        etag: Option<&str>,
    ) -> Result<Fetched<T>, Error> {
        let token = self.auth.access_token().await?;
        match self.api.get_json(path, query, &token, etag).await {
            Err(Error::Unauthorized) => {
                let token = self.auth.refresh_after_unauthorized(&token).await?;
                self.api.get_json(path, query, &token, etag).await
            }
            other => other,
        }
    }

    /// An authorised POST; pass an idempotency key for anything that must not happen twice.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<T, Error> {
        let token = self.auth.access_token().await?;
        match self
            .api
            .post_json(path, body, &token, idempotency_key)
            .await
        {
            // Without a key, a 401 still means the portal did nothing: safe to send again.
            Err(Error::Unauthorized) => {
                let token = self.auth.refresh_after_unauthorized(&token).await?;
                self.api
                    .post_json(path, body, &token, idempotency_key)
                    .await
            }
            other => other,
        }
    }

    /// An authorised PUT.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        let token = self.auth.access_token().await?;
        match self.api.put_json(path, body, &token).await {
            Err(Error::Unauthorized) => {
                let token = self.auth.refresh_after_unauthorized(&token).await?;
                self.api.put_json(path, body, &token).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MemorySecureStore;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>(_: &T) {}

    /// The bindings share one session between threads and run its futures on tokio.
    #[test]
    fn a_session_and_its_futures_cross_threads() {
        assert_send_sync::<Session>();
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-session-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let comune = Comune::sandbox(Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
        let session = Session::open(
            &dir,
            &comune,
            Arc::new(MemorySecureStore::new()),
            SessionOptions::development(),
        )
        .unwrap();
        assert_send(&session.refresh());
        assert_send(&session.login_complete("it.comunicapp://oauth/callback"));
        assert_send(&session.logout());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_release_session_refuses_a_plain_http_portal() {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-session-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let comune = Comune::sandbox(Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
        let refused = Session::open(
            &dir,
            &comune,
            Arc::new(MemorySecureStore::new()),
            SessionOptions::default(),
        );
        assert!(matches!(refused, Err(Error::InsecureUrl { .. })));
        assert!(!dir.exists());
    }
}
