//! The HTTP plumbing every portal call goes through: URL policy, timeouts, safe retries, and the
//! mapping of every failure to a typed [`Error`].
use std::sync::Arc;

use reqwest::header::{HeaderMap, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use super::policy::{check_url, parse_retry_after, ClientOptions};
use super::Error;

/// A conditional GET either confirms the cached copy or brings a new one with its `ETag`.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<T> {
    NotModified,
    Fresh { value: T, etag: Option<String> },
}

/// Far above the largest document of the contract (a 500-movement page is about 100 kB): a body
/// past it is not the portal's answer, and reading it whole would cost the phone's memory.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The portal client. Holds no token: the session passes one per call, so a token lives in
/// memory only for the duration of a request.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base_url: Url,
    options: ClientOptions,
}

/// One request as the retry loop rebuilds it on every attempt.
struct Call<'a> {
    method: Method,
    url: Url,
    bearer: Option<&'a str>,
    body: Option<Vec<u8>>,
    idempotency_key: Option<&'a str>,
    if_none_match: Option<&'a str>,
}

impl Call<'_> {
    /// GET has no side effects and a keyed POST is deduplicated by the portal; anything else
    /// might be applied twice, so it is tried once only.
    fn is_safe_to_retry(&self) -> bool {
        self.method == Method::GET || self.idempotency_key.is_some()
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// The portal's `application/problem+json`; unknown members are ignored.
#[derive(Debug, Deserialize)]
struct ProblemBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    code: String,
    #[serde(default)]
    field: Option<String>,
}

/// A failed attempt, and whether the same request may be sent again.
struct Failure {
    error: Error,
    transient: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let transient = error.is_transient();
        Failure { error, transient }
    }
}

impl ApiClient {
    pub fn new(base_url: Url, options: ClientOptions) -> Result<Self, Error> {
        check_url(&base_url, options.allow_loopback_http)?;
        let http = build_http_client(&options)?;
        // `join` drops the last path segment unless the base ends with '/'.
        let mut base_url = base_url;
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        Ok(ApiClient {
            http,
            base_url,
            options,
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// The underlying reqwest client (no redirects, same timeouts), for the OAuth exchange.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A URL under the portal's base, checked against the URL policy.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, Error> {
        let mut url = self.base_url.join(path.trim_start_matches('/'))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        // Paths may carry ids from the portal: whatever they hold, stay under the portal's base.
        let inside =
            url.origin() == self.base_url.origin() && url.path().starts_with(self.base_url.path());
        if !inside {
            return Err(Error::invalid("path", "fuori dal portale"));
        }
        check_url(&url, self.options.allow_loopback_http)?;
        Ok(url)
    }

    /// GET with `If-None-Match` when `etag` is given; 304 gives [`Fetched::NotModified`].
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        bearer: &str,
        etag: Option<&str>,
    ) -> Result<Fetched<T>, Error> {
        let call = Call {
            method: Method::GET,
            url: self.url(path, query)?,
            bearer: Some(bearer),
            body: None,
            idempotency_key: None,
            if_none_match: etag,
        };
        let answer = self.send(&call).await?;
        if answer.status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let etag = header_text(&answer.headers, ETAG.as_str());
        Ok(Fetched::Fresh {
            value: decode(&answer.body)?,
            etag,
        })
    }

    /// POST a JSON body; retried on transient failures only when `idempotency_key` is given.
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        bearer: &str,
        idempotency_key: Option<&str>,
    ) -> Result<T, Error> {
        self.send_json(Method::POST, path, body, bearer, idempotency_key)
            .await
    }

