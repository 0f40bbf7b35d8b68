//! The top-up ("ricarica") flow of the instruction sheet: a state machine without any I/O (this
//! file), and the engine that drives it against the portal, exactly once ([`RicaricaEngine`]:
//! `engine` persists and talks to the portal, `return_url` makes and checks the checkout's return
//! URLs, `record` is what the store keeps and the view the app shows, `options` the choices and
//! the riepilogo before PROSEGUI).
//!
//! Amount → service and child (a cart of up to 5 items, one pagoPA notice each) → e-mail check →
//! mode (online or avviso) → riepilogo → submitted to the portal → online checkout or notice →
//! settled. Every state is serde-serialisable because the store writes it at every step: after
//! a crash, the last state says exactly what is left to do with the portal.
//!
//! [`RicaricaState::apply`] borrows the state and returns the next one, so a refused event leaves
//! the caller holding the state it had.

pub mod copy;
mod draft;
mod engine;
mod error;
mod options;
mod record;
mod return_url;

pub use draft::{Draft, DraftAction, DraftItem, DraftView};
pub use engine::{PollPolicy, RicaricaConfig, RicaricaEngine, StepObserver};
pub use error::RicaricaError;
pub use options::{
    ChildOptions, FeeView, PresetView, RicaricaOptions, Riepilogo, RiepilogoLine, ServiceOption,
};
pub use record::{AvvisoDetails, CheckoutLaunch, ItemView, RicaricaView};
pub use return_url::{ReturnUrlError, ReturnUrlStyle};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::catalog::Service;
use crate::email::Email;
use crate::money::{Amount, AmountError};

/// A pagoPA cart holds at most 5 notices; one item becomes one notice.
pub const MAX_CART_ITEMS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "amount", rename_all = "snake_case")]
pub enum AmountChoice {
    /// "Ricarica da 10 euro" and its siblings.
    Preset(Amount),
    /// "Ricarica personalizzata".
    Custom(Amount),
}

