//! The parent's choices before PROSEGUI, driven with plain values (ids, cents, typed text) so the
//! apps never build state-machine events themselves.
//!
//! [`Draft`] is the choices in memory. The engine keeps the profile's current draft in the store,
//! written after every accepted change ([`RicaricaEngine::draft_apply`]), so closing the app
//! halfway loses nothing; PROSEGUI ([`RicaricaEngine::submit_draft`]) turns it into a stored
//! top-up and deletes it in one transaction.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::catalog::EnteConfig;
use crate::copy::Lang;
use crate::email::Email;
use crate::money::Amount;

use super::engine::RicaricaEngine;
use super::error::RicaricaError;
use super::options::Riepilogo;
use super::record::RicaricaView;
use super::{
    AmountChoice, Order, PaymentMode, RicaricaEvent, RicaricaState, RicaricaStep, TransitionError,
};

/// Bumped when the stored draft's shape changes incompatibly; an unreadable draft starts over.
const DRAFT_VERSION: u32 = 1;

/// One tap of the parent on the screens before PROSEGUI.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Serialize, Deserialize)]
struct StoredDraft {
    version: u32,
    state: RicaricaState,
}

/// The step's name as the step observer knows it; distinct from the submitted top-up's steps.
pub(crate) fn draft_step_name(step: RicaricaStep) -> &'static str {
    match step {
        RicaricaStep::CheckingEmail => "draft_checking_email",
        RicaricaStep::ChoosingMode => "draft_choosing_mode",
        RicaricaStep::Riepilogo => "draft_riepilogo",
        _ => "draft_composing",
    }
}

fn is_draft_step(step: RicaricaStep) -> bool {
    matches!(
        step,
        RicaricaStep::Composing
            | RicaricaStep::CheckingEmail
            | RicaricaStep::ChoosingMode
            | RicaricaStep::Riepilogo
    )
}

/// The stored draft's state; a missing, unreadable or foreign one is a new empty draft (a draft
/// moves no money, so starting over is always safe).
fn parse_stored(json: Option<&str>) -> RicaricaState {
    json.and_then(|json| serde_json::from_str::<StoredDraft>(json).ok())
        .filter(|stored| stored.version == DRAFT_VERSION && is_draft_step(stored.state.step()))
        .map_or_else(RicaricaState::new, |stored| stored.state)
}

#[derive(Debug, Clone)]
pub struct Draft {
    ente: EnteConfig,
    state: RicaricaState,
    lang: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftItem {
    pub child_id: String,
    pub service_code: String,
    pub service_label: String,
    pub amount_cents: i64,
    pub amount_display: String,
}

/// What the ricarica screens show while the parent composes the top-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftView {
    pub step: RicaricaStep,
    /// The amount chosen and not yet assigned to a child and service.
    pub pending_amount_cents: Option<i64>,
    pub pending_amount_display: Option<String>,
    pub items: Vec<DraftItem>,
    pub total_cents: i64,
    /// "Totale Pagamento: € 20,00"
    pub total_label: String,
    pub payer_email: Option<String>,
    pub mode: Option<PaymentMode>,
    /// Another child can still join this checkout (a pagoPA cart holds 5 notices).
    pub can_add_item: bool,
}

impl Draft {
    pub fn new(ente: EnteConfig) -> Draft {
        Draft {
            ente,
            state: RicaricaState::new(),
            lang: Lang::It,
        }
    }

    /// `None` when `state` is past PROSEGUI: a submitted top-up is no longer a draft.
    pub fn with_state(ente: EnteConfig, state: RicaricaState) -> Option<Draft> {
        is_draft_step(state.step()).then_some(Draft {
            ente,
            state,
            lang: Lang::It,
        })
    }

    /// Applies one tap; a refused one leaves the draft as it was.
    pub fn act(&mut self, action: DraftAction) -> Result<DraftView, RicaricaError> {
        match action {
            DraftAction::ChoosePreset { cents } => self.choose_preset(cents),
            DraftAction::ChooseCustom { text } => self.choose_custom(&text),
            DraftAction::AddItem {
                child_id,
                service_code,
            } => self.add_item(&child_id, &service_code),
            DraftAction::RemoveItem {
                child_id,
                service_code,
            } => self.remove_item(&child_id, &service_code),
            DraftAction::ConfirmCart { payer_email } => self.confirm_cart(&payer_email),
            DraftAction::ChangeEmail { payer_email } => self.change_email(&payer_email),
            DraftAction::ConfirmEmail => self.confirm_email(),
            DraftAction::ChooseMode { mode } => self.choose_mode(mode),
            DraftAction::Back => self.back(),
            DraftAction::Discard => {
                self.state = RicaricaState::new();
                Ok(self.view())
            }
        }
    }

