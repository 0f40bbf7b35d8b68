//! Wire types of the portal API, exactly as `core/api/portale.yaml` describes them.
//!
//! Shared by the core's client and the sandbox, so the two cannot drift apart. JSON is snake_case,
//! money is integer cents (`*_cents: i64`), instants are RFC 3339 UTC, dates are ISO 8601.
//!
//! Unknown fields are ignored on purpose (no `deny_unknown_fields`): the portal may add fields and
//! an app already installed on a phone must keep working. For the same reason every enum has an
//! `Unknown` variant that catches values added after this app was built.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// Media type of every error body (RFC 9457).
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
/// Request header that makes `POST /api/v1/ricariche` safe to retry.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Response header set when an idempotent request was answered from the stored first answer.
pub const IDEMPOTENT_REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// The most notices a pagoPA cart holds, hence the most items in one ricarica.
pub const MAX_RICARICA_ITEMS: usize = 5;

// ---------------------------------------------------------------------------------------------
// Ente
// ---------------------------------------------------------------------------------------------

/// `GET /api/v1/ente` as the portal sends it (catalog, pagoPA codes, support office). Wire data:
/// the refresh caches it only if it validates, and the flows read it through the one validated
/// configuration, [`crate::catalog::EnteConfig::from_portal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnteDocument {
    pub name: String,
    /// Codice fiscale of the ente: 11 digits.
    pub fiscal_code: String,
    /// CBILL code of the ente, for home banking payments of an avviso.
    pub cbill_code: String,
    pub services: Vec<ServiceInfo>,
    pub support_office: SupportOffice,
    /// How long after a payment the portal registers it on the balance (24 on the real portal).
    pub registration_delay_hours: u32,
    /// Below this many meals the app flags the credit as low.
    pub low_credit_meals: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// Stable code, e.g. `refezione`, `scuolabus`, `asilo_nido`.
    pub code: String,
    /// Italian label shown in the service dropdown.
    pub label: String,
    pub kind: ServiceKind,
    /// Preset top-up amounts ("Ricarica da 10 euro", …).
    pub presets_cents: Vec<i64>,
    /// Limits of a "Ricarica personalizzata".
    pub min_cents: i64,
    pub max_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Prepaid credit consumed by use (meals, rides).
    PrepaidCredit,
    /// A fee (retta) charged per period.
    Fee,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportOffice {
    pub name: String,
    pub phones: Vec<String>,
    pub email: String,
    /// Opening hours as the office writes them, e.g. "lun-ven 9:00-12:30".
    pub hours: String,
}

// ---------------------------------------------------------------------------------------------
// Account
// ---------------------------------------------------------------------------------------------

/// `GET /api/v1/account` and the answer of `PUT /api/v1/account/email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub parent: Parent,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parent {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// Where pagoPA sends the receipt; checked before every payment.
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub school: String,
    pub class_name: String,
    /// Fascia tariffaria (ISEE band), e.g. "A".
    pub tariff_band: String,
    /// Price of one meal in this child's band; absent when the child has no refezione.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meal_price_cents: Option<i64>,
    /// Codes of the services the child is enrolled in.
    pub services: Vec<String>,
}

/// Body of `PUT /api/v1/account/email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateEmailRequest {
    pub email: String,
}

// ---------------------------------------------------------------------------------------------
// Saldo
// ---------------------------------------------------------------------------------------------

/// `GET /api/v1/balances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    /// e.g. "2026/2027".
    pub school_year: String,
    pub computed_at: DateTime<Utc>,
    pub balances: Vec<Balance>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub child_id: String,
    pub service_code: String,
    pub school_year: String,
    /// Negative means debt.
    pub balance_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meal_price_cents: Option<i64>,
    /// Whole meals the balance still pays for (0 when in debt); only for refezione.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meals_remaining: Option<u32>,
}

/// `GET /api/v1/movements?cursor=`: one page of movements, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementsPage {
    pub movements: Vec<Movement>,
    /// Opaque; pass it back to get only what came after this page. Present even on an empty page.
    pub next_cursor: String,
    /// True when more movements are ready right now (ask again with `next_cursor`).
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub id: String,
    pub child_id: String,
    pub service_code: String,
    pub kind: MovementKind,
    /// Signed: a top-up is positive, a meal charged is negative.
    pub amount_cents: i64,
    pub occurred_at: DateTime<Utc>,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    TopUp,
    Meal,
    Adjustment,
    #[serde(other)]
    Unknown,
}

// ---------------------------------------------------------------------------------------------
// Pagamenti
// ---------------------------------------------------------------------------------------------

