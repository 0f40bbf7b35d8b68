//! The portal's OAuth 2.0 authorization server for the app (a public client): authorization code
//! with PKCE S256 only (RFC 7636), redirect URIs matched exactly except the port of a loopback
//! redirect (RFC 8252 §7.3), single-use short-lived codes, refresh tokens rotated at every use
//! with reuse detection that revokes the whole family, and revocation (RFC 7009).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use crate::http::{escape, html};
use crate::server::Shared;
use crate::world::span;

pub const CLIENT_ID: &str = "comunicapp-mobile";
/// The app's custom-scheme redirect, and the loopback one (any port) for the demo and tests.
pub const REDIRECT_URIS: [&str; 2] = [
    "it.comunicapp://oauth/callback",
    "http://127.0.0.1/oauth/callback",
];
pub const SCOPE: &str = "portale";

#[derive(Debug, Clone)]
struct AuthCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    user_id: String,
    expires_at: DateTime<Utc>,
    used: bool,
    /// The token family this code started, to revoke it when the code is replayed.
    family: Option<String>,
}

#[derive(Debug, Clone)]
struct Grant {
    family: String,
    user_id: String,
    expires_at: DateTime<Utc>,
    /// Access tokens: revoked one by one. Refresh tokens: already exchanged for a newer one.
    spent: bool,
}

#[derive(Debug, Default)]
pub struct OAuthState {
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
    revoked_families: HashSet<String>,
    next_family: u64,
}

impl OAuthState {
    /// The parent an access token speaks for, if it is live.
    pub fn user_for_access_token(&self, token: &str, now: DateTime<Utc>) -> Option<String> {
        let grant = self.access.get(token)?;
        let live = !grant.spent
            && grant.expires_at > now
            && !self.revoked_families.contains(&grant.family);
        live.then(|| grant.user_id.clone())
    }

