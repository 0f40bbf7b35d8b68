//! The top-ups, through the core's ricarica engine exactly as the app drives it: the parent's
//! taps go through the state machine to an order, PROSEGUI submits it (stored first, idempotent),
//! the browser's return URL goes to `handle_return_url`, and the portal's word settles it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::ricarica::{
    AmountChoice, Order, PaymentMode, PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEngine,
    RicaricaEvent, RicaricaState, RicaricaStep, RicaricaView,
};
use comunicapp_core::sync::Session;
use url::Url;

use crate::error::{unexpected, DemoError};

const RETRY_EVERY: Duration = Duration::from_millis(300);

/// The engine with return URLs under `return_base` (the demo's loopback page, as a development
/// build's App Link base) and polling short enough for a demo.
pub fn engine(session: Arc<Session>, return_base: &Url) -> Result<RicaricaEngine, DemoError> {
    let base = return_base
        .join("pagopa/return/")
        .map_err(|e| unexpected(e.to_string()))?;
    let config = RicaricaConfig {
        return_urls: ReturnUrlStyle::AppLink { base },
        poll: PollPolicy {
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(20),
        },
    };
    Ok(RicaricaEngine::new(session, config)?)
}

/// One line the parent adds to the cart: a child, a service, and a preset or custom amount.
pub struct Choice<'a> {
    pub child_id: &'a str,
    pub service_code: &'a str,
    pub amount: AmountChoice,
}

pub fn preset(child_id: &'static str, service_code: &'static str, cents: i64) -> Choice<'static> {
    Choice {
        child_id,
        service_code,
        amount: AmountChoice::Preset(Amount::from_cents(cents)),
    }
}

/// Steps 1–4 of the sheet through the state machine: amount, service and child (repeated),
/// e-mail check, mode. Answers the order the riepilogo shows.
pub fn compose(
    ente: &EnteConfig,
    choices: &[Choice<'_>],
    payer_email: &Email,
    mode: PaymentMode,
) -> Result<Order, DemoError> {
    let mut state = RicaricaState::new();
    for choice in choices {
        let service = ente
            .service(choice.service_code)
            .cloned()
            .ok_or_else(|| unexpected(format!("servizio {} sconosciuto", choice.service_code)))?;
        state = state.apply(RicaricaEvent::ChooseAmount {
            choice: choice.amount,
        })?;
        state = state.apply(RicaricaEvent::AddItem {
            child_id: choice.child_id.to_owned(),
            service,
        })?;
    }
    state = state.apply(RicaricaEvent::ConfirmCart {
        payer_email: payer_email.clone(),
    })?;
    state = state.apply(RicaricaEvent::ConfirmEmail)?;
    state = state.apply(RicaricaEvent::ChooseMode { mode })?;
    match state {
        RicaricaState::Riepilogo { order } => Ok(order),
        other => Err(unexpected(format!(
            "la ricarica è al passo {:?}, non al riepilogo",
            other.step()
        ))),
    }
}

/// Settling rounds until the top-up reaches `wanted` or `timeout` passes; the last view either way.
pub async fn wait_for_step(
    engine: &RicaricaEngine,
    local_id: &str,
    wanted: RicaricaStep,
    timeout: Duration,
) -> Result<RicaricaView, DemoError> {
    let deadline = Instant::now() + timeout;
    loop {
        let view = engine.retry(local_id).await?;
        if view.step == wanted || view.settled || Instant::now() >= deadline {
            return Ok(view);
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
}