    pub fn state(&self) -> &RicaricaState {
        &self.state
    }

    /// "Ricarica da 10 euro" and its siblings.
    pub fn choose_preset(&mut self, cents: i64) -> Result<DraftView, RicaricaError> {
        self.apply(RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Preset(Amount::from_cents(cents)),
        })
    }

    /// "Ricarica personalizzata": what the parent typed, in Italian notation.
    pub fn choose_custom(&mut self, text: &str) -> Result<DraftView, RicaricaError> {
        let amount = Amount::parse_it(text).map_err(super::TransitionError::Amount)?;
        self.apply(RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Custom(amount),
        })
    }

    /// Assigns the chosen amount to a child's service; the service's limits apply here.
    pub fn add_item(
        &mut self,
        child_id: &str,
        service_code: &str,
    ) -> Result<DraftView, RicaricaError> {
        let service =
            self.ente
                .service(service_code)
                .cloned()
                .ok_or_else(|| RicaricaError::NotEnrolled {
                    child_id: child_id.to_owned(),
                    service_code: service_code.to_owned(),
                })?;
        self.apply(RicaricaEvent::AddItem {
            child_id: child_id.to_owned(),
            service,
        })
    }

    pub fn remove_item(
        &mut self,
        child_id: &str,
        service_code: &str,
    ) -> Result<DraftView, RicaricaError> {
        self.apply(RicaricaEvent::RemoveItem {
            child_id: child_id.to_owned(),
            service_code: service_code.to_owned(),
        })
    }

    /// "Ricarica": the cart is complete; the e-mail check comes next.
    pub fn confirm_cart(&mut self, payer_email: &str) -> Result<DraftView, RicaricaError> {
        let payer_email = Email::parse(payer_email)?;
        self.apply(RicaricaEvent::ConfirmCart { payer_email })
    }

    /// After "Per modificare la mail clicca qui" updated it on the portal.
    pub fn change_email(&mut self, payer_email: &str) -> Result<DraftView, RicaricaError> {
        let payer_email = Email::parse(payer_email)?;
        self.apply(RicaricaEvent::ChangeEmail { payer_email })
    }

    /// "✓ Procedi!"
    pub fn confirm_email(&mut self) -> Result<DraftView, RicaricaError> {
        self.apply(RicaricaEvent::ConfirmEmail)
    }

    /// "Pagamento OnLine" or "Genera avviso pagamento"; the riepilogo comes next.
    pub fn choose_mode(&mut self, mode: PaymentMode) -> Result<DraftView, RicaricaError> {
        self.apply(RicaricaEvent::ChooseMode { mode })
    }

    /// INDIETRO.
    pub fn back(&mut self) -> Result<DraftView, RicaricaError> {
        self.apply(RicaricaEvent::Back)
    }

    /// The order the riepilogo shows and PROSEGUI submits, once the mode is chosen.
    pub fn order(&self) -> Option<&Order> {
        match &self.state {
            RicaricaState::Riepilogo { order } => Some(order),
            _ => None,
        }
    }

    pub fn view(&self) -> DraftView {
        let cart = self.state.cart();
        let items = cart
            .items()
            .iter()
            .map(|item| DraftItem {
                child_id: item.child_id.clone(),
                service_code: item.service_code.clone(),
                service_label: self.ente.service(&item.service_code).map_or_else(
                    || item.service_code.clone(),
                    |s| self.lang.service_label(&s.code, &s.label).into_owned(),
                ),
                amount_cents: item.amount.cents(),
                amount_display: self.lang.amount(item.amount.cents()),
            })
            .collect();
        let (pending, payer_email, mode) = match &self.state {
            RicaricaState::Composing { pending_amount, .. } => {
                (pending_amount.map(|c| c.amount()), None, None)
            }
            RicaricaState::CheckingEmail { payer_email, .. }
            | RicaricaState::ChoosingMode { payer_email, .. } => {
                (None, Some(payer_email.as_str().to_owned()), None)
            }
            RicaricaState::Riepilogo { order } => (
                None,
                Some(order.payer_email.as_str().to_owned()),
                Some(order.mode),
            ),
            _ => (None, None, None),
        };
        let total = self.state.total();
        DraftView {
            step: self.state.step(),
            pending_amount_cents: pending.map(|a| a.cents()),
            pending_amount_display: pending.map(|a| self.lang.amount(a.cents())),
            items,
            total_cents: total.cents(),
            total_label: self.lang.totale_pagamento(total.cents()),
            payer_email,
            mode,
            can_add_item: self.state.step() == RicaricaStep::Composing
                && cart.len() < super::MAX_CART_ITEMS,
        }
    }

    /// A refused event leaves the draft as it was.
    fn apply(&mut self, event: RicaricaEvent) -> Result<DraftView, RicaricaError> {
        self.state = self.state.apply(event)?;
        Ok(self.view())
    }
}

