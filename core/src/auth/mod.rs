//! Login through the system browser (OAuth 2.0 authorization code + PKCE S256 + `state`,
//! RFC 8252), token refresh with rotation, and logout. Tokens live only behind [`SecureStore`],
//! which the apps implement with the Keychain / Android Keystore: never in SQLite, never in logs.

mod secure_store;
mod tokens;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::Utc;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

pub use secure_store::{MemorySecureStore, SecureStore, SecureStoreError};

use crate::api::{check_url, Error};
use tokens::{
    expires_at, load_tokens, save_tokens, token_endpoint_call, token_error, PortalOAuthClient,
    RefreshExchange, RefreshGate, Tokens,
};

/// Where the portal's authorization server lives and how the app is registered there.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub client_id: String,
    /// The app's claimed-scheme or loopback redirect URI, registered on the portal.
    pub redirect_uri: Url,
    pub authorize_url: Url,
    pub token_url: Url,
    pub revoke_url: Url,
}

impl OAuthConfig {
    pub const CLIENT_ID: &'static str = "comunicapp-mobile";
    pub const APP_REDIRECT_URI: &'static str = "it.comunicapp://oauth/callback";

    /// The portal serves its authorization server under `/oauth/`.
    pub fn for_portal(portal: &Url, redirect_uri: Url) -> Result<Self, Error> {
        let mut base = portal.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(OAuthConfig {
            client_id: Self::CLIENT_ID.to_owned(),
            redirect_uri,
            authorize_url: base.join("oauth/authorize")?,
            token_url: base.join("oauth/token")?,
            revoke_url: base.join("oauth/revoke")?,
        })
    }
}

/// A login started in the browser; kept in the secure store because the OS may kill the app
/// while the browser is in front.
#[derive(Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    verifier: String,
}

/// What a logout managed to do: local data is always wiped; the portal may not have been told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutReport {
    pub revoked_on_portal: bool,
}

/// The tokens of one profile and everything that changes them.
pub struct Authenticator {
    profile: String,
    config: OAuthConfig,
    oauth: PortalOAuthClient,
    secrets: Arc<dyn SecureStore>,
    http: reqwest::Client,
    refresh_gate: Arc<RefreshGate>,
    /// Refresh this long before the access token expires.
    refresh_margin_secs: i64,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub fn new(
        profile: &str,
        config: OAuthConfig,
        secrets: Arc<dyn SecureStore>,
        http: reqwest::Client,
        allow_loopback_http: bool,
        refresh_margin_secs: i64,
    ) -> Result<Self, Error> {
        for url in [&config.authorize_url, &config.token_url, &config.revoke_url] {
            check_url(url, allow_loopback_http)?;
        }
        let oauth = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(config.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(config.token_url.clone()))
            .set_redirect_uri(RedirectUrl::from_url(config.redirect_uri.clone()));
        Ok(Authenticator {
            profile: profile.to_owned(),
            config,
            oauth,
            secrets,
            http,
            refresh_gate: Arc::default(),
            refresh_margin_secs,
        })
    }

    fn key(&self, name: &str) -> String {
        secret_key(&self.profile, name)
    }

