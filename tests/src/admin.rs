//! Test-only controls (present only with `faults_enabled`): faults, the request log, the clock,
//! a payment at the tobacconist, and settling a checkout left pending.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use crate::faults::FaultRule;
use crate::http::{json, problem, problem_with};
use crate::server::Shared;
use crate::wire::problem_code;
use crate::world::{span, PayError, SessionState};

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/admin/faults", post(add_faults).delete(clear_faults))
        .route(
            "/admin/requests",
            axum::routing::get(requests).delete(clear_requests),
        )
        .route("/admin/clock/advance", post(advance_clock))
        .route("/admin/avvisi/{notice_number}/pay", post(pay_avviso))
        .route("/admin/checkout/{session_id}/settle", post(settle))
        // A `body` fault may carry a 10 MB document (the client's size cap is tested with it).
        .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
}

fn bad_body(error: serde_json::Error) -> Response {
    problem_with(
        StatusCode::BAD_REQUEST,
        problem_code::VALIDATION_FAILED,
        "Richiesta non valida",
        Some(error.to_string()),
        Some("body"),
    )
}

/// One rule or a list of rules.
#[derive(Deserialize)]
#[serde(untagged)]
enum Rules {
    One(FaultRule),
    Many(Vec<FaultRule>),
}

async fn add_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let rules = match serde_json::from_slice::<Rules>(&body) {
        Ok(Rules::One(rule)) => vec![rule],
        Ok(Rules::Many(rules)) => rules,
        Err(error) => return bad_body(error),
    };
    let mut world = shared.lock_raw();
    for rule in rules {
        world.faults.add(rule);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock_raw().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// `{"GET /api/v1/balances": {"200": 1, "304": 2}, …}`.
async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    json(StatusCode::OK, &shared.lock_raw().faults.requests())
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock_raw().faults.clear_requests();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let advance = match serde_json::from_slice::<Advance>(&body) {
        Ok(advance) => advance,
        Err(error) => return bad_body(error),
    };
    let now = {
        let mut world = shared.lock_raw();
        world.clock_offset += span(Duration::from_secs(advance.seconds));
        world.tick(&shared.config);
        world.now()
    };
    json(StatusCode::OK, &json!({"now": now}))
}

/// A payment made at a tobacconist or a bank: pagoPA knows at once, the portal after the delay.
async fn pay_avviso(
    State(shared): State<Arc<Shared>>,
    Path(notice_number): Path<String>,
) -> Response {
    let mut world = shared.lock();
    match world.pay_notice_elsewhere(&notice_number, &shared.config) {
        Ok(()) => json(
            StatusCode::OK,
            &json!({"notice_number": notice_number, "paid_at": world.now()}),
        ),
        Err(PayError::Unknown) => problem(
            StatusCode::NOT_FOUND,
            problem_code::NOT_FOUND,
            "Avviso sconosciuto",
        ),
        Err(PayError::AlreadyPaid) => problem_with(
            StatusCode::CONFLICT,
            problem_code::PAYMENT_DUPLICATED,
            "Avviso già pagato",
            Some("PPT_PAGAMENTO_DUPLICATO".to_string()),
            None,
        ),
        Err(PayError::InProgress) => problem_with(
            StatusCode::CONFLICT,
            problem_code::PAYMENT_IN_PROGRESS,
            "Pagamento già in corso",
            Some("PPT_PAGAMENTO_IN_CORSO".to_string()),
            None,
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Settlement {
    Paid,
    Failed,
}

#[derive(Deserialize)]
struct Settle {
    outcome: Settlement,
}

/// Ends a checkout the payer left pending, as the PSP eventually would.
async fn settle(
    State(shared): State<Arc<Shared>>,
    Path(session_id): Path<String>,
    body: Bytes,
) -> Response {
    let settle = match serde_json::from_slice::<Settle>(&body) {
        Ok(settle) => settle,
        Err(error) => return bad_body(error),
    };
    let mut world = shared.lock();
    let pending = matches!(
        world.sessions.get(&session_id).map(|s| s.state),
        Some(SessionState::Pending { .. })
    );
    if !pending {
        return problem(
            StatusCode::CONFLICT,
            problem_code::VALIDATION_FAILED,
            "La sessione non è in attesa di esito",
        );
    }
    let outcome = match settle.outcome {
        Settlement::Paid => SessionState::Paid,
        Settlement::Failed => SessionState::Failed,
    };
    world.close_session(&session_id, outcome, &shared.config);
    StatusCode::NO_CONTENT.into_response()
}
