//! The top-up flow for the apps: the stored draft the parent composes, PROSEGUI, the pagoPA return URL,
//! and the settling of unfinished top-ups at every start.

use std::time::{Duration, SystemTime};

use comunicapp_core::ricarica as core;

use crate::error::{ApiError, InLang};
use crate::session::ComunicApp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PaymentMode {
    /// "Pagamento OnLine"
    Online,
    /// "Genera avviso pagamento"
    Avviso,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReturnOutcome {
    Ok,
    Cancel,
    Error,
    Waiting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RicaricaStep {
    Composing,
    CheckingEmail,
    ChoosingMode,
    Riepilogo,
    Submitting,
    InCheckout,
    Returned,
    AvvisoIssued,
    PaidAwaitingRegistration,
    Registered,
    Cancelled,
    Failed,
    Expired,
}

/// One tap of the parent on the screens before PROSEGUI.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum DraftAction {
    /// "Ricarica da 10 euro" and its siblings.
    ChoosePreset {
        cents: i64,
    },
    /// "Ricarica personalizzata": what the parent typed, in Italian notation.
    ChooseCustom {
        text: String,
    },
    AddItem {
        child_id: String,
        service_code: String,
    },
    RemoveItem {
        child_id: String,
        service_code: String,
    },
    /// "Ricarica": the cart is complete.
    ConfirmCart {
        payer_email: String,
    },
    /// After "Per modificare la mail clicca qui" updated it on the portal.
    ChangeEmail {
        payer_email: String,
    },
    /// "✓ Procedi!"
    ConfirmEmail,
    ChooseMode {
        mode: PaymentMode,
    },
    /// INDIETRO.
    Back,
    /// The parent gives up: the next draft starts empty.
    Discard,
}

#[uniffi::export(async_runtime = "tokio")]
impl ComunicApp {
    /// Presets, limits, enrolled services and the e-mail check for the chosen children.
    pub async fn ricarica_options(
        &self,
        child_ids: Vec<String>,
    ) -> Result<RicaricaOptions, ApiError> {
        Ok(self
            .engine()
            .options(&child_ids)
            .await
            .in_lang(self.lang())?
            .into())
    }

    /// "Per modificare la mail clicca qui": updates the payer e-mail on the portal.
    pub async fn change_email(&self, new_email: String) -> Result<String, ApiError> {
        Ok(self
            .engine()
            .change_email(&new_email)
            .await
            .in_lang(self.lang())?
            .as_str()
            .to_owned())
    }

    /// The top-up being composed, as stored: it survives closing the app until PROSEGUI.
    pub async fn ricarica_draft(&self) -> Result<DraftView, ApiError> {
        Ok(self.engine().draft().await.in_lang(self.lang())?.into())
    }

    /// One tap on the draft; stored before the answer. A refused tap changes nothing.
    pub async fn ricarica_draft_apply(&self, action: DraftAction) -> Result<DraftView, ApiError> {
        Ok(self
            .engine()
            .draft_apply(action.into())
            .await
            .in_lang(self.lang())?
            .into())
    }

    /// "Riepilogo Pagamento" of the draft, with the portal's fee estimate when it has one.
    pub async fn riepilogo(&self) -> Result<Riepilogo, ApiError> {
        Ok(self
            .engine()
            .draft_riepilogo()
            .await
            .in_lang(self.lang())?
            .into())
    }

    /// PROSEGUI on the draft: stored first (the draft handed over in the same transaction), then
    /// created on the portal. Online: open `checkout.checkout_url` in Custom Tabs /
    /// ASWebAuthenticationSession. Avviso: show `avviso`.
    pub async fn submit(&self) -> Result<RicaricaView, ApiError> {
        Ok(self
            .engine()
            .submit_draft()
            .await
            .in_lang(self.lang())?
            .into())
    }

    /// The URL the browser came back to (App Link / Universal Link or custom scheme). The core
    /// then follows the top-up by itself until it is registered: subscribe to it for the esito.
    pub async fn handle_return_url(&self, url: String) -> Result<RicaricaView, ApiError> {
        Ok(self
            .app()
            .handle_return_url(&url)
            .await
            .in_lang(self.lang())?
            .into())
    }

    /// Asks the portal until the top-up settles or `budget_seconds` pass.
    pub async fn poll_until_settled(
        &self,
        local_id: String,
        budget_seconds: u64,
    ) -> Result<RicaricaView, ApiError> {
        Ok(self
            .engine()
            .poll_until_settled(&local_id, Duration::from_secs(budget_seconds))
            .await
            .in_lang(self.lang())?
            .into())
    }

    /// Run at every start: settles every unfinished top-up with the portal, then follows those
    /// not registered yet.
    pub async fn resume_pending(&self) -> Result<Vec<RicaricaView>, ApiError> {
        Ok(into_views(
            self.app().resume_pending().await.in_lang(self.lang())?,
        ))
    }

    /// Unfinished top-ups, from the store, at once.
    pub fn pending_ricariche(&self) -> Result<Vec<RicaricaView>, ApiError> {
        Ok(into_views(self.engine().pending().in_lang(self.lang())?))
    }

    /// Every top-up of this profile, newest first, from the store.
    pub fn ricariche(&self) -> Result<Vec<RicaricaView>, ApiError> {
        Ok(into_views(self.engine().history().in_lang(self.lang())?))
    }
}

fn into_views(views: Vec<core::RicaricaView>) -> Vec<RicaricaView> {
    views.into_iter().map(RicaricaView::from).collect()
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct DraftItem {
    pub child_id: String,
    pub service_code: String,
    pub service_label: String,
    pub amount_cents: i64,
    pub amount_display: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct DraftView {
    pub step: RicaricaStep,
    pub pending_amount_cents: Option<i64>,
    pub pending_amount_display: Option<String>,
    pub items: Vec<DraftItem>,
    pub total_cents: i64,
    pub total_label: String,
    pub payer_email: Option<String>,
    pub mode: Option<PaymentMode>,
    pub can_add_item: bool,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PresetView {
    pub amount_cents: i64,
    pub label: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ServiceOption {
    pub code: String,
    pub label: String,
    pub presets: Vec<PresetView>,
    pub min_cents: i64,
    pub max_cents: i64,
    pub limits_display: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChildOptions {
    pub child_id: String,
    pub name: String,
    pub services: Vec<ServiceOption>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct RicaricaOptions {
    pub children: Vec<ChildOptions>,
    pub payer_email: String,
    pub email_ok: bool,
    pub email_message: String,
    pub change_email_label: String,
    pub commission_note: String,
    pub max_items: u32,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FeeView {
    pub fee_cents: i64,
    pub fee_display: String,
    pub note: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct RiepilogoLine {
    pub code: String,
    pub service_label: String,
    pub child_id: String,
    pub child_name: String,
    pub amount_cents: i64,
    pub amount_display: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Riepilogo {
    pub title: String,
    pub date_label: String,
    pub lines: Vec<RiepilogoLine>,
    pub total_cents: i64,
    pub total_label: String,
    pub mode: PaymentMode,
    pub mode_label: String,
    pub commission_note: String,
    pub fee: Option<FeeView>,
    pub back_label: String,
    pub proceed_label: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct CheckoutLaunch {
    pub checkout_url: String,
    pub return_ok_url: String,
    pub return_cancel_url: String,
    pub return_error_url: String,
    pub return_waiting_url: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct AvvisoDetails {
    pub notice_number: String,
    pub notice_number_display: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub amount_display: String,
    /// ISO date, e.g. "2026-12-28".
    pub due_date: String,
    pub due_date_label: String,
    pub qr_payload: String,
    pub cbill_code: String,
    pub where_to_pay: Vec<String>,
    /// Every field above, labelled, one per line, for the share sheet.
    pub share_text: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ItemView {
    pub child_id: String,
    pub service_code: String,
    pub amount_cents: i64,
    pub amount_display: String,
    pub notice_number: Option<String>,
    /// The new balance of the child's service, once the top-up is registered and the balances
    /// the core holds are from after the registration; `None` until then.
    pub balance_after_cents: Option<i64>,
    pub balance_after_display: Option<String>,
    /// The child's first name (`None` if the portal no longer lists the child).
    pub child_name: Option<String>,
    /// The service as the Saldo names it, in the app's language.
    pub service_label: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct RicaricaView {
    pub local_id: String,
    pub portal_id: Option<String>,
    pub step: RicaricaStep,
    pub mode: PaymentMode,
    pub items: Vec<ItemView>,
    pub total_cents: i64,
    pub total_display: String,
    pub message: String,
    pub checkout: Option<CheckoutLaunch>,
    pub avviso: Option<AvvisoDetails>,
    pub provisional_outcome: Option<ReturnOutcome>,
    pub settled: bool,
    pub created_at: SystemTime,
    pub created_label: String,
    pub error_key: Option<String>,
    /// Whose and what, for a Pagamenti row: "Giulia · Refezione buono pasto".
    pub summary: String,
}

impl From<PaymentMode> for core::PaymentMode {
    fn from(mode: PaymentMode) -> Self {
        match mode {
            PaymentMode::Online => core::PaymentMode::Online,
            PaymentMode::Avviso => core::PaymentMode::Avviso,
        }
    }
}

impl From<DraftAction> for core::DraftAction {
    fn from(action: DraftAction) -> Self {
        use core::DraftAction as A;
        match action {
            DraftAction::ChoosePreset { cents } => A::ChoosePreset { cents },
            DraftAction::ChooseCustom { text } => A::ChooseCustom { text },
            DraftAction::AddItem {
                child_id,
                service_code,
            } => A::AddItem {
                child_id,
                service_code,
            },
            DraftAction::RemoveItem {
                child_id,
                service_code,
            } => A::RemoveItem {
                child_id,
                service_code,
            },
            DraftAction::ConfirmCart { payer_email } => A::ConfirmCart { payer_email },
            DraftAction::ChangeEmail { payer_email } => A::ChangeEmail { payer_email },
            DraftAction::ConfirmEmail => A::ConfirmEmail,
            DraftAction::ChooseMode { mode } => A::ChooseMode { mode: mode.into() },
            DraftAction::Back => A::Back,
            DraftAction::Discard => A::Discard,
        }
    }
}

impl From<core::PaymentMode> for PaymentMode {
    fn from(mode: core::PaymentMode) -> Self {
        match mode {
            core::PaymentMode::Online => PaymentMode::Online,
            core::PaymentMode::Avviso => PaymentMode::Avviso,
        }
    }
}

impl From<core::ReturnOutcome> for ReturnOutcome {
    fn from(outcome: core::ReturnOutcome) -> Self {
        match outcome {
            core::ReturnOutcome::Ok => ReturnOutcome::Ok,
            core::ReturnOutcome::Cancel => ReturnOutcome::Cancel,
            core::ReturnOutcome::Error => ReturnOutcome::Error,
            core::ReturnOutcome::Waiting => ReturnOutcome::Waiting,
        }
    }
}

impl From<core::RicaricaStep> for RicaricaStep {
    fn from(step: core::RicaricaStep) -> Self {
        use core::RicaricaStep as S;
        match step {
            S::Composing => RicaricaStep::Composing,
            S::CheckingEmail => RicaricaStep::CheckingEmail,
            S::ChoosingMode => RicaricaStep::ChoosingMode,
            S::Riepilogo => RicaricaStep::Riepilogo,
            S::Submitting => RicaricaStep::Submitting,
            S::InCheckout => RicaricaStep::InCheckout,
            S::Returned => RicaricaStep::Returned,
            S::AvvisoIssued => RicaricaStep::AvvisoIssued,
            S::PaidAwaitingRegistration => RicaricaStep::PaidAwaitingRegistration,
            S::Registered => RicaricaStep::Registered,
            S::Cancelled => RicaricaStep::Cancelled,
            S::Failed => RicaricaStep::Failed,
            S::Expired => RicaricaStep::Expired,
        }
    }
}

impl From<core::DraftView> for DraftView {
    fn from(v: core::DraftView) -> Self {
        DraftView {
            step: v.step.into(),
            pending_amount_cents: v.pending_amount_cents,
            pending_amount_display: v.pending_amount_display,
            items: v
                .items
                .into_iter()
                .map(|i| DraftItem {
                    child_id: i.child_id,
                    service_code: i.service_code,
                    service_label: i.service_label,
                    amount_cents: i.amount_cents,
                    amount_display: i.amount_display,
                })
                .collect(),
            total_cents: v.total_cents,
            total_label: v.total_label,
            payer_email: v.payer_email,
            mode: v.mode.map(PaymentMode::from),
            can_add_item: v.can_add_item,
        }
    }
}

impl From<core::RicaricaOptions> for RicaricaOptions {
    fn from(o: core::RicaricaOptions) -> Self {
        RicaricaOptions {
            children: o
                .children
                .into_iter()
                .map(|c| ChildOptions {
                    child_id: c.child_id,
                    name: c.name,
                    services: c
                        .services
                        .into_iter()
                        .map(|s| ServiceOption {
                            code: s.code,
                            label: s.label,
                            presets: s
                                .presets
                                .into_iter()
                                .map(|p| PresetView {
                                    amount_cents: p.amount_cents,
                                    label: p.label,
                                })
                                .collect(),
                            min_cents: s.min_cents,
                            max_cents: s.max_cents,
                            limits_display: s.limits_display,
                        })
                        .collect(),
                })
                .collect(),
            payer_email: o.payer_email,
            email_ok: o.email_ok,
            email_message: o.email_message,
            change_email_label: o.change_email_label,
            commission_note: o.commission_note,
            max_items: o.max_items,
        }
    }
}

impl From<core::Riepilogo> for Riepilogo {
    fn from(r: core::Riepilogo) -> Self {
        Riepilogo {
            title: r.title,
            date_label: r.date_label,
            lines: r
                .lines
                .into_iter()
                .map(|l| RiepilogoLine {
                    code: l.code,
                    service_label: l.service_label,
                    child_id: l.child_id,
                    child_name: l.child_name,
                    amount_cents: l.amount_cents,
                    amount_display: l.amount_display,
                })
                .collect(),
            total_cents: r.total_cents,
            total_label: r.total_label,
            mode: r.mode.into(),
            mode_label: r.mode_label,
            commission_note: r.commission_note,
            fee: r.fee.map(|f| FeeView {
                fee_cents: f.fee_cents,
                fee_display: f.fee_display,
                note: f.note,
            }),
            back_label: r.back_label,
            proceed_label: r.proceed_label,
        }
    }
}

impl From<core::AvvisoDetails> for AvvisoDetails {
    fn from(a: core::AvvisoDetails) -> Self {
        AvvisoDetails {
            notice_number: a.notice_number,
            notice_number_display: a.notice_number_display,
            fiscal_code: a.fiscal_code,
            amount_cents: a.amount_cents,
            amount_display: a.amount_display,
            due_date: a.due_date.to_string(),
            due_date_label: a.due_date_label,
            qr_payload: a.qr_payload,
            cbill_code: a.cbill_code,
            where_to_pay: a.where_to_pay,
            share_text: a.share_text,
        }
    }
}

impl From<core::RicaricaView> for RicaricaView {
    fn from(v: core::RicaricaView) -> Self {
        RicaricaView {
            local_id: v.local_id,
            portal_id: v.portal_id,
            step: v.step.into(),
            mode: v.mode.into(),
            items: v
                .items
                .into_iter()
                .map(|i| ItemView {
                    child_id: i.child_id,
                    service_code: i.service_code,
                    amount_cents: i.amount_cents,
                    amount_display: i.amount_display,
                    notice_number: i.notice_number,
                    balance_after_cents: i.balance_after_cents,
                    balance_after_display: i.balance_after_display,
                    child_name: i.child_name,
                    service_label: i.service_label,
                })
                .collect(),
            total_cents: v.total_cents,
            total_display: v.total_display,
            message: v.message,
            checkout: v.checkout.map(|c| CheckoutLaunch {
                checkout_url: c.checkout_url.to_string(),
                return_ok_url: c.return_urls.ok.to_string(),
                return_cancel_url: c.return_urls.cancel.to_string(),
                return_error_url: c.return_urls.error.to_string(),
                return_waiting_url: c.return_urls.waiting.to_string(),
            }),
            avviso: v.avviso.map(AvvisoDetails::from),
            provisional_outcome: v.provisional_outcome.map(ReturnOutcome::from),
            settled: v.settled,
            created_at: v.created_at.into(),
            created_label: v.created_label,
            error_key: v.error_key,
            summary: v.summary,
        }
    }
}
