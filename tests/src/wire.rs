//! The sandbox's own wire types: every JSON body the portal API reads or writes, written from
//! `core/api/portale.yaml` (components/schemas), not from the core's `api::dto`. The core and the
//! sandbox each have their serde attributes, so a wrong field name or enum string on one side
//! shows up as a failing test instead of being sent and read back the same wrong way on both.
//!
//! Mapping of the schema: `Cents` is `i64`; `Instant` (date-time) is `DateTime<Utc>` (RFC 3339);
//! `format: date` is `NaiveDate` (ISO 8601); `format: uri` is `Url`; a property outside
//! `required` is an `Option` left out of the JSON when absent (the schemas have no `null`).
//! Unknown fields in a request are ignored (no `additionalProperties: false` in the spec). The
//! enums have exactly the spec's values: the sandbox is the portal, it knows them all.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// RFC 9457 media type of every error body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
/// Header parameter of `createRicarica`.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Response header of a replayed `createRicarica` (`enum: ['true']`).
pub const IDEMPOTENT_REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// `CreateRicaricaRequest.items.maxItems`.
pub const MAX_RICARICA_ITEMS: usize = 5;

/// The `code`s of `Problem` listed in the spec.
pub mod problem_code {
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const VALIDATION_FAILED: &str = "validation_failed";
    pub const IDEMPOTENCY_KEY_MISSING: &str = "idempotency_key_missing";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "idempotency_key_reused";
    pub const PAYMENT_IN_PROGRESS: &str = "payment_in_progress";
    pub const PAYMENT_DUPLICATED: &str = "payment_duplicated";
    pub const TOO_MANY_ITEMS: &str = "too_many_items";
    pub const DUPLICATE_ITEM: &str = "duplicate_item";
    pub const UNKNOWN_CHILD: &str = "unknown_child";
    pub const UNKNOWN_SERVICE: &str = "unknown_service";
    pub const AMOUNT_OUT_OF_RANGE: &str = "amount_out_of_range";
    pub const FEE_UNKNOWN: &str = "fee_unknown";
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const SERVICE_UNAVAILABLE: &str = "service_unavailable";
    pub const INTERNAL_ERROR: &str = "internal_error";
}

// --- Enums -----------------------------------------------------------------------------------

/// `ServiceKind`: `[prepaid_credit, fee]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    PrepaidCredit,
    Fee,
}

/// `MovementKind`: `[top_up, meal, adjustment]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    TopUp,
    Meal,
    Adjustment,
}

/// `AvvisoStatus`: `[da_pagare, pagato]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AvvisoStatus {
    DaPagare,
    Pagato,
}

/// `PaymentMode`: `[online, avviso]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    Online,
    Avviso,
}

/// `RicaricaStatus`: `[awaiting_payment, payment_pending, paid, registered, cancelled, failed,
/// expired, avviso_issued]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RicaricaStatus {
    AwaitingPayment,
    PaymentPending,
    Paid,
    Registered,
    Cancelled,
    Failed,
    Expired,
    AvvisoIssued,
}

impl RicaricaStatus {
    /// `listRicariche?status=unfinished`: awaiting_payment, payment_pending, paid or avviso_issued.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            Self::AwaitingPayment | Self::PaymentPending | Self::Paid | Self::AvvisoIssued
        )
    }
}

// --- Ente ------------------------------------------------------------------------------------

/// `EnteConfig`, the answer of `GET /api/v1/ente`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnteConfig {
    pub name: String,
    /// `FiscalCode`: 11 digits.
    pub fiscal_code: String,
    /// `^[A-Z0-9]{5}$`.
    pub cbill_code: String,
    pub services: Vec<ServiceInfo>,
    pub support_office: SupportOffice,
    /// `integer, minimum: 0`.
    pub registration_delay_hours: u32,
    /// `integer, minimum: 0`.
    pub low_credit_meals: u32,
}

/// `ServiceInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub code: String,
    pub label: String,
    pub kind: ServiceKind,
    pub presets_cents: Vec<i64>,
    pub min_cents: i64,
    pub max_cents: i64,
}

/// `SupportOffice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportOffice {
    pub name: String,
    pub phones: Vec<String>,
    /// `format: email`.
    pub email: String,
    pub hours: String,
}

// --- Account ---------------------------------------------------------------------------------