impl AmountChoice {
    pub fn amount(&self) -> Amount {
        match self {
            AmountChoice::Preset(amount) | AmountChoice::Custom(amount) => *amount,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItem {
    pub child_id: String,
    pub service_code: String,
    pub amount: Amount,
}

/// 0 to 5 items with positive amounts, no child topped up twice for the same service.
/// Deserialisation re-checks all of it: a stored cart is input like any other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<CartItem>", into = "Vec<CartItem>")]
pub struct Cart {
    items: Vec<CartItem>,
}

impl Cart {
    pub fn items(&self) -> &[CartItem] {
        &self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// "Totale Pagamento". Cannot saturate: `push` keeps the sum inside i64 cents.
    pub fn total(&self) -> Amount {
        Amount::from_cents(
            self.items
                .iter()
                .fold(0_i64, |sum, item| sum.saturating_add(item.amount.cents())),
        )
    }

    pub fn push(&mut self, item: CartItem) -> Result<(), TransitionError> {
        if item.child_id.trim().is_empty() {
            return Err(TransitionError::EmptyField { field: "child_id" });
        }
        if item.service_code.trim().is_empty() {
            return Err(TransitionError::EmptyField {
                field: "service_code",
            });
        }
        if !item.amount.is_positive() {
            return Err(TransitionError::Amount(AmountError::Zero));
        }
        if self.items.len() >= MAX_CART_ITEMS {
            return Err(TransitionError::CartFull);
        }
        if self
            .items
            .iter()
            .any(|i| i.child_id == item.child_id && i.service_code == item.service_code)
        {
            return Err(TransitionError::DuplicateItem {
                child_id: item.child_id,
                service_code: item.service_code,
            });
        }
        if self.total().checked_add(item.amount).is_none() {
            return Err(TransitionError::Amount(AmountError::Overflow));
        }
        self.items.push(item);
        Ok(())
    }

    fn remove(&mut self, child_id: &str, service_code: &str) -> Result<(), TransitionError> {
        let position = self
            .items
            .iter()
            .position(|i| i.child_id == child_id && i.service_code == service_code)
            .ok_or(TransitionError::ItemNotInCart)?;
        self.items.remove(position);
        Ok(())
    }
}

impl TryFrom<Vec<CartItem>> for Cart {
    type Error = TransitionError;

    fn try_from(items: Vec<CartItem>) -> Result<Cart, TransitionError> {
        let mut cart = Cart::default();
        for item in items {
            cart.push(item)?;
        }
        Ok(cart)
    }
}

impl From<Cart> for Vec<CartItem> {
    fn from(cart: Cart) -> Vec<CartItem> {
        cart.items
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// "Pagamento OnLine": the pagoPA checkout in the system browser.
    Online,
    /// "Genera avviso pagamento": a notice to pay later.
    Avviso,
}

/// Which of our return URLs the checkout sent the browser to. Provisional only: pagoPA appends
/// nothing to it and anyone can open it, so the portal's status is what settles the top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnOutcome {
    Ok,
    Cancel,
    Error,
    /// Payment taken in charge, outcome not known yet (checkout v2 `returnWaitingUrl`).
    Waiting,
}

/// The portal's word on a submitted top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    InProgress,
    Paid,
    Registered,
    Cancelled,
    Failed,
    Expired,
}

/// What the parent confirmed in the riepilogo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub cart: Cart,
    pub payer_email: Email,
    pub mode: PaymentMode,
}

/// An order after PROSEGUI: the idempotency key is part of the state, so it is stored before
/// the request that uses it and a retry after a crash can never create a second top-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub order: Order,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RicaricaState {
    /// Steps 1–2: an amount is chosen, then the service and child it goes to; repeatable.
    Composing {
        cart: Cart,
        pending_amount: Option<AmountChoice>,
    },
    /// Step 3: "✓ Procedi! Mail corretta."
    CheckingEmail { cart: Cart, payer_email: Email },
    /// Step 4: "Scegli la modalità di pagamento".
    ChoosingMode { cart: Cart, payer_email: Email },
    /// Step 5: "Riepilogo Pagamento", INDIETRO / PROSEGUI.
    Riepilogo { order: Order },
    /// The portal is being asked to create the top-up; repeat the request with the same key.
    Submitting { submission: Submission },
    /// Online: the checkout page is open in the system browser.
    InCheckout {
        submission: Submission,
        ricarica_id: String,
        checkout_url: Url,
    },
    /// Online: the browser came back; the outcome is provisional until the portal confirms.
    Returned {
        submission: Submission,
        ricarica_id: String,
        checkout_url: Url,
        outcome: ReturnOutcome,
    },
    /// Avviso: the notice exists and waits to be paid anywhere pagoPA is accepted.
    AvvisoIssued {
        submission: Submission,
        ricarica_id: String,
        notice_number: String,
    },
    /// "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore".
    PaidAwaitingRegistration {
        submission: Submission,
        ricarica_id: String,
    },
    Registered {
        submission: Submission,
        ricarica_id: String,
    },
    Cancelled {
        submission: Submission,
        ricarica_id: String,
    },
    Failed {
        submission: Submission,
        /// None when the portal refused to create the top-up at all.
        ricarica_id: Option<String>,
        reason: String,
    },
    Expired {
        submission: Submission,
        ricarica_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RicaricaEvent {
    ChooseAmount {
        choice: AmountChoice,
    },
    /// The service comes from the ente's catalog so its limits can be checked here.
    AddItem {
        child_id: String,
        service: Service,
    },
    RemoveItem {
        child_id: String,
        service_code: String,
    },
    /// "Ricarica": the cart is complete; the account's current e-mail is shown for checking.
    ConfirmCart {
        payer_email: Email,
    },
    /// "Per modificare la mail clicca qui", after the portal accepted the new address.
    ChangeEmail {
        payer_email: Email,
    },
    ConfirmEmail,
    ChooseMode {
        mode: PaymentMode,
    },
    /// INDIETRO, and the back gesture on the steps before it.
    Back,
    /// PROSEGUI, with a fresh unguessable key made by the caller.
    Proceed {
        idempotency_key: String,
    },
    CheckoutCreated {
        ricarica_id: String,
        checkout_url: Url,
    },
    NoticeIssued {
        ricarica_id: String,
        notice_number: String,
    },
    /// The portal refused to create the top-up (e.g. a 422 problem); `reason` is its code.
    SubmissionRejected {
        reason: String,
    },
    BrowserReturned {
        outcome: ReturnOutcome,
    },
    StatusReported {
        status: PortalStatus,
    },
    /// After a crash between sending the create request and storing its answer, the portal
    /// (asked by idempotency key) already holds the top-up and has settled it: the checkout URL
    /// or notice was never shown, so the top-up goes straight to the portal's outcome.
    Reconciled {
        ricarica_id: String,
        status: PortalStatus,
    },
}

/// The step a state is at, without its data: for errors, logs and the store's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("Operazione non consentita in questo passaggio della ricarica")]
    IllegalTransition {
        step: RicaricaStep,
        event: &'static str,
    },
    #[error("Scegli prima l'importo della ricarica")]
    NoAmountChosen,
    #[error("Aggiungi almeno una ricarica")]
    EmptyCart,
    #[error("Si possono pagare al massimo 5 ricariche insieme")]
    CartFull,
    #[error("Questa ricarica per lo stesso figlio e servizio è già presente")]
    DuplicateItem {
        child_id: String,
        service_code: String,
    },
    #[error("Ricarica non presente nel carrello")]
    ItemNotInCart,
    #[error("Dato mancante: {field}")]
    EmptyField { field: &'static str },
    #[error("{0}")]
    Amount(AmountError),
}

impl TransitionError {
    pub fn message_key(&self) -> &'static str {
        match self {
            TransitionError::IllegalTransition { .. } => "ricarica.passaggio_non_consentito",
            TransitionError::NoAmountChosen => "ricarica.importo_mancante",
            TransitionError::EmptyCart => "ricarica.carrello_vuoto",
            TransitionError::CartFull => "ricarica.carrello_pieno",
            TransitionError::DuplicateItem { .. } => "ricarica.ricarica_ripetuta",
            TransitionError::ItemNotInCart => "ricarica.ricarica_non_presente",
            TransitionError::EmptyField { .. } => "ricarica.dato_mancante",
            TransitionError::Amount(error) => error.message_key(),
        }
    }
}

impl RicaricaEvent {
    pub fn name(&self) -> &'static str {
        match self {
            RicaricaEvent::ChooseAmount { .. } => "choose_amount",
            RicaricaEvent::AddItem { .. } => "add_item",
            RicaricaEvent::RemoveItem { .. } => "remove_item",
            RicaricaEvent::ConfirmCart { .. } => "confirm_cart",
            RicaricaEvent::ChangeEmail { .. } => "change_email",
            RicaricaEvent::ConfirmEmail => "confirm_email",
            RicaricaEvent::ChooseMode { .. } => "choose_mode",
            RicaricaEvent::Back => "back",
            RicaricaEvent::Proceed { .. } => "proceed",
            RicaricaEvent::CheckoutCreated { .. } => "checkout_created",
            RicaricaEvent::NoticeIssued { .. } => "notice_issued",
            RicaricaEvent::SubmissionRejected { .. } => "submission_rejected",
            RicaricaEvent::BrowserReturned { .. } => "browser_returned",
            RicaricaEvent::StatusReported { .. } => "status_reported",
            RicaricaEvent::Reconciled { .. } => "reconciled",
        }
    }
}

fn non_empty(value: &str, field: &'static str) -> Result<(), TransitionError> {
    if value.trim().is_empty() {
        return Err(TransitionError::EmptyField { field });
    }
    Ok(())
}

impl Default for RicaricaState {
    fn default() -> Self {
        RicaricaState::new()
    }
}

impl RicaricaState {
    pub fn new() -> RicaricaState {
        RicaricaState::Composing {
            cart: Cart::default(),
            pending_amount: None,
        }
    }