    /// The URL to open in the system browser. Starting again replaces an unfinished login.
    pub fn login_start(&self) -> Result<Url, Error> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingLogin {
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
        };
        crate::diagnostics::add_secret(&pending.state);
        crate::diagnostics::add_secret(&pending.verifier);
        self.secrets.set(
            &self.key("pending_login"),
            &serde_json::to_string(&pending)?,
        )?;
        Ok(url)
    }

    /// Finishes the login with the URL the browser was sent back to: checks it is our redirect
    /// URI and carries the `state` we generated, then exchanges the code.
    pub async fn login_complete(&self, callback_url: &str) -> Result<(), Error> {
        let callback = Url::parse(callback_url)
            .map_err(|_| Error::invalid("callback_url", "non è un indirizzo"))?;
        if !same_endpoint(&callback, &self.config.redirect_uri) {
            return Err(Error::LoginStateMismatch);
        }
        let mut params: HashMap<String, String> = HashMap::new();
        for (name, value) in callback.query_pairs().into_owned() {
            // A parameter given twice is not the authorization server's answer (RFC 6749 §3.1):
            // which copy wins would differ between parsers.
            if params.insert(name, value).is_some() {
                return Err(Error::LoginStateMismatch);
            }
        }
        let pending: PendingLogin = match self.secrets.get(&self.key("pending_login"))? {
            Some(json) => serde_json::from_str(&json)?,
            None => return Err(Error::LoginStateMismatch),
        };
        // A callback that does not carry our state was not caused by our request: leave the
        // pending login in place for the genuine one.
        let state_matches = params
            .get("state")
            .is_some_and(|s| constant_time_eq(s.as_bytes(), pending.state.as_bytes()));
        if !state_matches {
            return Err(Error::LoginStateMismatch);
        }
        self.secrets.delete(&self.key("pending_login"))?;
        if let Some(error) = params.get("error") {
            return Err(Error::LoginFailed {
                reason: error.clone(),
            });
        }
        let code = params
            .get("code")
            .ok_or_else(|| Error::invalid("callback_url", "manca il codice"))?;
        let response = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.clone()))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&|request| token_endpoint_call(self.http.clone(), request))
            .await
            .map_err(|e| token_error(e, false))?;
        let refresh_token = response
            .refresh_token()
            .ok_or_else(|| Error::contract("manca il refresh token"))?
            .secret()
            .clone();
        self.save(&Tokens {
            access_token: response.access_token().secret().clone(),
            refresh_token,
            expires_at: expires_at(response.expires_in()),
        })
    }

    pub fn is_logged_in(&self) -> Result<bool, Error> {
        Ok(self.load()?.is_some())
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<String, Error> {
        let tokens = self.load()?.ok_or(Error::NotLoggedIn)?;
        if tokens.expires_at - self.refresh_margin_secs > Utc::now().timestamp() {
            return Ok(tokens.access_token);
        }
        self.refresh(Some(&tokens.access_token)).await
    }

    /// After the portal refused `rejected` with a 401: refresh, unless another call already did.
    pub async fn refresh_after_unauthorized(&self, rejected: &str) -> Result<String, Error> {
        self.refresh(Some(rejected)).await
    }

    async fn refresh(&self, stale_access_token: Option<&str>) -> Result<String, Error> {
        let exchange = RefreshExchange {
            seen_attempts: self.refresh_gate.attempts.load(Ordering::SeqCst),
            gate: Arc::clone(&self.refresh_gate),
            oauth: self.oauth.clone(),
            http: self.http.clone(),
            secrets: Arc::clone(&self.secrets),
            key: self.key("tokens"),
            stale_access_token: stale_access_token.map(str::to_owned),
        };
        // Run to completion even if the caller gives up: once the portal has rotated the
        // refresh token, losing its answer would leave us only the old, now burnt, token.
        tokio::spawn(exchange.run())
            .await
            .map_err(|_| Error::contract("rinnovo dell'accesso interrotto"))?
    }

    /// Revokes the refresh token (the portal ends its whole family) and the access token, then
    /// forgets them whatever the portal said: the parent asked to leave.
    pub async fn logout(&self) -> Result<LogoutReport, Error> {
        let mut revoked_on_portal = true;
        if let Some(tokens) = self.load()? {
            // The refresh token first: the portal ends its whole family with it.
            for (token, hint) in [
                (tokens.refresh_token, "refresh_token"),
                (tokens.access_token, "access_token"),
            ] {
                revoked_on_portal &= self.revoke(&token, hint).await;
            }
        }
        self.forget_tokens()?;
        self.secrets.delete(&self.key("pending_login"))?;
        Ok(LogoutReport { revoked_on_portal })
    }

    /// RFC 7009, sent by hand: oauth2's revocation request refuses a non-HTTPS endpoint, which
    /// would make logout untestable against the loopback sandbox.
    async fn revoke(&self, token: &str, hint: &str) -> bool {
        let form = [
            ("token", token),
            ("token_type_hint", hint),
            ("client_id", self.config.client_id.as_str()),
        ];
        self.http
            .post(self.config.revoke_url.clone())
            .form(&form)
            .send()
            .await
            .is_ok_and(|response| response.status().is_success())
    }

    fn forget_tokens(&self) -> Result<(), Error> {
        Ok(self.secrets.delete(&self.key("tokens"))?)
    }

    fn load(&self) -> Result<Option<Tokens>, Error> {
        load_tokens(self.secrets.as_ref(), &self.key("tokens"))
    }

    fn save(&self, tokens: &Tokens) -> Result<(), Error> {
        save_tokens(self.secrets.as_ref(), &self.key("tokens"), tokens)
    }

    /// Every secret key this profile may have written, so a wipe can be checked exhaustively.
    pub fn secret_keys(&self) -> Vec<String> {
        profile_secret_keys(&self.profile)
    }
}

