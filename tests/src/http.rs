//! Response helpers shared by the routes: problem bodies, JSON with ETags, HTML pages.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::wire::{Problem, PROBLEM_CONTENT_TYPE};

/// A portal error: `application/problem+json` with a stable `code`.
pub fn problem(status: StatusCode, code: &str, title: &str) -> Response {
    problem_with(status, code, title, None, None)
}

pub fn problem_field(status: StatusCode, code: &str, title: &str, field: &str) -> Response {
    problem_with(status, code, title, None, Some(field))
}

pub fn problem_with(
    status: StatusCode,
    code: &str,
    title: &str,
    detail: Option<String>,
    field: Option<&str>,
) -> Response {
    let body = Problem {
        problem_type: format!("https://portale.example.it/problemi/{code}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        code: code.to_string(),
        field: field.map(str::to_string),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    response
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Errore interno",
        ),
    }
}

/// A 200 with a strong ETag of the body, or a 304 when the client already holds it.
pub fn json_with_etag<T: Serialize>(request_headers: &HeaderMap, value: &T) -> Response {
    let Ok(bytes) = serde_json::to_vec(value) else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Errore interno",
        );
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{hex}\"");
    let held = request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == etag || tag == "*" || tag.strip_prefix("W/") == Some(etag.as_str())
        });
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""));
    if held {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::ETAG, etag_value);
        return response;
    }
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::ETAG, etag_value);
    response
}

pub fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, Body::from(page)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `€ 1.234,50` — the sandbox's own formatting, so it does not lean on the core under test.
pub fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in units.chars().enumerate() {
        if index > 0 && (units.len() - index) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    format!("{sign}€ {grouped},{:02}", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euro_groups_thousands_and_keeps_two_decimals() {
        assert_eq!(euro(1), "€ 0,01");
        assert_eq!(euro(2050), "€ 20,50");
        assert_eq!(euro(123_456_789), "€ 1.234.567,89");
        assert_eq!(euro(-23_000), "-€ 230,00");
    }

    #[test]
    fn a_held_etag_gives_304() {
        let first = json_with_etag(&HeaderMap::new(), &serde_json::json!({"a": 1}));
        let etag = first.headers()[header::ETAG].clone();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, etag);
        let second = json_with_etag(&headers, &serde_json::json!({"a": 1}));
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        let changed = json_with_etag(&headers, &serde_json::json!({"a": 2}));
        assert_eq!(changed.status(), StatusCode::OK);
    }
}
