//! The portal API under `/api/v1`, as `core/api/portale.yaml` describes it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::TimeDelta;

use crate::checkout::{CartRequest, CartReturnUrls, PaymentNotice, CHECKOUT_FEE_CENTS};
use crate::http::{json, json_with_etag, problem, problem_field, problem_with};
use crate::notice::qr_payload;
use crate::server::Shared;
use crate::wire::{
    problem_code, AvvisiList, Avviso, AvvisoIssued, AvvisoStatus, CreateRicaricaRequest,
    FeeEstimate, MovementsPage, PaymentMode, ReceiptsList, Ricarica, RicaricaItem, RicaricaStatus,
    RicaricheList, UpdateEmailRequest, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER,
    MAX_RICARICA_ITEMS,
};
use crate::world::{where_to_pay, Credit, NoticeRecord, NoticeState, RicaricaRecord, World};

const DEFAULT_PAGE: usize = 200;
const MAX_PAGE: usize = 500;
const MAX_KEY_LENGTH: usize = 200;
const AVVISO_DAYS_TO_PAY: i64 = 30;
const MAX_FEE_QUERY_CENTS: i64 = 100_000_000;
const COMMISSION_NOTE: &str = "Al pagamento è applicata una commissione che varia in base al canale di pagamento abilitato prescelto.";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/ente", get(ente))
        .route("/api/v1/account", get(account))
        .route("/api/v1/account/email", put(update_email))
        .route("/api/v1/balances", get(balances))
        .route("/api/v1/movements", get(movements))
        .route("/api/v1/avvisi", get(avvisi))
        .route("/api/v1/receipts", get(receipts))
        .route("/api/v1/fees", get(fees))
        .route(
            "/api/v1/ricariche",
            post(create_ricarica).get(list_ricariche),
        )
        .route("/api/v1/ricariche/{id}", get(get_ricarica))
}

/// The parent the bearer token speaks for, or the 401 to answer.
/// Boxed: a `Response` is large and travels only on the error path.
fn authenticate(
    shared: &Shared,
    world: &World,
    headers: &HeaderMap,
) -> Result<String, Box<Response>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let user = token.and_then(|token| {
        let test_token =
            shared.config.faults_enabled && shared.config.test_token.as_deref() == Some(token);
        if test_token {
            Some(world.account.parent.id.clone())
        } else {
            world.oauth.user_for_access_token(token, world.now())
        }
    });
    user.ok_or_else(|| {
        let mut response = problem(
            StatusCode::UNAUTHORIZED,
            problem_code::UNAUTHORIZED,
            "Accesso scaduto: accedi di nuovo",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        Box::new(response)
    })
}

macro_rules! authenticated {
    ($shared:expr, $world:expr, $headers:expr) => {
        match authenticate(&$shared, &$world, &$headers) {
            Ok(user) => user,
            Err(response) => return *response,
        }
    };
}

async fn ente(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    json_with_etag(&headers, &world.ente)
}

async fn account(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    json_with_etag(&headers, &world.account)
}

fn valid_email(email: &str) -> bool {
    email.len() <= 254
        && email.trim() == email
        && email_address::EmailAddress::is_valid(email)
        && email
            .rsplit('@')
            .next()
            .is_some_and(|domain| domain.contains('.'))
}

async fn update_email(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock();
    authenticated!(shared, world, headers);
    let Ok(request) = serde_json::from_slice::<UpdateEmailRequest>(&body) else {
        return problem_field(
            StatusCode::BAD_REQUEST,
            problem_code::VALIDATION_FAILED,
            "Richiesta non valida",
            "email",
        );
    };
    if !valid_email(&request.email) {
        return problem_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            problem_code::VALIDATION_FAILED,
            "Indirizzo e-mail non valido",
            "email",
        );
    }
    world.account.parent.email = request.email;
    json(StatusCode::OK, &world.account)
}

async fn balances(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    json_with_etag(&headers, &world.balances_view())
}

