//! What the ricarica screens offer before PROSEGUI: per chosen child the services they are
//! enrolled in with presets and custom limits, the payer e-mail check, and the riepilogo with the
//! commission note and the portal's fee estimate when it has one.

use chrono::Utc;

use super::engine::RicaricaEngine;
use super::error::RicaricaError;
use super::{Order, PaymentMode};
use crate::api::dto::{Account, EnteDocument, FeeEstimate, UpdateEmailRequest};
use crate::api::{self, Fetched};
use crate::copy::Text;
use crate::email::Email;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetView {
    pub amount_cents: i64,
    /// "Ricarica da 10 euro".
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOption {
    pub code: String,
    pub label: String,
    pub presets: Vec<PresetView>,
    /// Bounds of a "Ricarica personalizzata".
    pub min_cents: i64,
    pub max_cents: i64,
    pub limits_display: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildOptions {
    pub child_id: String,
    pub name: String,
    /// Only the services the child is enrolled in, in the ente's order.
    pub services: Vec<ServiceOption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RicaricaOptions {
    pub children: Vec<ChildOptions>,
    /// Shown in full to its owner ("Mail attuale: …").
    pub payer_email: String,
    pub email_ok: bool,
    /// "✓ Procedi! Mail corretta. Puoi procedere al pagamento." or why not.
    pub email_message: String,
    pub change_email_label: String,
    pub commission_note: String,
    /// At most this many items in one checkout.
    pub max_items: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeView {
    pub fee_cents: i64,
    pub fee_display: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiepilogoLine {
    /// The service code ("Codice" of the sheet's riepilogo).
    pub code: String,
    pub service_label: String,
    pub child_id: String,
    pub child_name: String,
    pub amount_cents: i64,
    pub amount_display: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Riepilogo {
    pub title: String,
    /// Today, "27/06/2019".
    pub date_label: String,
    pub lines: Vec<RiepilogoLine>,
    pub total_cents: i64,
    /// "Totale Pagamento: € 0,01".
    pub total_label: String,
    pub mode: PaymentMode,
    pub mode_label: String,
    pub commission_note: String,
    /// The portal's estimate; `None` when it has none for this mode (avviso) or is unreachable.
    pub fee: Option<FeeView>,
    pub back_label: String,
    pub proceed_label: String,
}

impl RicaricaEngine {
    /// The options for the chosen children, from the cache (fetched first if it is empty).
    pub async fn options(&self, child_ids: &[String]) -> Result<RicaricaOptions, RicaricaError> {
        let (ente, account) = self.catalog().await?;
        let lang = self.session.lang();
        let mut children = Vec::new();
        for child_id in child_ids {
            let child = account
                .children
                .iter()
                .find(|c| &c.id == child_id)
                .ok_or_else(|| RicaricaError::UnknownChild {
                    child_id: child_id.clone(),
                })?;
            let services = ente
                .services
                .iter()
                .filter(|s| child.services.contains(&s.code))
                .map(|s| ServiceOption {
                    code: s.code.clone(),
                    label: lang.service_label(&s.code, &s.label).into_owned(),
                    presets: s
                        .presets_cents
                        .iter()
                        .filter(|cents| (s.min_cents..=s.max_cents).contains(cents))
                        .map(|cents| PresetView {
                            amount_cents: *cents,
                            label: lang.ricarica_da(*cents),
                        })
                        .collect(),
                    min_cents: s.min_cents,
                    max_cents: s.max_cents,
                    limits_display: lang.limits(s.min_cents, s.max_cents),
                })
                .collect();
            children.push(ChildOptions {
                child_id: child.id.clone(),
                name: format!("{} {}", child.first_name, child.last_name),
                services,
            });
        }
        let email_ok = Email::parse(&account.parent.email).is_ok();
        Ok(RicaricaOptions {
            children,
            payer_email: account.parent.email.clone(),
            email_ok,
            email_message: lang
                .text(if email_ok {
                    Text::MailCorretta
                } else {
                    Text::MailNonValida
                })
                .to_owned(),
            change_email_label: lang.text(Text::ModificaMail).to_owned(),
            commission_note: lang.text(Text::NotaCommissione).to_owned(),
            max_items: super::MAX_CART_ITEMS as u32,
        })
    }

    /// "Per modificare la mail clicca qui": the portal keeps the address; the cache follows.
    pub async fn change_email(&self, new_email: &str) -> Result<Email, RicaricaError> {
        let email = Email::parse(new_email)?;
        let _: Account = self
            .session
            .put(
                "api/v1/account/email",
                &UpdateEmailRequest {
                    email: email.as_str().to_owned(),
                },
            )
            .await?;
        // The portal holds the new address already; the cached account follows when it can.
        if let Err(error) = self.session.refresh().await {
            tracing::info!(
                key = error.message_key(),
                "account not refreshed after the e-mail change: {error}"
            );
        }
        Ok(email)
    }

    /// The riepilogo of an order before PROSEGUI.
    pub async fn riepilogo(&self, order: &Order) -> Result<Riepilogo, RicaricaError> {
        let (ente, account) = self.catalog().await?;
        let lang = self.session.lang();
        let mut lines = Vec::new();
        for item in order.cart.items() {
            let child = enrolled_child(&account, &item.child_id, &item.service_code)?;
            let Some(service) = ente.services.iter().find(|s| s.code == item.service_code) else {
                return Err(RicaricaError::NotEnrolled {
                    child_id: item.child_id.clone(),
                    service_code: item.service_code.clone(),
                });
            };
            lines.push(RiepilogoLine {
                code: service.code.clone(),
                service_label: lang
                    .service_label(&service.code, &service.label)
                    .into_owned(),
                child_id: child.id.clone(),
                child_name: format!("{} {}", child.first_name, child.last_name),
                amount_cents: item.amount.cents(),
                amount_display: lang.amount(item.amount.cents()),
            });
        }
        let total = order.cart.total();
        Ok(Riepilogo {
            title: lang.text(Text::RiepilogoPagamento).to_owned(),
            date_label: lang.date_of(Utc::now()),
            lines,
            total_cents: total.cents(),
            total_label: lang.totale_pagamento(total.cents()),
            mode: order.mode,
            mode_label: lang
                .text(match order.mode {
                    PaymentMode::Online => Text::PagamentoOnline,
                    PaymentMode::Avviso => Text::GeneraAvviso,
                })
                .to_owned(),
            commission_note: lang.text(Text::NotaCommissione).to_owned(),
            fee: self.fee_estimate(total.cents(), order.mode).await,
            back_label: lang.text(Text::Indietro).to_owned(),
            proceed_label: lang.text(Text::Prosegui).to_owned(),
        })
    }

    /// The portal's estimate, or `None`: the riepilogo always shows the generic note anyway.
    async fn fee_estimate(&self, amount_cents: i64, mode: PaymentMode) -> Option<FeeView> {
        let mode = match mode {
            PaymentMode::Online => "online",
            PaymentMode::Avviso => "avviso",
        };
        let amount = amount_cents.to_string();
        let query = [("amount_cents", amount.as_str()), ("mode", mode)];
        match self
            .session
            .get::<FeeEstimate>("api/v1/fees", &query, None)
            .await
        {
            Ok(Fetched::Fresh { value, .. }) if value.fee_cents >= 0 => Some(FeeView {
                fee_cents: value.fee_cents,
                fee_display: self.session.lang().amount(value.fee_cents),
                note: value.note,
            }),
            _ => None,
        }
    }

    pub(super) async fn catalog(&self) -> Result<(EnteDocument, Account), RicaricaError> {
        if let (Some(ente), Some(account)) = (self.session.ente()?, self.session.account()?) {
            return Ok((ente, account));
        }
        match self.session.refresh().await {
            Ok(_) => {}
            Err(error) if is_offline(&error) => return Err(RicaricaError::CatalogMissing),
            Err(error) => return Err(error.into()),
        }
        match (self.session.ente()?, self.session.account()?) {
            (Some(ente), Some(account)) => Ok((ente, account)),
            _ => Err(RicaricaError::CatalogMissing),
        }
    }
}

/// The child of the account, if enrolled in the service: checked when an item is added, at the
/// riepilogo and at PROSEGUI, so a cart can never hold a service the child does not attend.
pub(super) fn enrolled_child<'a>(
    account: &'a Account,
    child_id: &str,
    service_code: &str,
) -> Result<&'a crate::api::dto::Child, RicaricaError> {
    let child = account
        .children
        .iter()
        .find(|c| c.id == child_id)
        .ok_or_else(|| RicaricaError::UnknownChild {
            child_id: child_id.to_owned(),
        })?;
    if !child.services.iter().any(|s| s == service_code) {
        return Err(RicaricaError::NotEnrolled {
            child_id: child_id.to_owned(),
            service_code: service_code.to_owned(),
        });
    }
    Ok(child)
}

fn is_offline(error: &api::Error) -> bool {
    matches!(
        error.kind(),
        api::ErrorKind::Offline | api::ErrorKind::Timeout | api::ErrorKind::Server { .. }
    )
}