    fn revoke_family(&mut self, family: &str) {
        self.revoked_families.insert(family.to_string());
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Exact match, except that a loopback `http` redirect may use any port (RFC 8252 §7.3).
fn redirect_uri_allowed(candidate: &str) -> bool {
    if REDIRECT_URIS.contains(&candidate) {
        return true;
    }
    let Ok(url) = Url::parse(candidate) else {
        return false;
    };
    REDIRECT_URIS
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .any(|registered| {
            registered.scheme() == "http"
                && url.scheme() == "http"
                && url.host_str() == Some("127.0.0.1")
                && registered.host_str() == Some("127.0.0.1")
                && url.path() == registered.path()
                && url.query() == registered.query()
                && url.fragment().is_none()
                && url.username().is_empty()
                && url.password().is_none()
        })
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters.
fn well_formed_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

struct AuthorizeRequest {
    redirect_uri: String,
    state: String,
    challenge: String,
}

enum AuthorizeError {
    /// Unknown client or redirect URI: never redirect to an address we cannot trust.
    Untrusted(&'static str),
    /// Anything else goes back to the app, with `state`.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: &'static str,
    },
}

fn validate(params: &HashMap<String, String>) -> Result<AuthorizeRequest, AuthorizeError> {
    let field = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    if field("client_id") != Some(CLIENT_ID) {
        return Err(AuthorizeError::Untrusted(
            "Applicazione sconosciuta (client_id).",
        ));
    }
    let Some(redirect_uri) = field("redirect_uri").filter(|r| redirect_uri_allowed(r)) else {
        return Err(AuthorizeError::Untrusted(
            "Indirizzo di ritorno non registrato (redirect_uri).",
        ));
    };
    let redirect_uri = redirect_uri.to_string();
    let state = field("state").map(str::to_string);
    let fail = |error, description| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description,
    };
    if field("response_type") != Some("code") {
        return Err(fail("unsupported_response_type", "only response_type=code"));
    }
    let Some(state_value) = state.clone() else {
        return Err(fail("invalid_request", "state is required"));
    };
    let Some(challenge) = field("code_challenge") else {
        return Err(fail("invalid_request", "PKCE code_challenge is required"));
    };
    if field("code_challenge_method") != Some("S256") {
        return Err(fail("invalid_request", "only code_challenge_method=S256"));
    }
    if !well_formed_pkce_value(challenge) {
        return Err(fail("invalid_request", "malformed code_challenge"));
    }
    Ok(AuthorizeRequest {
        redirect_uri,
        state: state_value,
        challenge: challenge.to_string(),
    })
}

fn redirect_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return html(
            StatusCode::BAD_REQUEST,
            page("Errore", "<p>Indirizzo di ritorno non valido.</p>"),
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error_response(error: AuthorizeError) -> Response {
    match error {
        AuthorizeError::Untrusted(message) => html(
            StatusCode::BAD_REQUEST,
            page(
                "Richiesta non valida",
                &format!("<p>{}</p>", escape(message)),
            ),
        ),
        AuthorizeError::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => {
            let mut pairs = vec![("error", error), ("error_description", description)];
            if let Some(state) = state.as_deref() {
                pairs.push(("state", state));
            }
            redirect_to(&redirect_uri, &pairs)
        }
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} - Portale Genitori</title></head><body><h1>{}</h1>{body}</body></html>",
        escape(title),
        escape(title)
    )
}

fn login_form(params: &HashMap<String, String>, message: Option<&str>) -> String {
    let hidden: String = [
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
        "scope",
    ]
    .iter()
    .filter_map(|name| params.get(*name).map(|value| (name, value)))
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect();
    let message = message
        .map(|m| format!("<p id=\"error\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default();
    page(
        "Accedi al Portale Genitori",
        &format!(
            "{message}<form method=\"post\" action=\"/oauth/authorize\">{hidden}\
             <label>Codice utente <input id=\"username\" name=\"username\" autocomplete=\"username\"></label>\
             <label>Password <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
             <button id=\"login\" type=\"submit\">Accedi</button></form>"
        ),
    )
}

async fn authorize_page(Query(params): Query<HashMap<String, String>>) -> Response {
    match validate(&params) {
        Ok(_) => html(StatusCode::OK, login_form(&params, None)),
        Err(error) => error_response(error),
    }
}

fn parse_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

async fn authorize_submit(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = parse_form(&body);
    let request = match validate(&params) {
        Ok(request) => request,
        Err(error) => return error_response(error),
    };
    let mut world = shared.lock();
    let given = (
        params.get("username").map(String::as_str),
        params.get("password").map(String::as_str),
    );
    if given
        != (
            Some(world.credentials.username.as_str()),
            Some(world.credentials.password.as_str()),
        )
    {
        return html(
            StatusCode::OK,
            login_form(&params, Some("Codice utente o password non corretti.")),
        );
    }
    let user_id = world.account.parent.id.clone();
    let expires_at = world.now() + span(shared.config.auth_code_ttl);
    let code = random_token();
    world.oauth.codes.insert(
        code.clone(),
        AuthCode {
            client_id: CLIENT_ID.to_string(),
            redirect_uri: request.redirect_uri.clone(),
            challenge: request.challenge,
            user_id,
            expires_at,
            used: false,
            family: None,
        },
    );
    redirect_to(
        &request.redirect_uri,
        &[("code", &code), ("state", &request.state)],
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        serde_json::to_vec(&json!({"error": error, "error_description": description}))
            .unwrap_or_default(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `client_id` from the body, or from HTTP Basic (what some OAuth libraries send by default).
fn client_id(params: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    if let Some(id) = params.get("client_id") {
        return Some(id.clone());
    }
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
    let id = decoded.split(':').next()?;
    url::form_urlencoded::parse(format!("id={id}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = parse_form(&body);
    if client_id(&params, &headers).as_deref() != Some(CLIENT_ID) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    }
    let mut world = shared.lock();
    let now = world.now();
    let field = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let (family, user_id) = match field("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri), Some(verifier)) =
                (field("code"), field("redirect_uri"), field("code_verifier"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                );
            };
            let Some(stored) = world.oauth.codes.get(code).cloned() else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown code");
            };
            if stored.used {
                // RFC 6749 §4.1.2: a replayed code revokes what it already produced.
                if let Some(family) = &stored.family {
                    world.oauth.revoke_family(family);
                }
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "code already used",
                );
            }
            if let Some(entry) = world.oauth.codes.get_mut(code) {
                entry.used = true;
            }
            if stored.expires_at <= now {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "code expired");
            }
            if stored.client_id != CLIENT_ID || stored.redirect_uri != redirect_uri {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "redirect_uri does not match the authorization request",
                );
            }
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if !well_formed_pkce_value(verifier) || computed != stored.challenge {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed",
                );
            }
            world.oauth.next_family += 1;
            let family = format!("fam-{}", world.oauth.next_family);
            if let Some(entry) = world.oauth.codes.get_mut(code) {
                entry.family = Some(family.clone());
            }
            (family, stored.user_id)
        }
        Some("refresh_token") => {
            let Some(presented) = field("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            let Some(grant) = world.oauth.refresh.get(presented).cloned() else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown refresh token",
                );
            };
            if world.oauth.revoked_families.contains(&grant.family) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "session revoked");
            }
            if grant.spent {
                // A rotated token came back: someone holds a copy. End the whole session.
                world.oauth.revoke_family(&grant.family);
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "refresh token reused; session revoked",
                );
            }
            if grant.expires_at <= now {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "refresh token expired",
                );
            }
            if let Some(entry) = world.oauth.refresh.get_mut(presented) {
                entry.spent = true;
            }
            (grant.family, grant.user_id)
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "authorization_code or refresh_token",
            )
        }
    };
    let access_token = random_token();
    let refresh_token = random_token();
    let access_ttl = shared.config.access_token_ttl;
    world.oauth.access.insert(
        access_token.clone(),
        Grant {
            family: family.clone(),
            user_id: user_id.clone(),
            expires_at: now + span(access_ttl),
            spent: false,
        },
    );
    world.oauth.refresh.insert(
        refresh_token.clone(),
        Grant {
            family,
            user_id,
            expires_at: now + span(shared.config.refresh_token_ttl),
            spent: false,
        },
    );
    let body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": access_ttl.as_secs(),
        "refresh_token": refresh_token,
        "scope": SCOPE,
    });
    let mut response = (
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn revoke(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params = parse_form(&body);
    let Some(presented) = params.get("token").filter(|t| !t.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    let mut world = shared.lock();
    if let Some(family) = world.oauth.refresh.get(presented).map(|g| g.family.clone()) {
        world.oauth.revoke_family(&family);
    } else if let Some(grant) = world.oauth.access.get_mut(presented) {
        grant.spent = true;
    }
    // RFC 7009 §2.2: 200 whether or not the token was known.
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirect_may_use_any_port_but_nothing_else_may_vary() {
        assert!(redirect_uri_allowed("it.comunicapp://oauth/callback"));
        assert!(redirect_uri_allowed(
            "http://127.0.0.1:53124/oauth/callback"
        ));
        assert!(!redirect_uri_allowed("http://127.0.0.1:53124/oauth/other"));
        assert!(!redirect_uri_allowed(
            "http://localhost:53124/oauth/callback"
        ));
        assert!(!redirect_uri_allowed("https://evil.example/oauth/callback"));
        assert!(!redirect_uri_allowed("it.comunicapp://oauth/callback/"));
    }
}