/// `Account`: `GET /api/v1/account` and the answer of `PUT /api/v1/account/email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub parent: Parent,
    pub children: Vec<Child>,
}

/// `Parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parent {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// `Child`; `meal_price_cents` is the only optional property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub school: String,
    pub class_name: String,
    pub tariff_band: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meal_price_cents: Option<i64>,
    pub services: Vec<String>,
}

/// `UpdateEmailRequest`, the body of `PUT /api/v1/account/email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateEmailRequest {
    /// `format: email, maxLength: 254`.
    pub email: String,
}

// --- Saldo -----------------------------------------------------------------------------------

/// `Balances`, the answer of `GET /api/v1/balances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    /// `^[0-9]{4}/[0-9]{4}$`.
    pub school_year: String,
    pub computed_at: DateTime<Utc>,
    pub balances: Vec<Balance>,
}

/// `Balance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub child_id: String,
    pub service_code: String,
    pub school_year: String,
    /// Negative means debt.
    pub balance_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meal_price_cents: Option<i64>,
    /// `integer, minimum: 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meals_remaining: Option<u32>,
}

/// `MovementsPage`, the answer of `GET /api/v1/movements`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementsPage {
    pub movements: Vec<Movement>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// `Movement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub id: String,
    pub child_id: String,
    pub service_code: String,
    pub kind: MovementKind,
    /// Signed; top-ups positive, meals negative.
    pub amount_cents: i64,
    pub occurred_at: DateTime<Utc>,
    pub description: String,
}

// --- Pagamenti -------------------------------------------------------------------------------

/// `AvvisiList`, the answer of `GET /api/v1/avvisi`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvvisiList {
    pub avvisi: Vec<Avviso>,
}

/// `Avviso`; `child_id`, `service_code` and `ricarica_id` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Avviso {
    pub id: String,
    /// `NoticeNumber`: 18 digits.
    pub notice_number: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    /// `format: date`.
    pub due_date: NaiveDate,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// `PAGOPA|002|<NAV>|<CF>|<cents>`.
    pub qr_payload: String,
    pub cbill_code: String,
    pub status: AvvisoStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ricarica_id: Option<String>,
}

/// `ReceiptsList`, the answer of `GET /api/v1/receipts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsList {
    pub receipts: Vec<Receipt>,
}

/// `Receipt`; `ricarica_id`, `child_id` and `service_code` are optional.
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

/// `FeeEstimate`, the answer of `GET /api/v1/fees`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeEstimate {
    pub fee_cents: i64,
    pub note: String,
}

// --- Ricariche -------------------------------------------------------------------------------

/// `CreateRicaricaRequest`, the body of `POST /api/v1/ricariche`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRicaricaRequest {
    /// 1 to 5, no two for the same child and service (checked by the route, not by serde).
    pub items: Vec<NewRicaricaItem>,
    pub mode: PaymentMode,
    pub payer_email: String,
    /// Required when `mode` is `online`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_urls: Option<ReturnUrls>,
}

/// `NewRicaricaItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRicaricaItem {
    pub child_id: String,
    pub service_code: String,
    /// `integer, format: int64, minimum: 1`.
    pub amount_cents: i64,
}

/// `ReturnUrls`: all four required, `format: uri`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnUrls {
    pub ok: Url,
    pub cancel: Url,
    pub error: Url,
    pub waiting: Url,
}

/// `Ricarica`, the answer of every `/api/v1/ricariche` route.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avviso: Option<AvvisoIssued>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `RicaricaItem`; `notice_number` is optional (online mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RicaricaItem {
    pub child_id: String,
    pub service_code: String,
    pub amount_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_number: Option<String>,
}

/// `AvvisoIssued`: the notice of an avviso-mode ricarica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvvisoIssued {
    pub notice_number: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    /// `format: date`.
    pub due_date: NaiveDate,
    pub qr_payload: String,
    pub cbill_code: String,
    pub where_to_pay: Vec<String>,
}

/// `RicaricheList`, the answer of `GET /api/v1/ricariche`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RicaricheList {
    pub ricariche: Vec<Ricarica>,
}

// --- Errors ----------------------------------------------------------------------------------

/// `Problem` (RFC 9457) with the portal's `code`; `detail` and `field` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    /// `integer, minimum: 400, maximum: 599`.
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