/// `GET /api/v1/avvisi`: "Avvisi Pagamento da Pagare" (and the recently paid ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvvisiList {
    pub avvisi: Vec<Avviso>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Avviso {
    pub id: String,
    /// Numero avviso (NAV), 18 digits.
    pub notice_number: String,
    /// Codice fiscale of the ente, 11 digits.
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub due_date: NaiveDate,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// `PAGOPA|002|<NAV>|<CF>|<cents>`, for the QR code.
    pub qr_payload: String,
    pub cbill_code: String,
    pub status: AvvisoStatus,
    /// The ricarica that issued this avviso, when it came from the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ricarica_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AvvisoStatus {
    DaPagare,
    Pagato,
    #[serde(other)]
    Unknown,
}

/// `GET /api/v1/receipts`: receipts of registered payments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsList {
    pub receipts: Vec<Receipt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
    pub notice_number: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub description: String,
    pub paid_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ricarica_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
}

/// `GET /api/v1/fees?amount_cents=&mode=`: the commission estimate, when the portal knows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeEstimate {
    pub fee_cents: i64,
    /// Italian note shown under the total in the riepilogo.
    pub note: String,
}

// ---------------------------------------------------------------------------------------------
// Ricarica
// ---------------------------------------------------------------------------------------------

/// Body of `POST /api/v1/ricariche` (with the `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRicaricaRequest {
    /// 1..=5 items, no two for the same child and service.
    pub items: Vec<NewRicaricaItem>,
    pub mode: PaymentMode,
    pub payer_email: String,
    /// Required for `online`: where the checkout sends the browser back, used exactly as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_urls: Option<ReturnUrls>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRicaricaItem {
    pub child_id: String,
    pub service_code: String,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// "Pagamento OnLine": the pagoPA checkout.
    Online,
    /// "Genera avviso pagamento": pay later at a bank, ATM, tobacconist.
    Avviso,
    #[serde(other)]
    Unknown,
}

/// The four return URLs of a pagoPA checkout session. The checkout appends nothing to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnUrls {
    pub ok: Url,
    pub cancel: Url,
    pub error: Url,
    /// Payment taken in charge, outcome not known yet.
    pub waiting: Url,
}

/// A top-up as the portal sees it: the answer of every `/api/v1/ricariche` endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ricarica {
    pub id: String,
    pub idempotency_key: String,
    pub status: RicaricaStatus,
    pub mode: PaymentMode,
    pub items: Vec<RicaricaItem>,
    pub total_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_cents: Option<i64>,
    /// Online mode, while the checkout session is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<Url>,
    /// When an unpaid checkout session ends and the ricarica becomes `expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Avviso mode: the notice to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avviso: Option<AvvisoIssued>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RicaricaItem {
    pub child_id: String,
    pub service_code: String,
    pub amount_cents: i64,
    /// Online mode: the pagoPA notice generated for this item (one notice per item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_number: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RicaricaStatus {
    /// Checkout session open, nothing paid yet.
    AwaitingPayment,
    /// The payer left the checkout with the outcome still pending.
    PaymentPending,
    /// Paid; the balance changes only once `registered` (within the registration delay).
    Paid,
    Registered,
    Cancelled,
    Failed,
    /// The checkout session ended unpaid.
    Expired,
    /// Avviso mode: the notice exists and waits to be paid.
    AvvisoIssued,
    #[serde(other)]
    Unknown,
}

