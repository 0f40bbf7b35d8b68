//! A top-up as the store keeps it between steps, and the view the app renders from it.
//!
//! The record holds everything needed to finish the top-up after a crash: the state machine, the
//! exact create request (re-sent byte for byte with the same idempotency key), the return-URL
//! verifier, and the portal's last answer (the notice to pay, the notice numbers of the items).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::api::dto::{self, CreateRicaricaRequest, ReturnUrls};
use crate::copy::{AvvisoToShare, Lang, Text};
use crate::pagopa::{parse_payment_qr, EnteFiscalCode, NoticeNumber};

use super::error::RicaricaError;
use super::{PaymentMode, ReturnOutcome, RicaricaState, RicaricaStep};

/// Bumped when the shape changes incompatibly; an older app leaves newer records alone.
const RECORD_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub version: u32,
    pub local_id: String,
    pub machine: RicaricaState,
    /// The body sent with the idempotency key; the portal replays its answer only for the same body.
    pub request: CreateRicaricaRequest,
    /// Secret half of the return URLs' `state`; `None` for avviso.
    pub return_verifier: Option<String>,
    /// The portal's last word on this top-up.
    pub portal: Option<dto::Ricarica>,
    pub created_at: DateTime<Utc>,
}

impl Record {
    pub fn new(
        local_id: String,
        machine: RicaricaState,
        request: CreateRicaricaRequest,
        return_verifier: Option<String>,
        now: DateTime<Utc>,
    ) -> Record {
        Record {
            version: RECORD_VERSION,
            local_id,
            machine,
            request,
            return_verifier,
            portal: None,
            created_at: now,
        }
    }

    pub fn idempotency_key(&self) -> &str {
        self.machine
            .submission()
            .map(|s| s.idempotency_key.as_str())
            .unwrap_or("")
    }

    pub fn to_json(&self) -> Result<String, RicaricaError> {
        Ok(serde_json::to_string(self)?)
    }

    pub fn from_json(local_id: &str, json: &str) -> Result<Record, RicaricaError> {
        let corrupt = || RicaricaError::Corrupt {
            local_id: local_id.to_owned(),
        };
        let record: Record = serde_json::from_str(json).map_err(|_| corrupt())?;
        if record.version != RECORD_VERSION || record.local_id != local_id {
            return Err(corrupt());
        }
        Ok(record)
    }
}

/// The step's name as the store and the step observer know it.
pub(crate) fn step_name(step: RicaricaStep) -> &'static str {
    match step {
        RicaricaStep::Composing => "composing",
        RicaricaStep::CheckingEmail => "checking_email",
        RicaricaStep::ChoosingMode => "choosing_mode",
        RicaricaStep::Riepilogo => "riepilogo",
        RicaricaStep::Submitting => "submitting",
        RicaricaStep::InCheckout => "in_checkout",
        RicaricaStep::Returned => "returned",
        RicaricaStep::AvvisoIssued => "avviso_issued",
        RicaricaStep::PaidAwaitingRegistration => "paid_awaiting_registration",
        RicaricaStep::Registered => "registered",
        RicaricaStep::Cancelled => "cancelled",
        RicaricaStep::Failed => "failed",
        RicaricaStep::Expired => "expired",
    }
}

/// What the app opens in Custom Tabs / ASWebAuthenticationSession, and the URLs it must route
/// back to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutLaunch {
    pub checkout_url: Url,
    pub return_urls: ReturnUrls,
}

/// The notice to pay at a bank, home banking (CBILL / pagoPA), an ATM or a tobacconist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvvisoDetails {
    pub notice_number: String,
    /// "3222 0115 1398 5741 81".
    pub notice_number_display: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub amount_display: String,
    pub due_date: NaiveDate,
    pub due_date_label: String,
    /// `PAGOPA|002|…` for the QR code.
    pub qr_payload: String,
    pub cbill_code: String,
    pub where_to_pay: Vec<String>,
    /// Every field above, labelled, for the share sheet.
    pub share_text: String,
}