    pub fn step(&self) -> RicaricaStep {
        match self {
            RicaricaState::Composing { .. } => RicaricaStep::Composing,
            RicaricaState::CheckingEmail { .. } => RicaricaStep::CheckingEmail,
            RicaricaState::ChoosingMode { .. } => RicaricaStep::ChoosingMode,
            RicaricaState::Riepilogo { .. } => RicaricaStep::Riepilogo,
            RicaricaState::Submitting { .. } => RicaricaStep::Submitting,
            RicaricaState::InCheckout { .. } => RicaricaStep::InCheckout,
            RicaricaState::Returned { .. } => RicaricaStep::Returned,
            RicaricaState::AvvisoIssued { .. } => RicaricaStep::AvvisoIssued,
            RicaricaState::PaidAwaitingRegistration { .. } => {
                RicaricaStep::PaidAwaitingRegistration
            }
            RicaricaState::Registered { .. } => RicaricaStep::Registered,
            RicaricaState::Cancelled { .. } => RicaricaStep::Cancelled,
            RicaricaState::Failed { .. } => RicaricaStep::Failed,
            RicaricaState::Expired { .. } => RicaricaStep::Expired,
        }
    }

    /// The submission, once PROSEGUI was pressed; before that nothing exists on the portal.
    pub fn submission(&self) -> Option<&Submission> {
        match self {
            RicaricaState::Composing { .. }
            | RicaricaState::CheckingEmail { .. }
            | RicaricaState::ChoosingMode { .. }
            | RicaricaState::Riepilogo { .. } => None,
            RicaricaState::Submitting { submission }
            | RicaricaState::InCheckout { submission, .. }
            | RicaricaState::Returned { submission, .. }
            | RicaricaState::AvvisoIssued { submission, .. }
            | RicaricaState::PaidAwaitingRegistration { submission, .. }
            | RicaricaState::Registered { submission, .. }
            | RicaricaState::Cancelled { submission, .. }
            | RicaricaState::Failed { submission, .. }
            | RicaricaState::Expired { submission, .. } => Some(submission),
        }
    }

