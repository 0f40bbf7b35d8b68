//! The Saldo screen: per child and service, the balance (negative = debt), the meal price, the
//! meals it still pays for, a low-credit flag, and the last movements — computed from the cache.

use chrono::{DateTime, Utc};

use crate::api::dto::{Account, Balances, EnteDocument, Movement, MovementKind};
use crate::copy::Lang;
use crate::sync::Freshness;

/// Used when the ente does not say at how many meals the credit counts as low.
pub const DEFAULT_LOW_CREDIT_MEALS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaldoView {
    /// e.g. "2026/2027"; `None` before the first sync.
    pub school_year: Option<String>,
    pub children: Vec<ChildSaldo>,
    pub freshness: Freshness,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSaldo {
    pub child_id: String,
    /// First name as the parent knows the child; the id when the account is not cached yet.
    pub name: String,
    pub school: String,
    pub class_name: String,
    pub services: Vec<ServiceSaldo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSaldo {
    pub service_code: String,
    pub service_label: String,
    pub balance_cents: i64,
    /// "€ 12,30" or "-€ 8,20".
    pub balance_display: String,
    pub in_debt: bool,
    pub meal_price_cents: Option<i64>,
    pub meal_price_display: Option<String>,
    pub meals_remaining: Option<u32>,
    /// In debt, or no more meals than the ente's threshold.
    pub low_credit: bool,
    /// Newest first.
    pub movements: Vec<MovementView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementView {
    pub id: String,
    pub kind: MovementKind,
    pub amount_cents: i64,
    pub amount_display: String,
    pub occurred_at: DateTime<Utc>,
    /// "27/11/2026", Europe/Rome.
    pub date_label: String,
    pub description: String,
}

impl MovementView {
    fn of(m: Movement, lang: Lang) -> Self {
        MovementView {
            amount_display: lang.amount(m.amount_cents),
            date_label: lang.date_of(m.occurred_at),
            id: m.id,
            kind: m.kind,
            amount_cents: m.amount_cents,
            occurred_at: m.occurred_at,
            description: m.description,
        }
    }
}

/// Builds the view from what the cache holds; any part may be missing before the first sync.
pub fn build_saldo(
    account: Option<&Account>,
    balances: Option<&Balances>,
    ente: Option<&EnteDocument>,
    mut movements_of: impl FnMut(&str, &str) -> Vec<Movement>,
    freshness: Freshness,
    lang: Lang,
) -> SaldoView {
    let threshold = ente.map_or(DEFAULT_LOW_CREDIT_MEALS, |e| e.low_credit_meals);
    let service_label = |code: &str| {
        ente.and_then(|e| e.services.iter().find(|s| s.code == code))
            .map_or_else(
                || code.to_owned(),
                |s| lang.service_label(code, &s.label).into_owned(),
            )
    };
    let mut children: Vec<ChildSaldo> = account
        .map(|a| {
            a.children
                .iter()
                .map(|c| ChildSaldo {
                    child_id: c.id.clone(),
                    name: c.first_name.clone(),
                    school: c.school.clone(),
                    class_name: c.class_name.clone(),
                    services: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    for balance in balances.map(|b| b.balances.as_slice()).unwrap_or_default() {
        let meal_price = balance.meal_price_cents.or_else(|| {
            account
                .and_then(|a| a.children.iter().find(|c| c.id == balance.child_id))
                .and_then(|c| c.meal_price_cents)
                .filter(|_| balance.service_code == "refezione")
        });
        let meals_remaining = balance
            .meals_remaining
            .or_else(|| meal_price.map(|price| meals_paid_by(balance.balance_cents, price)));
        let in_debt = balance.balance_cents < 0;
        let saldo = ServiceSaldo {
            service_code: balance.service_code.clone(),
            service_label: service_label(&balance.service_code),
            balance_cents: balance.balance_cents,
            balance_display: lang.amount(balance.balance_cents),
            in_debt,
            meal_price_cents: meal_price,
            meal_price_display: meal_price.map(|cents| lang.amount(cents)),
            meals_remaining,
            low_credit: in_debt || meals_remaining.is_some_and(|m| m <= threshold),
            movements: movements_of(&balance.child_id, &balance.service_code)
                .into_iter()
                .map(|m| MovementView::of(m, lang))
                .collect(),
        };
        match children.iter_mut().find(|c| c.child_id == balance.child_id) {
            Some(child) => child.services.push(saldo),
            None => children.push(ChildSaldo {
                child_id: balance.child_id.clone(),
                name: balance.child_id.clone(),
                school: String::new(),
                class_name: String::new(),
                services: vec![saldo],
            }),
        }
    }
    SaldoView {
        school_year: balances.map(|b| b.school_year.clone()),
        children,
        freshness,
    }
}

/// Whole meals a balance pays for; none when in debt or the price is not positive.
fn meals_paid_by(balance_cents: i64, meal_price_cents: i64) -> u32 {
    if balance_cents <= 0 || meal_price_cents <= 0 {
        return 0;
    }
    u32::try_from(balance_cents / meal_price_cents).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dto::{Balance, Child, Parent, ServiceInfo, ServiceKind, SupportOffice};

    fn account() -> Account {
        Account {
            parent: Parent {
                id: "p1".into(),
                first_name: "Maria".into(),
                last_name: "Rossi".into(),
                email: "maria.rossi@example.it".into(),
            },
            children: vec![Child {
                id: "c1".into(),
                first_name: "Luca".into(),
                last_name: "Rossi".into(),
                school: "Primaria Carducci".into(),
                class_name: "3A".into(),
                tariff_band: "B".into(),
                meal_price_cents: Some(410),
                services: vec!["refezione".into(), "scuolabus".into()],
            }],
        }
    }

    fn ente(low: u32) -> EnteDocument {
        EnteDocument {
            name: "Comune di Valenza".into(),
            fiscal_code: "00000000201".into(),
            cbill_code: "A1B2C".into(),
            services: vec![ServiceInfo {
                code: "refezione".into(),
                label: "Refezione buono pasto".into(),
                kind: ServiceKind::PrepaidCredit,
                presets_cents: vec![1000],
                min_cents: 500,
                max_cents: 50000,
            }],
            support_office: SupportOffice {
                name: "Ufficio Servizi Educativi".into(),
                phones: vec![],
                email: "x@example.it".into(),
                hours: "8,30-13,30".into(),
            },
            registration_delay_hours: 24,
            low_credit_meals: low,
        }
    }

    fn balances(refezione: i64, scuolabus: i64) -> Balances {
        Balances {
            school_year: "2026/2027".into(),
            computed_at: Utc::now(),
            balances: vec![
                Balance {
                    child_id: "c1".into(),
                    service_code: "refezione".into(),
                    school_year: "2026/2027".into(),
                    balance_cents: refezione,
                    meal_price_cents: None,
                    meals_remaining: None,
                },
                Balance {
                    child_id: "c1".into(),
                    service_code: "scuolabus".into(),
                    school_year: "2026/2027".into(),
                    balance_cents: scuolabus,
                    meal_price_cents: None,
                    meals_remaining: None,
                },
            ],
        }
    }

    fn view(refezione: i64, scuolabus: i64, low: u32) -> SaldoView {
        build_saldo(
            Some(&account()),
            Some(&balances(refezione, scuolabus)),
            Some(&ente(low)),
            |_, _| Vec::new(),
            Freshness::never_fetched(),
            Lang::It,
        )
    }

    #[test]
    fn meals_remaining_come_from_the_childs_tariff_and_flag_low_credit_at_the_threshold() {
        let saldo = view(1640, 3000, 3);
        let refezione = &saldo.children[0].services[0];
        assert_eq!(refezione.service_label, "Refezione buono pasto");
        assert_eq!(refezione.meal_price_display.as_deref(), Some("€ 4,10"));
        assert_eq!(refezione.meals_remaining, Some(4));
        assert!(!refezione.low_credit);
        let at_threshold = &view(1230, 3000, 3).children[0].services[0];
        assert_eq!(at_threshold.meals_remaining, Some(3));
        assert!(at_threshold.low_credit);
        assert!(!view(1230, 3000, 2).children[0].services[0].low_credit);
    }

    #[test]
    fn a_negative_balance_is_debt_with_no_meals_left() {
        let saldo = view(-820, -1500, 3);
        let refezione = &saldo.children[0].services[0];
        assert!(refezione.in_debt && refezione.low_credit);
        assert_eq!(refezione.meals_remaining, Some(0));
        assert_eq!(refezione.balance_display, "-€ 8,20");
        let scuolabus = &saldo.children[0].services[1];
        assert_eq!(scuolabus.meals_remaining, None);
        assert_eq!(scuolabus.service_label, "scuolabus");
        assert!(scuolabus.in_debt);
    }

    #[test]
    fn before_the_first_sync_the_view_is_empty_not_an_error() {
        let saldo = build_saldo(
            None,
            None,
            None,
            |_, _| Vec::new(),
            Freshness::never_fetched(),
            Lang::It,
        );
        assert!(saldo.children.is_empty());
        assert!(saldo.freshness.stale);
    }
}
