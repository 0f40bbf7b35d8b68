//! The pagoPA checkout simulator: `POST /checkout/ec/v1/carts` with pagoPA's validation, the
//! checkout page, and its outcomes. The browser goes back to the caller's return URLs exactly as
//! given — pagoPA appends nothing, which is why the app must ask the portal for the outcome.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use crate::config::SandboxConfig;
use crate::http::{escape, euro, html};
use crate::notice::{is_valid_fiscal_code, is_valid_nav};
use crate::server::Shared;
use crate::world::{
    join, span, CheckoutSession, NoticeState, SessionNotice, SessionReturnUrls, SessionState, World,
};

pub const MAX_NOTICES: usize = 5;
pub const MAX_TEXT_CHARS: usize = 140;
/// The commission the simulated PSP charges per checkout, shown on the page.
pub const CHECKOUT_FEE_CENTS: i64 = 100;

/// Body of pagoPA's `POST /checkout/ec/v1/carts` (pagoPA's camelCase names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartRequest {
    pub payment_notices: Vec<PaymentNotice>,
    pub return_urls: CartReturnUrls,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_notice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_cart: Option<String>,
    #[serde(default, rename = "allCCP", skip_serializing_if = "Option::is_none")]
    pub all_ccp: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentNotice {
    pub notice_number: String,
    pub fiscal_code: String,
    pub amount: i64,
    pub company_name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartReturnUrls {
    pub return_ok_url: String,
    pub return_cancel_url: String,
    pub return_error_url: String,
    /// pagoPA v2: where to go when the payment is taken in charge but its outcome is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_waiting_url: Option<String>,
}

/// A refused cart, in pagoPA's problem shape with its `faultCode` where pagoPA has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartError {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    pub fault_code: Option<&'static str>,
}

fn bad_request(detail: String) -> CartError {
    CartError {
        status: StatusCode::BAD_REQUEST,
        title: "Richiesta non valida",
        detail,
        fault_code: Some("PPT_SINTASSI_EXTRAXSD"),
    }
}

fn unprocessable(detail: String, fault_code: Option<&'static str>) -> CartError {
    CartError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        title: "Carrello non pagabile",
        detail,
        fault_code,
    }
}

