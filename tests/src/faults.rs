//! Scripted faults per route and the request log, both applied by one middleware around every
//! route except `/admin/*`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::http::problem;
use crate::server::Shared;

/// What a scripted fault does to the request it catches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer normally, `ms` milliseconds late.
    Latency { ms: u64 },
    /// Answer this status with a problem body (and `Retry-After` when given).
    Status {
        code: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Close the connection without a response.
    Drop,
    /// Promise a longer body than is sent, then close the connection.
    Truncate,
    /// 200 with a body that is not JSON.
    Malformed,
    /// Answer exactly this: status, `Content-Type` and body (wrong types, another route's
    /// document, a huge or deeply nested body).
    Body {
        code: u16,
        content_type: String,
        body: String,
    },
}

/// Body of `POST /admin/faults`, e.g.
/// `{"route": "GET /api/v1/balances", "kind": "status", "code": 503, "retry_after": 2, "count": 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `METHOD /path`, the path either the route pattern (`/api/v1/ricariche/{id}`) or literal.
    pub route: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests it catches before it is spent.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// Marks a response the server must turn into a closed connection.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The largest request body the log keeps whole (the app's are a few hundred bytes).
const REQUEST_BODY_LIMIT: usize = 1024 * 1024;

/// One request as it reached the sandbox, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    /// The route pattern (`/api/v1/ricariche/{id}`).
    pub route: String,
    /// Path and query as sent (`/api/v1/ricariche?idempotency_key=…`).
    pub target: String,
    /// Status code, or `drop`.
    pub outcome: String,
    /// `Content-Type` and body of a request that carries one (POST, PUT): what the client sent,
    /// for checking against `core/api/portale.yaml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Default)]
pub struct FaultState {
    rules: Vec<FaultRule>,
    /// "METHOD /pattern" → status (or "drop") → count.
    requests: BTreeMap<String, BTreeMap<String, u64>>,
    log: Vec<LoggedRequest>,
}

impl FaultState {
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn requests(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        self.requests.clone()
    }

    pub fn clear_requests(&mut self) {
        self.requests.clear();
        self.log.clear();
    }

    pub fn log(&self) -> Vec<LoggedRequest> {
        self.log.clone()
    }

    fn take(&mut self, method: &str, pattern: &str, path: &str) -> Option<FaultKind> {
        let position = self.rules.iter().position(|rule| {
            let (rule_method, rule_path) = rule.route.split_once(' ').unwrap_or(("", ""));
            rule.count > 0
                && rule_method.eq_ignore_ascii_case(method)
                && (rule_path == pattern || rule_path == path)
        })?;
        let rule = &mut self.rules[position];
        rule.count -= 1;
        let kind = rule.kind.clone();
        if rule.count == 0 {
            self.rules.remove(position);
        }
        Some(kind)
    }

    fn record(&mut self, request: LoggedRequest) {
        *self
            .requests
            .entry(format!("{} {}", request.method, request.route))
            .or_default()
            .entry(request.outcome.clone())
            .or_insert(0) += 1;
        self.log.push(request);
    }
}

pub async fn fault_layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let pattern = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    if path.starts_with("/admin") {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (request, body) = if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, REQUEST_BODY_LIMIT)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (Request::from_parts(parts, Body::from(bytes)), Some(text))
    } else {
        (request, None)
    };
    let fault = shared.lock_raw().faults.take(&method, &pattern, &path);
    let response = match fault {
        None => next.run(request).await,
        Some(FaultKind::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(FaultKind::Status { code, retry_after }) => status_fault(code, retry_after),
        Some(FaultKind::Drop) => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Some(FaultKind::Truncate) => truncated(next.run(request).await).await,
        Some(FaultKind::Body {
            code,
            content_type,
            body,
        }) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Some(FaultKind::Malformed) => {
            let mut response = (
                StatusCode::OK,
                "{\"balances\": [{\"child_id\": \"alu-0001\", \"balance_cents\": 12",
            )
                .into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    };
    let outcome = if response.extensions().get::<DropConnection>().is_some() {
        "drop".to_string()
    } else {
        response.status().as_u16().to_string()
    };
    shared.lock_raw().faults.record(LoggedRequest {
        method,
        route: pattern,
        target,
        outcome,
        content_type: body.as_ref().and(content_type),
        body,
    });
    response
}

fn status_fault(code: u16, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (problem_code, title) = match status.as_u16() {
        401 => ("unauthorized", "Sessione non valida"),
        429 => ("rate_limited", "Troppe richieste, riprova più tardi"),
        503 => (
            "service_unavailable",
            "Servizio momentaneamente non disponibile",
        ),
        500..=599 => ("internal_error", "Errore del portale"),
        _ => ("fault_injected", "Errore simulato"),
    };
    let mut response = problem(status, problem_code, title);
    if let Some(seconds) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// The real answer cut in half, under a `Content-Length` of the whole, then the connection closes.
async fn truncated(real: Response) -> Response {
    let (mut parts, body) = real.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let full_length = bytes.len().max(64);
    let half = bytes.slice(..bytes.len() / 2);
    // The error comes a moment after the first chunk so hyper flushes the head and half the body
    // first; an immediate error would look like a dropped connection instead.
    let cut = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "truncated by fault",
        ))
    };
    let chunks = futures_util::stream::iter([Ok(half)]).chain(futures_util::stream::once(cut));
    parts.status = StatusCode::OK;
    parts.headers.remove(header::TRANSFER_ENCODING);
    if let Ok(value) = HeaderValue::from_str(&full_length.to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, value);
    }
    Response::from_parts(parts, Body::from_stream(chunks))
}
