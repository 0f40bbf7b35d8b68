//! The parent's choices before PROSEGUI, driven with plain values (ids, cents, typed text) so the
//! apps never build state-machine events themselves.
//!
//! A draft moves no money: it lives in memory until PROSEGUI hands its order to
//! [`RicaricaEngine::submit`], which stores it before anything reaches the portal.

use crate::catalog::EnteConfig;
use crate::email::Email;
use crate::money::{format_cents, Amount};

use super::copy;
use super::engine::RicaricaEngine;
use super::error::RicaricaError;
use super::{AmountChoice, Order, PaymentMode, RicaricaEvent, RicaricaState, RicaricaStep};

#[derive(Debug, Clone)]
pub struct Draft {
    ente: EnteConfig,
    state: RicaricaState,
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
                service_label: self
                    .ente
                    .service(&item.service_code)
                    .map_or_else(|| item.service_code.clone(), |s| s.label.clone()),
                amount_cents: item.amount.cents(),
                amount_display: item.amount.format_it(),
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
            pending_amount_display: pending.map(|a| format_cents(a.cents())),
            items,
            total_cents: total.cents(),
            total_label: copy::totale_pagamento(total),
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
    /// A new top-up for the ente in the cache (fetched first if the cache has none yet).
    pub async fn draft(&self) -> Result<Draft, RicaricaError> {
        let (ente, _) = self.catalog().await?;
        let ente = EnteConfig::from_portal(ente).map_err(|e| RicaricaError::Contract {
            what: e.to_string(),
        })?;
        Ok(Draft::new(ente))
    }
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
}