impl CartError {
    fn into_response(self) -> Response {
        let mut body = json!({"type": "about:blank", "title": self.title, "status": self.status.as_u16(), "detail": self.detail});
        if let Some(code) = self.fault_code {
            body["faultCode"] = json!(code);
        }
        let mut response =
            (self.status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

fn absolute_url(value: &str, field: &str) -> Result<(), CartError> {
    Url::parse(value)
        .map(|_| ())
        .map_err(|_| bad_request(format!("{field}: URL non valido")))
}

impl World {
    /// Opens a checkout session for the cart; answers the checkout page URL.
    pub fn open_cart(
        &mut self,
        cart: &CartRequest,
        config: &SandboxConfig,
        public_base: &Url,
    ) -> Result<Url, CartError> {
        let notices = &cart.payment_notices;
        if notices.is_empty() {
            return Err(bad_request("paymentNotices: almeno un avviso".to_string()));
        }
        if notices.len() > MAX_NOTICES {
            return Err(unprocessable(
                format!("paymentNotices: al massimo {MAX_NOTICES} avvisi"),
                None,
            ));
        }
        for (index, notice) in notices.iter().enumerate() {
            if !is_valid_nav(&notice.notice_number) {
                return Err(bad_request(format!(
                    "paymentNotices[{index}].noticeNumber non valido"
                )));
            }
            if !is_valid_fiscal_code(&notice.fiscal_code) {
                return Err(bad_request(format!(
                    "paymentNotices[{index}].fiscalCode non valido"
                )));
            }
            if notice.amount < 1 {
                return Err(bad_request(format!(
                    "paymentNotices[{index}].amount deve essere almeno 1"
                )));
            }
            if notice.company_name.chars().count() > MAX_TEXT_CHARS
                || notice.description.chars().count() > MAX_TEXT_CHARS
            {
                return Err(bad_request(format!("paymentNotices[{index}]: companyName e description al massimo {MAX_TEXT_CHARS} caratteri")));
            }
        }
        let urls = &cart.return_urls;
        absolute_url(&urls.return_ok_url, "returnOkUrl")?;
        absolute_url(&urls.return_cancel_url, "returnCancelUrl")?;
        absolute_url(&urls.return_error_url, "returnErrorUrl")?;
        if let Some(waiting) = &urls.return_waiting_url {
            absolute_url(waiting, "returnWaitingUrl")?;
        }
        for (index, notice) in notices.iter().enumerate() {
            let repeated = notices[..index].iter().any(|earlier| {
                earlier.notice_number == notice.notice_number
                    && earlier.fiscal_code == notice.fiscal_code
            });
            if repeated {
                return Err(unprocessable(
                    format!("avviso {} ripetuto nel carrello", notice.notice_number),
                    None,
                ));
            }
        }
        for notice in notices {
            if notice.fiscal_code != self.ente.fiscal_code {
                return Err(unprocessable(
                    format!("ente {} sconosciuto", notice.fiscal_code),
                    Some("PPT_DOMINIO_SCONOSCIUTO"),
                ));
            }
            match self.notices.get(&notice.notice_number).map(|n| &n.state) {
                None => {
                    return Err(unprocessable(
                        format!("avviso {} sconosciuto", notice.notice_number),
                        Some("PAA_PAGAMENTO_SCONOSCIUTO"),
                    ))
                }
                Some(NoticeState::Paid { .. }) => {
                    return Err(unprocessable(
                        format!("avviso {} già pagato", notice.notice_number),
                        Some("PPT_PAGAMENTO_DUPLICATO"),
                    ))
                }
                Some(NoticeState::InProgress { .. }) => {
                    return Err(unprocessable(
                        format!(
                            "pagamento dell'avviso {} già in corso",
                            notice.notice_number
                        ),
                        Some("PPT_PAGAMENTO_IN_CORSO"),
                    ))
                }
                Some(NoticeState::Payable) => {}
            }
        }
        let id = random_session_id();
        for notice in notices {
            if let Some(record) = self.notices.get_mut(&notice.notice_number) {
                record.state = NoticeState::InProgress {
                    session_id: id.clone(),
                };
            }
        }
        let session = CheckoutSession {
            id: id.clone(),
            notices: notices
                .iter()
                .map(|n| SessionNotice {
                    nav: n.notice_number.clone(),
                    fiscal_code: n.fiscal_code.clone(),
                    amount_cents: n.amount,
                    company_name: n.company_name.clone(),
                    description: n.description.clone(),
                })
                .collect(),
            return_urls: SessionReturnUrls {
                ok: urls.return_ok_url.clone(),
                cancel: urls.return_cancel_url.clone(),
                error: urls.return_error_url.clone(),
                waiting: urls.return_waiting_url.clone(),
            },
            fee_cents: CHECKOUT_FEE_CENTS,
            expires_at: self.now() + span(config.checkout_session_ttl),
            state: SessionState::Open,
        };
        self.sessions.insert(id.clone(), session);
        Ok(join(public_base, &format!("checkout/c/{id}")))
    }
}

fn random_session_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/checkout/ec/v1/carts", post(post_cart))
        .route("/checkout/ec/v2/carts", post(post_cart_v2))
        .route("/checkout/c/{session_id}", get(checkout_page))
        .route("/checkout/c/{session_id}/{outcome}", post(checkout_outcome))
}

async fn post_cart(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    open_cart_from(&shared, &body, false)
}

/// pagoPA v2: the same cart, with `returnWaitingUrl` required.
async fn post_cart_v2(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    open_cart_from(&shared, &body, true)
}

fn open_cart_from(shared: &Shared, body: &[u8], waiting_required: bool) -> Response {
    let cart: CartRequest = match serde_json::from_slice(body) {
        Ok(cart) => cart,
        Err(error) => return bad_request(format!("JSON non valido: {error}")).into_response(),
    };
    if waiting_required && cart.return_urls.return_waiting_url.is_none() {
        return bad_request("returnUrls.returnWaitingUrl obbligatorio".to_string()).into_response();
    }
    let mut world = shared.lock();
    match world.open_cart(&cart, &shared.config, &shared.public_base_url) {
        Ok(location) => found(location.as_str(), StatusCode::FOUND),
        Err(error) => error.into_response(),
    }
}

fn found(location: &str, status: StatusCode) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = status.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => html(
            StatusCode::BAD_REQUEST,
            "<p>Indirizzo di ritorno non valido.</p>".to_string(),
        ),
    }
}

