//! What the sandbox tests share: a started sandbox, a plain HTTP client, and the OAuth round trip
//! done the way a program drives the login form.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle, CLIENT_ID};
use rand::RngCore;
use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:53123/oauth/callback";

pub async fn sandbox() -> SandboxHandle {
    sandbox_with(SandboxConfig::for_tests()).await
}

pub async fn sandbox_with(config: SandboxConfig) -> SandboxHandle {
    start(config).await.expect("the sandbox starts on loopback")
}

/// Redirects are inspected by the tests, never followed.
pub fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("a reqwest client")
}

pub fn url(handle: &SandboxHandle, path: &str) -> Url {
    handle
        .base_url()
        .join(path.trim_start_matches('/'))
        .expect("a sandbox URL")
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// The login form's fields, as the authorize page would carry them.
pub fn login_fields<'a>(
    pkce: &'a Pkce,
    redirect_uri: &'a str,
    state: &'a str,
    username: &'a str,
    password: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("username", username),
        ("password", password),
    ]
}

pub fn location(response: &Response) -> Url {
    let value = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a Location header");
    Url::parse(value.to_str().expect("an ASCII Location")).expect("an absolute Location")
}

pub fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Submits the login form for the demo parent and answers the authorization code.
pub async fn authorization_code(
    handle: &SandboxHandle,
    client: &Client,
    pkce: &Pkce,
    redirect_uri: &str,
) -> String {
    let credentials = handle.demo_credentials();
    let fields = login_fields(
        pkce,
        redirect_uri,
        "xyz",
        &credentials.username,
        &credentials.password,
    );
    let response = client
        .post(url(handle, "/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .expect("login form posted");
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = location(&response);
    query_param(&back, "code").expect("a code in the redirect")
}

pub async fn exchange_code(
    handle: &SandboxHandle,
    client: &Client,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Response {
    client
        .post(url(handle, "/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .expect("token request sent")
}

pub async fn refresh(handle: &SandboxHandle, client: &Client, refresh_token: &str) -> Response {
    client
        .post(url(handle, "/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .expect("refresh request sent")
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

pub async fn tokens_from(response: Response) -> Tokens {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token JSON");
    Tokens {
        access: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_string(),
    }
}

/// The whole login: form, code, token.
pub async fn login(handle: &SandboxHandle, client: &Client) -> Tokens {
    let pkce = pkce();
    let code = authorization_code(handle, client, &pkce, LOOPBACK_REDIRECT).await;
    tokens_from(exchange_code(handle, client, &code, &pkce.verifier, LOOPBACK_REDIRECT).await).await
}

pub async fn get(handle: &SandboxHandle, client: &Client, token: &str, path: &str) -> Response {
    client
        .get(url(handle, path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent")
}

pub async fn problem_code(response: Response) -> String {
    let body: Value = response.json().await.expect("a problem body");
    body["code"].as_str().unwrap_or_default().to_string()
}
