//! The tokens of a profile and the token endpoint: one refresh at a time, rotation stored,
//! every failure typed.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, RefreshToken, RequestTokenError,
    TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::SecureStore;
use crate::api::{parse_retry_after, Error};

pub(super) type PortalOAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The tokens of one profile, stored as one secret so that a rotation replaces both at once.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Tokens {
    pub(super) access_token: String,
    pub(super) refresh_token: String,
    /// Unix seconds, by the phone's clock when the token arrived.
    pub(super) expires_at: i64,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Refresh tokens rotate: two exchanges at once would present the same token twice and the
/// portal would end the session. So one exchange at a time, and the callers that waited for it
/// share its outcome instead of trying again each.
#[derive(Default)]
pub(super) struct RefreshGate {
    /// Held for a whole exchange; keeps the failure of the last one for those who waited.
    last_failure: tokio::sync::Mutex<Option<Error>>,
    /// Exchanges sent to the portal so far.
    pub(super) attempts: AtomicU64,
}

/// One refresh-token exchange, owning all it needs so it can outlive a cancelled caller.
pub(super) struct RefreshExchange {
    pub(super) gate: Arc<RefreshGate>,
    pub(super) seen_attempts: u64,
    pub(super) oauth: PortalOAuthClient,
    pub(super) http: reqwest::Client,
    pub(super) secrets: Arc<dyn SecureStore>,
    pub(super) key: String,
    pub(super) stale_access_token: Option<String>,
}

impl RefreshExchange {
    pub(super) async fn run(self) -> Result<String, Error> {
        let mut last_failure = self.gate.last_failure.lock().await;
        let secrets = self.secrets.as_ref();
        let Some(tokens) = load_tokens(secrets, &self.key)? else {
            // The tokens vanished while we waited: a concurrent refresh found the session ended.
            return Err(if self.stale_access_token.is_some() {
                Error::SessionExpired
            } else {
                Error::NotLoggedIn
            });
        };
        if self
            .stale_access_token
            .as_deref()
            .is_some_and(|stale| stale != tokens.access_token)
        {
            // Another call refreshed while we waited for the lock.
            return Ok(tokens.access_token);
        }
        if self.gate.attempts.load(Ordering::SeqCst) != self.seen_attempts {
            // An exchange ran while we waited and left the tokens as they were: it failed.
            if let Some(shared) = last_failure.as_ref().and_then(Error::duplicate_transient) {
                return Err(shared);
            }
        }
        self.gate.attempts.fetch_add(1, Ordering::SeqCst);
        // Never retried: if the answer is lost the portal has already rotated the token, and
        // sending the old one again would end the session.
        let response = self
            .oauth
            .exchange_refresh_token(&RefreshToken::new(tokens.refresh_token.clone()))
            .request_async(&|request| token_endpoint_call(self.http.clone(), request))
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => {
                let error = token_error(e, true);
                if matches!(error, Error::SessionExpired) {
                    secrets.delete(&self.key)?;
                }
                *last_failure = error.duplicate_transient();
                return Err(error);
            }
        };
        *last_failure = None;
        let rotated = Tokens {
            access_token: response.access_token().secret().clone(),
            refresh_token: response
                .refresh_token()
                .map_or(tokens.refresh_token, |t| t.secret().clone()),
            expires_at: expires_at(response.expires_in()),
        };
        save_tokens(secrets, &self.key, &rotated)?;
        Ok(rotated.access_token)
    }
}

pub(super) fn load_tokens(secrets: &dyn SecureStore, key: &str) -> Result<Option<Tokens>, Error> {
    match secrets.get(key)? {
        // An unreadable entry is as good as none: the parent logs in again.
        Some(json) => {
            let tokens: Option<Tokens> = serde_json::from_str(&json).ok();
            if let Some(tokens) = &tokens {
                crate::diagnostics::add_secret(&tokens.access_token);
                crate::diagnostics::add_secret(&tokens.refresh_token);
            }
            Ok(tokens)
        }
        None => Ok(None),
    }
}

pub(super) fn save_tokens(
    secrets: &dyn SecureStore,
    key: &str,
    tokens: &Tokens,
) -> Result<(), Error> {
    crate::diagnostics::add_secret(&tokens.access_token);
    crate::diagnostics::add_secret(&tokens.refresh_token);
    Ok(secrets.set(key, &serde_json::to_string(tokens)?)?)
}

pub(super) fn expires_at(expires_in: Option<std::time::Duration>) -> i64 {
    // Without `expires_in` assume a short life: the 401 path refreshes anyway.
    let secs = expires_in.map_or(300, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
    Utc::now().timestamp().saturating_add(secs)
}

/// The token endpoint's transport, ours rather than oauth2's: a 5xx or 429 becomes a typed
/// server error before oauth2 would misread its body as a malformed OAuth error.
#[derive(Debug, thiserror::Error)]
pub(super) enum TokenTransportError {
    #[error("richiesta non riuscita")]
    Send(#[source] reqwest::Error),
    #[error("risposta interrotta")]
    Body(#[source] reqwest::Error),
    #[error("errore del server {status}")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("risposta non valida: {0}")]
    Malformed(String),
}

pub(super) async fn token_endpoint_call(
    http: reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, TokenTransportError> {
    let request = reqwest::Request::try_from(request).map_err(TokenTransportError::Send)?;
    let response = http
        .execute(request)
        .await
        .map_err(TokenTransportError::Send)?;
    let status = response.status();
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        return Err(TokenTransportError::Server {
            status: status.as_u16(),
            retry_after,
        });
    }
    let mut builder = oauth2::http::Response::builder().status(status);
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await.map_err(TokenTransportError::Body)?;
    builder
        .body(body.to_vec())
        .map_err(|e| TokenTransportError::Malformed(e.to_string()))
}

pub(super) type OAuthRequestError =
    RequestTokenError<TokenTransportError, oauth2::StandardErrorResponse<BasicErrorResponseType>>;

pub(super) fn token_error(e: OAuthRequestError, refreshing: bool) -> Error {
    match e {
        RequestTokenError::ServerResponse(response) => match response.error() {
            // A refresh token that is expired, revoked or already used (rotation) all mean the
            // same thing to the parent: log in again.
            BasicErrorResponseType::InvalidGrant
            | BasicErrorResponseType::InvalidClient
            | BasicErrorResponseType::UnauthorizedClient
                if refreshing =>
            {
                Error::SessionExpired
            }
            other => Error::LoginFailed {
                reason: other.to_string(),
            },
        },
        RequestTokenError::Request(TokenTransportError::Send(e)) => {
            if e.is_timeout() {
                Error::Timeout
            } else if e.is_connect() {
                Error::Offline(Arc::new(e))
            } else {
                Error::ConnectionLost(Arc::new(e))
            }
        }
        RequestTokenError::Request(TokenTransportError::Body(e)) if e.is_timeout() => {
            Error::Timeout
        }
        RequestTokenError::Request(TokenTransportError::Body(_)) => {
            Error::contract("risposta del server di accesso troncata")
        }
        RequestTokenError::Request(TokenTransportError::Server {
            status,
            retry_after,
        }) => Error::Server {
            status,
            retry_after,
        },
        RequestTokenError::Request(TokenTransportError::Malformed(what))
        | RequestTokenError::Other(what) => Error::contract(what),
        RequestTokenError::Parse(_, _) => {
            Error::contract("risposta del server di accesso non valida")
        }
    }
}