fn grouped_nav(nav: &str) -> String {
    nav.as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn checkout_page(
    State(shared): State<Arc<Shared>>,
    Path(session_id): Path<String>,
) -> Response {
    let world = shared.lock();
    let Some(session) = world.sessions.get(&session_id) else {
        return html(StatusCode::NOT_FOUND, "<!doctype html><html lang=\"it\"><body><h1>Sessione di pagamento inesistente</h1></body></html>".to_string());
    };
    let rows: String = session
        .notices
        .iter()
        .map(|n| {
            format!(
                "<tr class=\"notice\"><td>{}</td><td>{} (CF {})</td><td>{}</td><td>{}</td></tr>",
                grouped_nav(&n.nav),
                escape(&n.company_name),
                escape(&n.fiscal_code),
                escape(&n.description),
                euro(n.amount_cents)
            )
        })
        .collect();
    let status = match session.state {
        SessionState::Open => "Da pagare",
        SessionState::Pending { .. } => "In attesa di esito",
        SessionState::Paid => "Pagato",
        SessionState::Cancelled => "Annullato",
        SessionState::Failed => "Non riuscito",
        SessionState::Expired => "Sessione scaduta",
    };
    let button = |outcome: &str, label: &str| {
        format!("<form method=\"post\" action=\"/checkout/c/{session_id}/{outcome}\"><button id=\"{outcome}\" type=\"submit\">{label}</button></form>")
    };
    let page = format!(
        "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>pagoPA - Checkout (sandbox)</title></head><body><h1>Paga con pagoPA (sandbox)</h1>\
         <p id=\"status\">{status}</p><table><thead><tr><th>Codice avviso</th><th>Ente</th><th>Causale</th><th>Importo</th></tr></thead><tbody>{rows}</tbody></table>\
         <p>Commissione: <span id=\"fee\">{}</span></p><p>Totale: <strong id=\"total\">{}</strong></p>{}{}{}{}</body></html>",
        euro(session.fee_cents),
        euro(session.total_cents() + session.fee_cents),
        button("pay", "Paga"),
        button("cancel", "Annulla"),
        button("fail", "Simula errore"),
        button("pending", "Lascia in sospeso"),
    );
    html(StatusCode::OK, page)
}

async fn checkout_outcome(
    State(shared): State<Arc<Shared>>,
    Path((session_id, outcome)): Path<(String, String)>,
) -> Response {
    let mut world = shared.lock();
    let now = world.now();
    let Some(session) = world.sessions.get(&session_id) else {
        return html(
            StatusCode::NOT_FOUND,
            "<p>Sessione di pagamento inesistente.</p>".to_string(),
        );
    };
    let next = match (session.state, outcome.as_str()) {
        (SessionState::Open, "pay") => SessionState::Paid,
        (SessionState::Open, "cancel") => SessionState::Cancelled,
        (SessionState::Open, "fail") => SessionState::Failed,
        (SessionState::Open, "pending") => SessionState::Pending { since: now },
        (SessionState::Open, _) => {
            return html(
                StatusCode::NOT_FOUND,
                "<p>Operazione sconosciuta.</p>".to_string(),
            )
        }
        // Already decided (or expired): the browser is sent where that outcome leads.
        (decided, _) => decided,
    };
    if session.state == SessionState::Open {
        world.close_session(&session_id, next, &shared.config);
    }
    let Some(session) = world.sessions.get(&session_id) else {
        return html(
            StatusCode::NOT_FOUND,
            "<p>Sessione di pagamento inesistente.</p>".to_string(),
        );
    };
    let urls = &session.return_urls;
    let target = match next {
        SessionState::Paid => &urls.ok,
        SessionState::Cancelled => &urls.cancel,
        SessionState::Failed | SessionState::Expired | SessionState::Open => &urls.error,
        SessionState::Pending { .. } => urls.waiting.as_ref().unwrap_or(&urls.ok),
    };
    found(target, StatusCode::SEE_OTHER)
}