fn secret_key(profile: &str, name: &str) -> String {
    format!("comunicapp.{profile}.{name}")
}

/// Every secret key a profile may have written (for removing a profile without opening it).
pub fn profile_secret_keys(profile: &str) -> Vec<String> {
    vec![
        secret_key(profile, "tokens"),
        secret_key(profile, "pending_login"),
    ]
}

/// Whether `profile` holds a login, without opening its session.
pub fn profile_logged_in(secrets: &dyn SecureStore, profile: &str) -> Result<bool, Error> {
    Ok(load_tokens(secrets, &secret_key(profile, "tokens"))?.is_some())
}

/// Scheme, host, port and path equal: the query carries the outcome.
fn same_endpoint(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authenticator(store: Arc<dyn SecureStore>) -> Authenticator {
        let portal = Url::parse("https://portale.example.it/").unwrap();
        let config =
            OAuthConfig::for_portal(&portal, Url::parse(OAuthConfig::APP_REDIRECT_URI).unwrap())
                .unwrap();
        Authenticator::new("valenza", config, store, reqwest::Client::new(), false, 30).unwrap()
    }

    #[test]
    fn login_url_carries_pkce_s256_and_a_fresh_state() {
        let store = Arc::new(MemorySecureStore::new());
        let auth = authenticator(store.clone());
        let first = auth.login_start().unwrap();
        let params: HashMap<String, String> = first.query_pairs().into_owned().collect();
        assert_eq!(params["code_challenge_method"], "S256");
        assert_eq!(params["client_id"], "comunicapp-mobile");
        assert_eq!(params["redirect_uri"], "it.comunicapp://oauth/callback");
        assert_eq!(params["response_type"], "code");
        assert!(params["state"].len() >= 16);
        let second = auth.login_start().unwrap();
        assert_ne!(first, second);
        assert_eq!(store.keys(), vec!["comunicapp.valenza.pending_login"]);
    }

    #[tokio::test]
    async fn a_callback_with_another_state_or_endpoint_is_refused_and_keeps_the_login() {
        let store = Arc::new(MemorySecureStore::new());
        let auth = authenticator(store.clone());
        auth.login_start().unwrap();
        for forged in [
            "it.comunicapp://oauth/callback?code=abc&state=forged",
            "it.comunicapp://oauth/callback?code=abc",
            "https://evil.example/oauth/callback?code=abc&state=x",
        ] {
            assert!(matches!(
                auth.login_complete(forged).await,
                Err(Error::LoginStateMismatch)
            ));
        }
        assert!(matches!(
            auth.login_complete("not a url").await,
            Err(Error::InvalidInput { .. })
        ));
        assert_eq!(store.keys(), vec!["comunicapp.valenza.pending_login"]);
    }

    #[tokio::test]
    async fn without_tokens_the_session_asks_to_log_in() {
        let auth = authenticator(Arc::new(MemorySecureStore::new()));
        assert!(matches!(auth.access_token().await, Err(Error::NotLoggedIn)));
        assert!(!auth.is_logged_in().unwrap());
    }

    #[test]
    fn token_debug_output_shows_no_secret() {
        let tokens = Tokens {
            access_token: "ACCESS-SECRET".to_owned(),
            refresh_token: "REFRESH-SECRET".to_owned(),
            expires_at: 1,
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