impl RicaricaStatus {
    /// True while the portal may still move this ricarica to another status.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            Self::AwaitingPayment | Self::PaymentPending | Self::Paid | Self::AvvisoIssued
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvvisoIssued {
    pub notice_number: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub due_date: NaiveDate,
    pub qr_payload: String,
    pub cbill_code: String,
    /// Italian list of channels: "Sportello bancario", "Home banking (CBILL / pagoPA)", …
    pub where_to_pay: Vec<String>,
}

/// `GET /api/v1/ricariche?status=unfinished` or `?idempotency_key=K`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RicaricheList {
    pub ricariche: Vec<Ricarica>,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// An `application/problem+json` body (RFC 9457) with the portal's stable `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One of [`problem_code`]; the app acts on this, never on `title` or `detail`.
    pub code: String,
    /// The request field at fault, for `validation_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The stable `code`s of [`Problem`]. The portal may add codes; treat unknown ones by `status`.
pub mod problem_code {
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const VALIDATION_FAILED: &str = "validation_failed";
    pub const IDEMPOTENCY_KEY_MISSING: &str = "idempotency_key_missing";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "idempotency_key_reused";
    /// pagoPA `PPT_PAGAMENTO_IN_CORSO`: a payment of this notice is already under way.
    pub const PAYMENT_IN_PROGRESS: &str = "payment_in_progress";
    /// pagoPA `PPT_PAGAMENTO_DUPLICATO`: this notice is already paid.
    pub const PAYMENT_DUPLICATED: &str = "payment_duplicated";
    pub const TOO_MANY_ITEMS: &str = "too_many_items";
    pub const DUPLICATE_ITEM: &str = "duplicate_item";
    pub const UNKNOWN_CHILD: &str = "unknown_child";
    pub const UNKNOWN_SERVICE: &str = "unknown_service";
    pub const AMOUNT_OUT_OF_RANGE: &str = "amount_out_of_range";
    pub const FEE_UNKNOWN: &str = "fee_unknown";
    /// Sent with a `Retry-After` header.
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const SERVICE_UNAVAILABLE: &str = "service_unavailable";
    pub const INTERNAL_ERROR: &str = "internal_error";
}

/// A document the refresh caches: decoded by serde, then checked for what the types cannot say,
/// so that the cache only ever holds what the contract allows.
pub trait PortalDocument: serde::de::DeserializeOwned + Serialize {
    /// What is wrong with the document, if anything.
    fn contract_violation(&self) -> Option<String>;
}

impl PortalDocument for EnteDocument {
    /// The same validation the ricarica flow applies: a catalog it would refuse never replaces
    /// a good cached one.
    fn contract_violation(&self) -> Option<String> {
        crate::catalog::EnteConfig::from_portal(self.clone())
            .err()
            .map(|e| format!("configurazione dell'ente: {}", e.message_key()))
    }
}

impl PortalDocument for Account {
    fn contract_violation(&self) -> Option<String> {
        self.children
            .iter()
            .any(|c| c.meal_price_cents.is_some_and(|p| p < 0))
            .then(|| "prezzo del pasto negativo".to_owned())
    }
}

impl PortalDocument for Balances {
    fn contract_violation(&self) -> Option<String> {
        self.balances
            .iter()
            .any(|b| b.meal_price_cents.is_some_and(|p| p < 0))
            .then(|| "prezzo del pasto negativo".to_owned())
    }
}

impl PortalDocument for AvvisiList {
    /// A pagoPA notice is for at least one cent.
    fn contract_violation(&self) -> Option<String> {
        self.avvisi
            .iter()
            .any(|a| a.amount_cents < 1)
            .then(|| "avviso con importo non positivo".to_owned())
    }
}

impl PortalDocument for ReceiptsList {
    fn contract_violation(&self) -> Option<String> {
        self.receipts
            .iter()
            .any(|r| r.amount_cents < 1)
            .then(|| "ricevuta con importo non positivo".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_and_fields_are_tolerated() {
        let json = r#"{"id":"m1","child_id":"c1","service_code":"refezione","kind":"refund",
            "amount_cents":-410,"occurred_at":"2026-11-27T11:30:00Z","description":"Pasto",
            "added_later":{"x":1}}"#;
        let movement: Movement = serde_json::from_str(json).unwrap();
        assert_eq!(movement.kind, MovementKind::Unknown);
        assert_eq!(movement.amount_cents, -410);
    }

    #[test]
    fn ricarica_round_trips_with_snake_case_and_optional_fields_left_out() {
        let json = r#"{"id":"r1","idempotency_key":"k","status":"avviso_issued","mode":"avviso",
            "items":[{"child_id":"c1","service_code":"scuolabus","amount_cents":2000}],
            "total_cents":2000,"created_at":"2026-11-28T09:00:00Z",
            "updated_at":"2026-11-28T09:00:00Z"}"#;
        let ricarica: Ricarica = serde_json::from_str(json).unwrap();
        assert_eq!(ricarica.status, RicaricaStatus::AvvisoIssued);
        assert!(ricarica.status.is_unfinished());
        let back = serde_json::to_value(&ricarica).unwrap();
        assert!(back.get("checkout_url").is_none());
        assert_eq!(back["mode"], "avviso");
    }

    #[test]
    fn problem_type_field_is_named_type_on_the_wire() {
        let problem = Problem {
            problem_type: "about:blank".into(),
            title: "Chiave già usata".into(),
            status: 422,
            detail: None,
            code: problem_code::IDEMPOTENCY_KEY_REUSED.into(),
            field: None,
        };
        let value = serde_json::to_value(&problem).unwrap();
        assert_eq!(value["type"], "about:blank");
        assert_eq!(value["code"], "idempotency_key_reused");
    }
}