const CURSOR_PREFIX: &str = "c1.";

fn encode_cursor(position: usize) -> String {
    format!(
        "{CURSOR_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(position.to_string())
    )
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.strip_prefix(CURSOR_PREFIX)?)
        .ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

async fn movements(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    let start = match query.get("cursor") {
        None => 0,
        Some(cursor) => match decode_cursor(cursor).filter(|p| *p <= world.movements.len()) {
            Some(position) => position,
            None => {
                return problem_field(
                    StatusCode::BAD_REQUEST,
                    problem_code::VALIDATION_FAILED,
                    "Cursore non valido",
                    "cursor",
                )
            }
        },
    };
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(limit)) if (1..=MAX_PAGE).contains(&limit) => limit,
        Some(_) => {
            return problem_field(
                StatusCode::BAD_REQUEST,
                problem_code::VALIDATION_FAILED,
                "Limite non valido",
                "limit",
            )
        }
    };
    let end = (start + limit).min(world.movements.len());
    let page = MovementsPage {
        movements: world.movements[start..end].to_vec(),
        next_cursor: encode_cursor(end),
        has_more: end < world.movements.len(),
    };
    json_with_etag(&headers, &page)
}

async fn avvisi(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    json_with_etag(
        &headers,
        &AvvisiList {
            avvisi: world.avvisi.clone(),
        },
    )
}

async fn receipts(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    let receipts = world.receipts.iter().rev().cloned().collect();
    json_with_etag(&headers, &ReceiptsList { receipts })
}

async fn fees(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let world = shared.lock();
    authenticated!(shared, world, headers);
    let amount = query
        .get("amount_cents")
        .and_then(|a| a.parse::<i64>().ok())
        .filter(|a| (1..=MAX_FEE_QUERY_CENTS).contains(a));
    if amount.is_none() {
        return problem_field(
            StatusCode::BAD_REQUEST,
            problem_code::VALIDATION_FAILED,
            "Importo non valido",
            "amount_cents",
        );
    }
    match query.get("mode").map(String::as_str) {
        Some("online") => json(
            StatusCode::OK,
            &FeeEstimate {
                fee_cents: CHECKOUT_FEE_CENTS,
                note: format!(
                    "Commissione indicativa del pagamento OnLine: € 1,00. {COMMISSION_NOTE}"
                ),
            },
        ),
        // The fee of an avviso depends on where it is paid (bank, tobacconist…): no estimate.
        Some("avviso") => problem(
            StatusCode::NOT_FOUND,
            problem_code::FEE_UNKNOWN,
            COMMISSION_NOTE,
        ),
        _ => problem_field(
            StatusCode::BAD_REQUEST,
            problem_code::VALIDATION_FAILED,
            "Modalità di pagamento non valida",
            "mode",
        ),
    }
}