impl AvvisoDetails {
    /// The portal's notice, checked like any input: NAV check digits, CF ente, QR payload.
    pub(crate) fn from_portal(
        avviso: &dto::AvvisoIssued,
        lang: Lang,
    ) -> Result<AvvisoDetails, RicaricaError> {
        let notice = NoticeNumber::parse(&avviso.notice_number)
            .map_err(|_| RicaricaError::contract("numero avviso non valido"))?;
        EnteFiscalCode::parse(&avviso.fiscal_code)
            .map_err(|_| RicaricaError::contract("codice fiscale ente non valido"))?;
        let qr = parse_payment_qr(&avviso.qr_payload)
            .map_err(|_| RicaricaError::contract("QR dell'avviso non valido"))?;
        let consistent = qr.notice_number == notice
            && qr.fiscal_code.as_str() == avviso.fiscal_code
            && qr.amount_cents == avviso.amount_cents;
        if !consistent || avviso.amount_cents < 1 {
            return Err(RicaricaError::contract("QR e avviso non corrispondono"));
        }
        let notice_number_display = notice.formatted();
        let amount_display = lang.amount(avviso.amount_cents);
        let due_date_label = lang.date(avviso.due_date);
        let share_text = lang.avviso_share_text(&AvvisoToShare {
            description: None,
            notice_number_display: &notice_number_display,
            fiscal_code: &avviso.fiscal_code,
            amount_display: &amount_display,
            due_date_label: &due_date_label,
            cbill_code: &avviso.cbill_code,
        });
        Ok(AvvisoDetails {
            notice_number_display,
            notice_number: notice.as_str().to_owned(),
            fiscal_code: avviso.fiscal_code.clone(),
            amount_cents: avviso.amount_cents,
            amount_display,
            due_date: avviso.due_date,
            due_date_label,
            qr_payload: avviso.qr_payload.clone(),
            cbill_code: avviso.cbill_code.clone(),
            where_to_pay: avviso.where_to_pay.clone(),
            share_text,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemView {
    pub child_id: String,
    pub service_code: String,
    pub amount_cents: i64,
    pub amount_display: String,
    /// Online: the pagoPA notice of this item, once the portal made it.
    pub notice_number: Option<String>,
    /// The child's balance for the service once this top-up is registered and the cached
    /// balances are the portal's from after the registration (the esito's "new balance");
    /// `None` until both hold, so a screen never shows the old balance as the new one.
    pub balance_after_cents: Option<i64>,
    pub balance_after_display: Option<String>,
    /// The child's first name as the portal knows it (`None` if the child is no longer listed).
    pub child_name: Option<String>,
    /// The service as the Saldo names it, in the app's language.
    pub service_label: String,
}

/// What the cache knows that a top-up's view shows beside its own record: names and, once it is
/// registered, the new balances.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CachedContext<'a> {
    pub balances: Option<&'a dto::Balances>,
    pub account: Option<&'a dto::Account>,
    pub ente: Option<&'a dto::EnteDocument>,
}

/// One top-up as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RicaricaView {
    /// The app's handle on this top-up.
    pub local_id: String,
    /// The portal's id, once it exists.
    pub portal_id: Option<String>,
    pub step: RicaricaStep,
    pub mode: PaymentMode,
    pub items: Vec<ItemView>,
    pub total_cents: i64,
    pub total_display: String,
    /// The Italian sentence for this step ("Pagamento ricevuto: la ricarica sarà registrata…").
    pub message: String,
    /// Online, while the checkout waits for the payer.
    pub checkout: Option<CheckoutLaunch>,
    /// Avviso: the notice to pay (kept after payment, for the receipt screen).
    pub avviso: Option<AvvisoDetails>,
    /// The return URL the browser came back to: provisional until the portal confirms.
    pub provisional_outcome: Option<ReturnOutcome>,
    /// Nothing more will happen to this top-up.
    pub settled: bool,
    pub created_at: DateTime<Utc>,
    pub created_label: String,
    /// Message key of the last failed contact with the portal, when it could not be settled now.
    pub error_key: Option<String>,
    /// Whose and what, for a row of Pagamenti: "Giulia · Refezione buono pasto", or
    /// "Luca, Sofia · 2 servizi" for one checkout of several.
    pub summary: String,
}

impl RicaricaView {
    pub(crate) fn of(
        record: &Record,
        return_urls: Option<ReturnUrls>,
        registration_delay_hours: u32,
        cached: CachedContext<'_>,
        lang: Lang,
    ) -> RicaricaView {
        let balances = cached.balances;
        let machine = &record.machine;
        let step = machine.step();
        let portal_items = record.portal.as_ref().map(|p| p.items.as_slice());
        let registered_at = record.portal.as_ref().and_then(|p| p.registered_at);
        let balances_after = balances.filter(|b| {
            step == RicaricaStep::Registered && registered_at.is_some_and(|at| b.computed_at >= at)
        });
        let balance_after = |child_id: &str, service_code: &str| {
            balances_after.and_then(|b| {
                b.balances
                    .iter()
                    .find(|x| x.child_id == child_id && x.service_code == service_code)
                    .map(|x| x.balance_cents)
            })
        };
        let items: Vec<ItemView> = machine
            .cart()
            .items()
            .iter()
            .map(|item| {
                let after = balance_after(&item.child_id, &item.service_code);
                ItemView {
                    child_id: item.child_id.clone(),
                    service_code: item.service_code.clone(),
                    amount_cents: item.amount.cents(),
                    amount_display: lang.amount(item.amount.cents()),
                    notice_number: portal_items.and_then(|items| {
                        items
                            .iter()
                            .find(|p| {
                                p.child_id == item.child_id && p.service_code == item.service_code
                            })
                            .and_then(|p| p.notice_number.clone())
                    }),
                    balance_after_cents: after,
                    balance_after_display: after.map(|cents| lang.amount(cents)),
                    child_name: cached.account.and_then(|a| {
                        a.children
                            .iter()
                            .find(|c| c.id == item.child_id)
                            .map(|c| c.first_name.clone())
                    }),
                    service_label: item_service_label(cached.ente, &item.service_code, lang),
                }
            })
            .collect();
        let checkout = match (machine, return_urls) {
            (RicaricaState::InCheckout { checkout_url, .. }, Some(return_urls)) => {
                Some(CheckoutLaunch {
                    checkout_url: checkout_url.clone(),
                    return_urls,
                })
            }
            _ => None,
        };
        let provisional_outcome = match machine {
            RicaricaState::Returned { outcome, .. } => Some(*outcome),
            _ => None,
        };
        let avviso = record
            .portal
            .as_ref()
            .and_then(|p| p.avviso.as_ref())
            .and_then(|a| AvvisoDetails::from_portal(a, lang).ok());
        let mode = machine
            .submission()
            .map(|s| s.order.mode)
            .unwrap_or(PaymentMode::Online);
        let summary = summary(&items);
        RicaricaView {
            local_id: record.local_id.clone(),
            portal_id: portal_id(machine),
            step,
            mode,
            items,
            total_cents: machine.total().cents(),
            total_display: lang.amount(machine.total().cents()),
            message: message(step, provisional_outcome, registration_delay_hours, lang),
            checkout,
            avviso,
            provisional_outcome,
            settled: machine.is_final(),
            created_at: record.created_at,
            created_label: lang.date_of(record.created_at),
            error_key: None,
            summary,
        }
    }
}

/// "Giulia · Refezione buono pasto"; several children or services are listed once each, in the
/// order of the cart.
fn summary(items: &[ItemView]) -> String {
    fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for value in values {
            if !seen.contains(&value) {
                seen.push(value);
            }
        }
        seen.join(", ")
    }
    let children = distinct(items.iter().filter_map(|i| i.child_name.as_deref()));
    let services = distinct(items.iter().map(|i| i.service_label.as_str()));
    match (children.is_empty(), services.is_empty()) {
        (false, false) => format!("{children} · {services}"),
        (true, _) => services,
        (false, true) => children,
    }
}

/// The service's label as the ente names it, in the app's language; the code when the ente's
/// configuration is not cached.
fn item_service_label(ente: Option<&dto::EnteDocument>, code: &str, lang: Lang) -> String {
    let ente_label = ente
        .and_then(|e| e.services.iter().find(|s| s.code == code))
        .map_or(code, |s| s.label.as_str());
    lang.service_label(code, ente_label).into_owned()
}

fn portal_id(machine: &RicaricaState) -> Option<String> {
    match machine {
        RicaricaState::InCheckout { ricarica_id, .. }
        | RicaricaState::Returned { ricarica_id, .. }
        | RicaricaState::AvvisoIssued { ricarica_id, .. }
        | RicaricaState::PaidAwaitingRegistration { ricarica_id, .. }
        | RicaricaState::Registered { ricarica_id, .. }
        | RicaricaState::Cancelled { ricarica_id, .. }
        | RicaricaState::Expired { ricarica_id, .. } => Some(ricarica_id.clone()),
        RicaricaState::Failed { ricarica_id, .. } => ricarica_id.clone(),
        _ => None,
    }
}

fn message(
    step: RicaricaStep,
    outcome: Option<ReturnOutcome>,
    delay_hours: u32,
    lang: Lang,
) -> String {
    let text = match step {
        RicaricaStep::Submitting => Text::RichiestaInCorso,
        RicaricaStep::InCheckout => Text::CompletaInPagopa,
        RicaricaStep::Returned => match outcome {
            Some(ReturnOutcome::Waiting) => Text::PagamentoInAttesaDiEsito,
            _ => Text::PagamentoInVerifica,
        },
        RicaricaStep::AvvisoIssued => Text::AvvisoGenerato,
        RicaricaStep::PaidAwaitingRegistration => return lang.pagamento_ricevuto(delay_hours),
        RicaricaStep::Registered => Text::RicaricaRegistrata,
        RicaricaStep::Cancelled => Text::PagamentoAnnullato,
        RicaricaStep::Failed => Text::PagamentoNonRiuscito,
        RicaricaStep::Expired => Text::PagamentoScaduto,
        RicaricaStep::Composing
        | RicaricaStep::CheckingEmail
        | RicaricaStep::ChoosingMode
        | RicaricaStep::Riepilogo => Text::RiepilogoPagamento,
    };
    lang.text(text).to_owned()
}