    /// PUT a JSON body (never retried: the portal does not promise idempotent PUTs).
    pub async fn put_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        bearer: &str,
    ) -> Result<T, Error> {
        self.send_json(Method::PUT, path, body, bearer, None).await
    }

    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        bearer: &str,
        idempotency_key: Option<&str>,
    ) -> Result<T, Error> {
        let call = Call {
            method,
            url: self.url(path, &[])?,
            bearer: Some(bearer),
            body: Some(serde_json::to_vec(body)?),
            idempotency_key,
            if_none_match: None,
        };
        let answer = self.send(&call).await?;
        decode(&answer.body)
    }

    /// The retry loop: capped exponential backoff with full jitter, `Retry-After` honoured.
    async fn send(&self, call: &Call<'_>) -> Result<Answer, Error> {
        let policy = &self.options.retry;
        let mut retry = 0;
        loop {
            let failure = match self.attempt(call).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !(failure.transient && call.is_safe_to_retry()) {
                return Err(failure.error);
            }
            // The thread-local RNG is not Send: pick the delay before awaiting.
            let delay = {
                let mut rng = rand::rng();
                policy.delay_before_retry(retry, failure.error.retry_after(), &mut rng)
            };
            match delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(failure.error),
            }
            retry += 1;
        }
    }

    async fn attempt(&self, call: &Call<'_>) -> Result<Answer, Failure> {
        let mut request = self.http.request(call.method.clone(), call.url.clone());
        if let Some(token) = call.bearer {
            request = request.bearer_auth(token);
        }
        if let Some(key) = call.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(etag) = call.if_none_match {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut response = request.send().await.map_err(transport_failure)?;
        let status = response.status();
        let headers = response.headers().clone();
        let too_large = || Failure {
            error: Error::contract("risposta troppo grande"),
            transient: false,
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY_BYTES as u64)
        {
            return Err(too_large());
        }
        // Read chunk by chunk: a body without a length (or lying about it) stops at the cap.
        let mut read = Vec::new();
        let body = loop {
            match response.chunk().await {
                Ok(Some(chunk)) if read.len() + chunk.len() > MAX_BODY_BYTES => {
                    return Err(too_large())
                }
                Ok(Some(chunk)) => read.extend_from_slice(&chunk),
                Ok(None) => break Ok(read),
                Err(e) => break Err(e),
            }
        };
        let body = match body {
            Ok(bytes) => bytes,
            // A body cut short is the portal's answer broken in transit: a contract violation
            // for the caller, but worth another try for a safe request.
            Err(e) if e.is_timeout() => return Err(Error::Timeout.into()),
            Err(_) => {
                return Err(Failure {
                    error: Error::contract("risposta troncata"),
                    transient: true,
                })
            }
        };
        let answer = Answer {
            status,
            headers,
            body,
        };
        classify(answer, call.if_none_match.is_some()).map_err(Failure::from)
    }
}

fn build_http_client(options: &ClientOptions) -> Result<reqwest::Client, Error> {
    Ok(reqwest::Client::builder()
        .use_rustls_tls()
        .https_only(!options.allow_loopback_http)
        // A redirect could lead off the portal or down to plain HTTP; the contract has none.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .timeout(options.request_timeout)
        .user_agent(concat!("ComunicApp/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

fn transport_failure(e: reqwest::Error) -> Failure {
    let error = if e.is_timeout() {
        Error::Timeout
    } else if e.is_connect() {
        Error::Offline(Arc::new(e))
    } else if e.is_request() || e.is_body() {
        Error::ConnectionLost(Arc::new(e))
    } else {
        Error::Http(e)
    };
    let transient = !matches!(error, Error::Http(_));
    Failure { error, transient }
}

fn classify(answer: Answer, conditional: bool) -> Result<Answer, Error> {
    let status = answer.status;
    if status.is_success() {
        return Ok(answer);
    }
    if status == StatusCode::NOT_MODIFIED && conditional {
        return Ok(answer);
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(Error::Unauthorized);
    }
    let retry_after = header_text(&answer.headers, RETRY_AFTER.as_str())
        .as_deref()
        .and_then(parse_retry_after);
    if let Ok(problem) = serde_json::from_slice::<ProblemBody>(&answer.body) {
        return Err(Error::Problem {
            status: status.as_u16(),
            title: problem.title.unwrap_or_default(),
            code: problem.code,
            detail: problem.detail,
            field: problem.field,
            retry_after,
        });
    }
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(Error::Server {
            status: status.as_u16(),
            retry_after,
        });
    }
    Err(Error::contract(format!("stato HTTP inatteso {status}")))
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::contract(format!("JSON non valido: {e}")))
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_stay_under_the_portal_base() {
        let base = Url::parse("https://portale.example.it/valenza").unwrap();
        let client = ApiClient::new(base, ClientOptions::default()).unwrap();
        assert_eq!(
            client
                .url("api/v1/ricariche/r-1", &[("a", "b c")])
                .unwrap()
                .as_str(),
            "https://portale.example.it/valenza/api/v1/ricariche/r-1?a=b+c"
        );
        // A leading slash is read as relative to the base, never as another host.
        assert_eq!(
            client.url("//evil.example/api", &[]).unwrap().as_str(),
            "https://portale.example.it/valenza/evil.example/api"
        );
        for escape in [
            "https://evil.example/api",
            "../alessandria/api/v1/ente",
            "api/../../x",
        ] {
            assert!(
                matches!(client.url(escape, &[]), Err(Error::InvalidInput { .. })),
                "{escape}"
            );
        }
        assert!(matches!(
            ApiClient::new(
                Url::parse("http://portale.example.it/").unwrap(),
                ClientOptions::development()
            ),
            Err(Error::InsecureUrl { .. })
        ));
    }
}