fn ricarica_response(status: StatusCode, ricarica: &Ricarica, replayed: bool) -> Response {
    let mut response = json(status, ricarica);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/ricariche/{}", ricarica.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

fn unprocessable(code: &str, title: &str, field: &str) -> Response {
    problem_field(StatusCode::UNPROCESSABLE_ENTITY, code, title, field)
}

async fn create_ricarica(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut world = shared.lock();
    let parent_id = authenticated!(shared, world, headers);
    let Some(key) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return problem(
            StatusCode::BAD_REQUEST,
            problem_code::IDEMPOTENCY_KEY_MISSING,
            "Manca l'intestazione Idempotency-Key",
        );
    };
    let key = match key.to_str() {
        Ok(key)
            if (1..=MAX_KEY_LENGTH).contains(&key.len())
                && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            key.to_string()
        }
        _ => {
            return problem_field(
                StatusCode::BAD_REQUEST,
                problem_code::VALIDATION_FAILED,
                "Idempotency-Key non valida",
                IDEMPOTENCY_KEY_HEADER,
            )
        }
    };
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return problem_field(
            StatusCode::BAD_REQUEST,
            problem_code::VALIDATION_FAILED,
            "Il corpo della richiesta non è JSON",
            "body",
        );
    };
    if let Some(earlier) = world
        .ricariche
        .iter()
        .find(|r| r.parent_id == parent_id && r.ricarica.idempotency_key == key)
    {
        if earlier.request == raw {
            return ricarica_response(StatusCode::CREATED, &earlier.ricarica, true);
        }
        return problem_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            problem_code::IDEMPOTENCY_KEY_REUSED,
            "Chiave di idempotenza già usata per un'altra richiesta",
            Some(format!(
                "la chiave identifica la ricarica {}",
                earlier.ricarica.id
            )),
            Some(IDEMPOTENCY_KEY_HEADER),
        );
    }
    let request = match serde_json::from_value::<CreateRicaricaRequest>(raw.clone()) {
        Ok(request) => request,
        Err(error) => {
            return problem_with(
                StatusCode::BAD_REQUEST,
                problem_code::VALIDATION_FAILED,
                "Richiesta non valida",
                Some(error.to_string()),
                Some("body"),
            )
        }
    };
    if let Err(response) = validate(&world, &request) {
        return *response;
    }
    let ricarica = match issue(&mut world, &shared, &parent_id, &key, request, raw) {
        Ok(ricarica) => ricarica,
        Err(response) => return *response,
    };
    ricarica_response(StatusCode::CREATED, &ricarica, false)
}

fn validate(world: &World, request: &CreateRicaricaRequest) -> Result<(), Box<Response>> {
    if request.items.is_empty() {
        return Err(Box::new(unprocessable(
            problem_code::VALIDATION_FAILED,
            "Indica almeno una ricarica",
            "items",
        )));
    }
    if request.items.len() > MAX_RICARICA_ITEMS {
        return Err(Box::new(unprocessable(
            problem_code::TOO_MANY_ITEMS,
            "Al massimo 5 ricariche per pagamento",
            "items",
        )));
    }
    for (index, item) in request.items.iter().enumerate() {
        let Some(enrolled) = world.child_has_service(&item.child_id, &item.service_code) else {
            return Err(Box::new(unprocessable(
                problem_code::UNKNOWN_CHILD,
                "Alunno sconosciuto",
                &format!("items[{index}].child_id"),
            )));
        };
        let service = world
            .ente
            .services
            .iter()
            .find(|s| s.code == item.service_code);
        let Some(service) = service.filter(|_| enrolled) else {
            return Err(Box::new(unprocessable(
                problem_code::UNKNOWN_SERVICE,
                "Servizio non attivo per l'alunno",
                &format!("items[{index}].service_code"),
            )));
        };
        if !(service.min_cents..=service.max_cents).contains(&item.amount_cents) {
            return Err(Box::new(unprocessable(
                problem_code::AMOUNT_OUT_OF_RANGE,
                "Importo fuori dai limiti del servizio",
                &format!("items[{index}].amount_cents"),
            )));
        }
        let repeated = request.items[..index]
            .iter()
            .any(|e| e.child_id == item.child_id && e.service_code == item.service_code);
        if repeated {
            return Err(Box::new(unprocessable(
                problem_code::DUPLICATE_ITEM,
                "Stesso alunno e servizio ripetuti",
                &format!("items[{index}]"),
            )));
        }
    }
    if !valid_email(&request.payer_email) {
        return Err(Box::new(unprocessable(
            problem_code::VALIDATION_FAILED,
            "Indirizzo e-mail non valido",
            "payer_email",
        )));
    }
    if request.mode == PaymentMode::Online && request.return_urls.is_none() {
        return Err(Box::new(unprocessable(
            problem_code::VALIDATION_FAILED,
            "Mancano gli indirizzi di ritorno",
            "return_urls",
        )));
    }
    Ok(())
}