    pub fn cart(&self) -> &Cart {
        match self {
            RicaricaState::Composing { cart, .. }
            | RicaricaState::CheckingEmail { cart, .. }
            | RicaricaState::ChoosingMode { cart, .. } => cart,
            RicaricaState::Riepilogo { order } => &order.cart,
            _ => match self.submission() {
                Some(submission) => &submission.order.cart,
                None => &EMPTY_CART,
            },
        }
    }

    pub fn total(&self) -> Amount {
        self.cart().total()
    }

    /// Submitted to the portal and not settled yet: what the app resumes on its next start.
    pub fn needs_settling(&self) -> bool {
        matches!(
            self.step(),
            RicaricaStep::Submitting
                | RicaricaStep::InCheckout
                | RicaricaStep::Returned
                | RicaricaStep::AvvisoIssued
                | RicaricaStep::PaidAwaitingRegistration
        )
    }

    /// Nothing more will happen to this top-up.
    pub fn is_final(&self) -> bool {
        matches!(
            self.step(),
            RicaricaStep::Registered
                | RicaricaStep::Cancelled
                | RicaricaStep::Failed
                | RicaricaStep::Expired
        )
    }

    /// The next state, or why `event` cannot happen now (the caller keeps `self` unchanged).
    pub fn apply(&self, event: RicaricaEvent) -> Result<RicaricaState, TransitionError> {
        use RicaricaEvent as E;
        use RicaricaState as S;
        let illegal = |event: &RicaricaEvent| TransitionError::IllegalTransition {
            step: self.step(),
            event: event.name(),
        };
        match (self, event) {
            (S::Composing { cart, .. }, E::ChooseAmount { choice }) => {
                if !choice.amount().is_positive() {
                    return Err(TransitionError::Amount(AmountError::Zero));
                }
                Ok(S::Composing {
                    cart: cart.clone(),
                    pending_amount: Some(choice),
                })
            }
            (
                S::Composing {
                    cart,
                    pending_amount,
                },
                E::AddItem { child_id, service },
            ) => {
                let choice = pending_amount.ok_or(TransitionError::NoAmountChosen)?;
                service
                    .custom_limits
                    .check(choice.amount())
                    .map_err(TransitionError::Amount)?;
                let mut cart = cart.clone();
                cart.push(CartItem {
                    child_id,
                    service_code: service.code,
                    amount: choice.amount(),
                })?;
                Ok(S::Composing {
                    cart,
                    pending_amount: None,
                })
            }
            (
                S::Composing {
                    cart,
                    pending_amount,
                },
                E::RemoveItem {
                    child_id,
                    service_code,
                },
            ) => {
                let mut cart = cart.clone();
                cart.remove(&child_id, &service_code)?;
                Ok(S::Composing {
                    cart,
                    pending_amount: *pending_amount,
                })
            }
            (S::Composing { cart, .. }, E::ConfirmCart { payer_email }) => {
                if cart.is_empty() {
                    return Err(TransitionError::EmptyCart);
                }
                Ok(S::CheckingEmail {
                    cart: cart.clone(),
                    payer_email,
                })
            }
            (S::CheckingEmail { cart, .. }, E::ChangeEmail { payer_email }) => {
                Ok(S::CheckingEmail {
                    cart: cart.clone(),
                    payer_email,
                })
            }
            (S::CheckingEmail { cart, payer_email }, E::ConfirmEmail) => Ok(S::ChoosingMode {
                cart: cart.clone(),
                payer_email: payer_email.clone(),
            }),
            (S::CheckingEmail { cart, .. }, E::Back) => Ok(S::Composing {
                cart: cart.clone(),
                pending_amount: None,
            }),
            (S::ChoosingMode { cart, payer_email }, E::ChooseMode { mode }) => Ok(S::Riepilogo {
                order: Order {
                    cart: cart.clone(),
                    payer_email: payer_email.clone(),
                    mode,
                },
            }),
            (S::ChoosingMode { cart, payer_email }, E::Back) => Ok(S::CheckingEmail {
                cart: cart.clone(),
                payer_email: payer_email.clone(),
            }),
            (S::Riepilogo { order }, E::Back) => Ok(S::ChoosingMode {
                cart: order.cart.clone(),
                payer_email: order.payer_email.clone(),
            }),
            (S::Riepilogo { order }, E::Proceed { idempotency_key }) => {
                non_empty(&idempotency_key, "idempotency_key")?;
                Ok(S::Submitting {
                    submission: Submission {
                        order: order.clone(),
                        idempotency_key,
                    },
                })
            }
            (
                S::Submitting { submission },
                E::CheckoutCreated {
                    ricarica_id,
                    checkout_url,
                },
            ) if submission.order.mode == PaymentMode::Online => {
                non_empty(&ricarica_id, "ricarica_id")?;
                Ok(S::InCheckout {
                    submission: submission.clone(),
                    ricarica_id,
                    checkout_url,
                })
            }
            (
                S::Submitting { submission },
                E::NoticeIssued {
                    ricarica_id,
                    notice_number,
                },
            ) if submission.order.mode == PaymentMode::Avviso => {
                non_empty(&ricarica_id, "ricarica_id")?;
                non_empty(&notice_number, "notice_number")?;
                Ok(S::AvvisoIssued {
                    submission: submission.clone(),
                    ricarica_id,
                    notice_number,
                })
            }
            (
                S::Submitting { submission },
                E::Reconciled {
                    ricarica_id,
                    status,
                },
            ) if status != PortalStatus::InProgress => {
                non_empty(&ricarica_id, "ricarica_id")?;
                Ok(settle(self, submission, &ricarica_id, status, "checkout"))
            }
            (S::Submitting { submission }, E::SubmissionRejected { reason }) => Ok(S::Failed {
                submission: submission.clone(),
                ricarica_id: None,
                reason,
            }),
            (
                S::InCheckout {
                    submission,
                    ricarica_id,
                    checkout_url,
                },
                E::BrowserReturned { outcome },
            ) => Ok(S::Returned {
                submission: submission.clone(),
                ricarica_id: ricarica_id.clone(),
                checkout_url: checkout_url.clone(),
                outcome,
            }),
            // The browser may never come back (app killed, tab closed): the portal settles
            // a checkout whether or not we saw the return.
            (
                S::InCheckout {
                    submission,
                    ricarica_id,
                    ..
                },
                E::StatusReported { status },
            )
            | (
                S::Returned {
                    submission,
                    ricarica_id,
                    ..
                },
                E::StatusReported { status },
            ) => Ok(settle(self, submission, ricarica_id, status, "checkout")),
            (
                S::AvvisoIssued {
                    submission,
                    ricarica_id,
                    ..
                },
                E::StatusReported { status },
            ) => Ok(settle(self, submission, ricarica_id, status, "avviso")),
            (
                S::PaidAwaitingRegistration {
                    submission,
                    ricarica_id,
                },
                E::StatusReported { status },
            ) => match status {
                PortalStatus::InProgress | PortalStatus::Paid => Ok(self.clone()),
                PortalStatus::Registered => Ok(S::Registered {
                    submission: submission.clone(),
                    ricarica_id: ricarica_id.clone(),
                }),
                // Once paid, money has moved: only registration can follow.
                PortalStatus::Cancelled | PortalStatus::Failed | PortalStatus::Expired => {
                    Err(illegal(&E::StatusReported { status }))
                }
            },
            (_, event) => Err(illegal(&event)),
        }
    }
}

static EMPTY_CART: Cart = Cart { items: Vec::new() };

/// The portal's status applied to a top-up that exists on the portal and is not yet paid.
fn settle(
    current: &RicaricaState,
    submission: &Submission,
    ricarica_id: &str,
    status: PortalStatus,
    what: &str,
) -> RicaricaState {
    let submission = submission.clone();
    let ricarica_id = ricarica_id.to_owned();
    match status {
        PortalStatus::InProgress => current.clone(),
        PortalStatus::Paid => RicaricaState::PaidAwaitingRegistration {
            submission,
            ricarica_id,
        },
        PortalStatus::Registered => RicaricaState::Registered {
            submission,
            ricarica_id,
        },
        PortalStatus::Cancelled => RicaricaState::Cancelled {
            submission,
            ricarica_id,
        },
        PortalStatus::Failed => RicaricaState::Failed {
            submission,
            ricarica_id: Some(ricarica_id),
            reason: format!("{what}_failed"),
        },
        PortalStatus::Expired => RicaricaState::Expired {
            submission,
            ricarica_id,
        },
    }
}

#[cfg(test)]
mod tests;