impl RicaricaEngine {
    /// The profile's current draft: the stored one, or a new empty one for the ente in the cache
    /// (fetched first if the cache has none yet).
    pub async fn draft(&self) -> Result<DraftView, RicaricaError> {
        let ente = self.ente_config().await?;
        let json = self.session.store().load_draft()?;
        Ok(Draft {
            ente,
            state: parse_stored(json.as_deref()),
            lang: self.session.lang(),
        }
        .view())
    }

    /// One tap on the current draft, stored before the answer is returned; a refused tap stores
    /// nothing.
    pub async fn draft_apply(&self, action: DraftAction) -> Result<DraftView, RicaricaError> {
        let (wire, account) = self.catalog().await?;
        let ente = validated(wire)?;
        if let DraftAction::AddItem {
            child_id,
            service_code,
        } = &action
        {
            super::options::enrolled_child(&account, child_id, service_code)?;
        }
        if let DraftAction::ChangeEmail { payer_email } = &action {
            // "Per modificare la mail clicca qui" changes the address on the portal, where the
            // receipts are sent from. Tried on a copy first, so a change the draft refuses (wrong
            // step, bad address) never reaches the portal.
            let mut probe = Draft {
                ente: ente.clone(),
                state: parse_stored(self.session.store().load_draft()?.as_deref()),
                lang: self.session.lang(),
            };
            probe.act(action.clone())?;
            self.change_email(payer_email).await?;
        }
        // No await below: the write lock is a std mutex and the future must stay Send.
        let _writing = self.lock();
        let json = self.session.store().load_draft()?;
        let mut draft = Draft {
            ente,
            state: parse_stored(json.as_deref()),
            lang: self.session.lang(),
        };
        let before = draft.state.clone();
        let discard = action == DraftAction::Discard;
        let view = draft.act(action)?;
        if draft.state == before && !(discard && json.is_some()) {
            return Ok(view);
        }
        if discard {
            self.session.store().delete_draft()?;
        } else {
            let stored = StoredDraft {
                version: DRAFT_VERSION,
                state: draft.state,
            };
            self.session
                .store()
                .save_draft(&serde_json::to_string(&stored)?, Utc::now())?;
        }
        self.observer.persisted(draft_step_name(view.step));
        Ok(view)
    }

    /// "Riepilogo Pagamento" of the current draft, once its mode is chosen.
    pub async fn draft_riepilogo(&self) -> Result<Riepilogo, RicaricaError> {
        let (order, _) = self.draft_order()?;
        self.riepilogo(&order).await
    }

    /// PROSEGUI on the current draft: like [`RicaricaEngine::submit`], with the top-up stored and
    /// the draft deleted in one transaction, so the same draft can never be submitted twice.
    pub async fn submit_draft(&self) -> Result<RicaricaView, RicaricaError> {
        let (order, draft_json) = self.draft_order()?;
        self.submit_handing_over(&order, Some(&draft_json)).await
    }

    /// The stored draft's order and the exact text it was read from (the hand-over deletes the
    /// draft only if it is still that text).
    fn draft_order(&self) -> Result<(Order, String), RicaricaError> {
        let json = self.session.store().load_draft()?;
        match (parse_stored(json.as_deref()), json) {
            (RicaricaState::Riepilogo { order }, Some(json)) => Ok((order, json)),
            (state, _) => Err(TransitionError::IllegalTransition {
                step: state.step(),
                event: "proceed",
            }
            .into()),
        }
    }

    async fn ente_config(&self) -> Result<EnteConfig, RicaricaError> {
        let (ente, _) = self.catalog().await?;
        validated(ente)
    }
}