/// Creates the notices and the ricarica; online also opens the pagoPA checkout cart.
fn issue(
    world: &mut World,
    shared: &Shared,
    parent_id: &str,
    key: &str,
    request: CreateRicaricaRequest,
    raw: serde_json::Value,
) -> Result<Ricarica, Box<Response>> {
    let now = world.now();
    let id = world.new_id("rc");
    let fiscal_code = world.ente.fiscal_code.clone();
    let description_of = |world: &World, child_id: &str, service_code: &str| {
        let child = world.account.children.iter().find(|c| c.id == child_id);
        let name = child
            .map(|c| format!("{} {}", c.first_name, c.last_name))
            .unwrap_or_default();
        let label = world
            .ente
            .services
            .iter()
            .find(|s| s.code == service_code)
            .map(|s| s.label.clone())
            .unwrap_or_default();
        format!("Ricarica {label} - {name}")
    };
    let total_cents: i64 = request.items.iter().map(|i| i.amount_cents).sum();
    let mut ricarica = Ricarica {
        id: id.clone(),
        idempotency_key: key.to_string(),
        status: RicaricaStatus::AwaitingPayment,
        mode: request.mode,
        items: Vec::new(),
        total_cents,
        fee_cents: None,
        checkout_url: None,
        expires_at: None,
        avviso: None,
        paid_at: None,
        registered_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut issued = Vec::new();
    let mut session_id = None;
    match (request.mode, &request.return_urls) {
        (PaymentMode::Online, Some(urls)) => {
            let mut payment_notices = Vec::new();
            for item in &request.items {
                let nav = world.issue_nav();
                let description = description_of(world, &item.child_id, &item.service_code);
                world.notices.insert(
                    nav.clone(),
                    NoticeRecord {
                        nav: nav.clone(),
                        amount_cents: item.amount_cents,
                        description: description.clone(),
                        credits: vec![Credit {
                            child_id: item.child_id.clone(),
                            service_code: item.service_code.clone(),
                            amount_cents: item.amount_cents,
                        }],
                        ricarica_id: Some(id.clone()),
                        avviso_id: None,
                        state: NoticeState::Payable,
                        registration_due: None,
                        registered: false,
                    },
                );
                payment_notices.push(PaymentNotice {
                    notice_number: nav.clone(),
                    fiscal_code: fiscal_code.clone(),
                    amount: item.amount_cents,
                    company_name: world.ente.name.chars().take(140).collect(),
                    description: description.chars().take(140).collect(),
                });
                ricarica.items.push(RicaricaItem {
                    child_id: item.child_id.clone(),
                    service_code: item.service_code.clone(),
                    amount_cents: item.amount_cents,
                    notice_number: Some(nav.clone()),
                });
                issued.push(nav);
            }
            let cart = CartRequest {
                payment_notices,
                return_urls: CartReturnUrls {
                    return_ok_url: urls.ok.to_string(),
                    return_cancel_url: urls.cancel.to_string(),
                    return_error_url: urls.error.to_string(),
                    return_waiting_url: Some(urls.waiting.to_string()),
                },
                email_notice: Some(request.payer_email.clone()),
                id_cart: Some(id.clone()),
                all_ccp: Some(false),
            };
            let checkout_url = match world.open_cart(&cart, &shared.config, &shared.public_base_url)
            {
                Ok(url) => url,
                Err(error) => {
                    for nav in &issued {
                        world.notices.remove(nav);
                    }
                    return Err(Box::new(problem_with(
                        StatusCode::SERVICE_UNAVAILABLE,
                        problem_code::SERVICE_UNAVAILABLE,
                        "pagoPA non ha accettato il pagamento",
                        Some(error.detail),
                        None,
                    )));
                }
            };
            let opened = checkout_url
                .path_segments()
                .and_then(|mut s| s.next_back())
                .map(str::to_string);
            ricarica.expires_at = opened
                .as_ref()
                .and_then(|s| world.sessions.get(s))
                .map(|s| s.expires_at);
            session_id = opened;
            ricarica.fee_cents = Some(CHECKOUT_FEE_CENTS);
            ricarica.checkout_url = Some(checkout_url);
        }
        _ => {
            let nav = world.issue_nav();
            let avviso_id = world.new_id("avv");
            let due_date = world.today() + TimeDelta::days(AVVISO_DAYS_TO_PAY);
            let description = match request.items.as_slice() {
                [only] => description_of(world, &only.child_id, &only.service_code),
                items => format!("Ricarica servizi scolastici ({} alunni)", items.len()),
            };
            let payload = qr_payload(&nav, &fiscal_code, total_cents);
            let cbill_code = world.ente.cbill_code.clone();
            world.notices.insert(
                nav.clone(),
                NoticeRecord {
                    nav: nav.clone(),
                    amount_cents: total_cents,
                    description: description.clone(),
                    credits: request
                        .items
                        .iter()
                        .map(|i| Credit {
                            child_id: i.child_id.clone(),
                            service_code: i.service_code.clone(),
                            amount_cents: i.amount_cents,
                        })
                        .collect(),
                    ricarica_id: Some(id.clone()),
                    avviso_id: Some(avviso_id.clone()),
                    state: NoticeState::Payable,
                    registration_due: None,
                    registered: false,
                },
            );
            let first = request.items.first();
            world.avvisi.push(Avviso {
                id: avviso_id,
                notice_number: nav.clone(),
                fiscal_code: fiscal_code.clone(),
                amount_cents: total_cents,
                due_date,
                description,
                child_id: first.map(|i| i.child_id.clone()),
                service_code: first.map(|i| i.service_code.clone()),
                qr_payload: payload.clone(),
                cbill_code: cbill_code.clone(),
                status: AvvisoStatus::DaPagare,
                ricarica_id: Some(id.clone()),
            });
            ricarica.items = request
                .items
                .iter()
                .map(|i| RicaricaItem {
                    child_id: i.child_id.clone(),
                    service_code: i.service_code.clone(),
                    amount_cents: i.amount_cents,
                    notice_number: None,
                })
                .collect();
            ricarica.status = RicaricaStatus::AvvisoIssued;
            ricarica.avviso = Some(AvvisoIssued {
                notice_number: nav.clone(),
                fiscal_code,
                amount_cents: total_cents,
                due_date,
                qr_payload: payload,
                cbill_code,
                where_to_pay: where_to_pay(),
            });
        }
    }
    world.ricariche.push(RicaricaRecord {
        ricarica: ricarica.clone(),
        parent_id: parent_id.to_string(),
        request: raw,
        session_id,
    });
    Ok(ricarica)
}

async fn list_ricariche(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let world = shared.lock();
    let parent_id = authenticated!(shared, world, headers);
    let unfinished_only = match query.get("status").map(String::as_str) {
        None | Some("all") => false,
        Some("unfinished") => true,
        Some(_) => {
            return problem_field(
                StatusCode::BAD_REQUEST,
                problem_code::VALIDATION_FAILED,
                "Filtro di stato non valido",
                "status",
            )
        }
    };
    let key = query.get("idempotency_key");
    let ricariche = world
        .ricariche
        .iter()
        .rev()
        .filter(|r| r.parent_id == parent_id)
        .filter(|r| !unfinished_only || r.ricarica.status.is_unfinished())
        .filter(|r| key.is_none_or(|k| &r.ricarica.idempotency_key == k))
        .map(|r| r.ricarica.clone())
        .collect();
    json(StatusCode::OK, &RicaricheList { ricariche })
}

async fn get_ricarica(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let world = shared.lock();
    let parent_id = authenticated!(shared, world, headers);
    match world
        .ricariche
        .iter()
        .find(|r| r.ricarica.id == id && r.parent_id == parent_id)
    {
        Some(record) => json(StatusCode::OK, &record.ricarica),
        None => problem(
            StatusCode::NOT_FOUND,
            problem_code::NOT_FOUND,
            "Ricarica non trovata",
        ),
    }
}