fn validated(wire: crate::api::dto::EnteDocument) -> Result<EnteConfig, RicaricaError> {
    EnteConfig::from_portal(wire).map_err(|e| RicaricaError::Contract {
        what: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft::new(EnteConfig::valenza_example())
    }

    #[test]
    fn ricarica_personalizzata_di_due_figli_fino_al_riepilogo() {
        let mut d = draft();
        d.choose_custom("€ 12,50").unwrap();
        d.add_item("giulia", "refezione").unwrap();
        d.choose_preset(2000).unwrap();
        let view = d.add_item("luca", "refezione").unwrap();
        assert_eq!(view.total_cents, 3250);
        assert_eq!(view.total_label, "Totale Pagamento: € 32,50");
        assert_eq!(view.items[0].amount_display, "€ 12,50");
        d.confirm_cart("maria.rossi@example.it").unwrap();
        d.confirm_email().unwrap();
        let view = d.choose_mode(PaymentMode::Online).unwrap();
        assert_eq!(view.step, RicaricaStep::Riepilogo);
        assert_eq!(view.mode, Some(PaymentMode::Online));
        assert_eq!(d.order().map(|o| o.cart.total().cents()), Some(3250));
        let view = d.back().unwrap();
        assert_eq!(view.step, RicaricaStep::ChoosingMode);
        assert!(d.order().is_none());
    }

    #[test]
    fn un_importo_sbagliato_o_fuori_limite_non_cambia_nulla() {
        let mut d = draft();
        d.choose_preset(1000).unwrap();
        let before = d.view();
        assert!(matches!(
            d.choose_custom("1,000.00"),
            Err(RicaricaError::Transition(_))
        ));
        assert_eq!(d.view(), before);
        d.choose_custom("0,01").unwrap();
        assert!(
            d.add_item("giulia", "refezione").is_err(),
            "below the service minimum"
        );
        assert!(d.view().items.is_empty());
        assert!(matches!(
            d.add_item("giulia", "servizio_inesistente"),
            Err(RicaricaError::NotEnrolled { .. })
        ));
        assert!(matches!(
            d.confirm_cart("non-una-mail"),
            Err(RicaricaError::Email(_))
        ));
    }

    #[test]
    fn il_carrello_si_ferma_a_cinque_avvisi() {
        let mut d = draft();
        for child in ["a", "b", "c", "d", "e"] {
            d.choose_preset(1000).unwrap();
            d.add_item(child, "refezione").unwrap();
        }
        assert!(!d.view().can_add_item);
        d.choose_preset(1000).unwrap();
        assert!(d.add_item("f", "refezione").is_err());
        assert_eq!(d.view().items.len(), 5);
    }

    #[test]
    fn le_azioni_guidano_la_bozza_e_annulla_la_svuota() {
        let mut d = draft();
        d.act(DraftAction::ChoosePreset { cents: 1000 }).unwrap();
        d.act(DraftAction::AddItem {
            child_id: "giulia".into(),
            service_code: "refezione".into(),
        })
        .unwrap();
        let view = d
            .act(DraftAction::ConfirmCart {
                payer_email: "maria.rossi@example.it".into(),
            })
            .unwrap();
        assert_eq!(view.step, RicaricaStep::CheckingEmail);
        assert_eq!(draft_step_name(view.step), "draft_checking_email");
        let view = d.act(DraftAction::Discard).unwrap();
        assert_eq!(view.step, RicaricaStep::Composing);
        assert!(view.items.is_empty());
    }

    #[test]
    fn una_bozza_salvata_illeggibile_o_gia_inviata_riparte_vuota() {
        let mut d = draft();
        d.choose_preset(1000).unwrap();
        let json = serde_json::to_string(&StoredDraft {
            version: DRAFT_VERSION,
            state: d.state().clone(),
        })
        .unwrap();
        assert_eq!(&parse_stored(Some(&json)), d.state());
        assert_eq!(parse_stored(Some("non json")), RicaricaState::new());
        assert_eq!(parse_stored(None), RicaricaState::new());
        let newer = json.replacen("\"version\":1", "\"version\":99", 1);
        assert_ne!(newer, json);
        assert_eq!(parse_stored(Some(&newer)), RicaricaState::new());
        let submitted = RicaricaState::Submitting {
            submission: super::super::Submission {
                order: Order {
                    cart: d.state().cart().clone(),
                    payer_email: Email::parse("maria.rossi@example.it").unwrap(),
                    mode: PaymentMode::Online,
                },
                idempotency_key: "k".into(),
            },
        };
        assert!(Draft::with_state(EnteConfig::valenza_example(), submitted.clone()).is_none());
        let json = serde_json::to_string(&StoredDraft {
            version: DRAFT_VERSION,
            state: submitted,
        })
        .unwrap();
        assert_eq!(parse_stored(Some(&json)), RicaricaState::new());
    }
}
