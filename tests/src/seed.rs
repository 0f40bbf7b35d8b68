//! The reference family: Maria Rossi and her three children, and a school year of movements
//! from September to the configured "today". Deterministic: same config, same world.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};

use crate::notice;
use crate::wire::{
    Account, Avviso, AvvisoStatus, Child, EnteConfig, Movement, MovementKind, Parent, Receipt,
    ServiceInfo, ServiceKind, SupportOffice,
};
use crate::world::{Credit, DemoCredentials, NoticeRecord, NoticeState, World, REFEZIONE};

pub const FISCAL_CODE: &str = "80012340065";
pub const CBILL_CODE: &str = "AB1C2";
pub const SCUOLABUS: &str = "scuolabus";
pub const ASILO_NIDO: &str = "asilo_nido";
pub const DEMO_USERNAME: &str = "maria.rossi";
pub const DEMO_PASSWORD: &str = "Refezione-2026";
pub const PARENT_ID: &str = "gen-0001";

const FIRST_SCHOOL_DAY: (i32, u32, u32) = (2026, 9, 14);
const NIDO_MONTHLY_FEE_CENTS: i64 = 23_000;
const SCUOLABUS_MONTHLY_CENTS: i64 = 3_500;

fn service(code: &str, label: &str, kind: ServiceKind, min: i64, max: i64) -> ServiceInfo {
    ServiceInfo {
        code: code.to_string(),
        label: label.to_string(),
        kind,
        presets_cents: vec![1_000, 2_000, 5_000, 10_000],
        min_cents: min,
        max_cents: max,
    }
}

pub fn ente() -> EnteConfig {
    EnteConfig {
        name: "Comune di Valenza (sandbox)".to_string(),
        fiscal_code: FISCAL_CODE.to_string(),
        cbill_code: CBILL_CODE.to_string(),
        services: vec![
            service(
                REFEZIONE,
                "Refezione buono pasto",
                ServiceKind::PrepaidCredit,
                1,
                50_000,
            ),
            service(
                "refezione_retta",
                "Refezione retta annuale",
                ServiceKind::Fee,
                1,
                100_000,
            ),
            service(
                SCUOLABUS,
                "Scuolabus",
                ServiceKind::PrepaidCredit,
                1,
                50_000,
            ),
            service(ASILO_NIDO, "Asilo nido", ServiceKind::Fee, 1, 200_000),
            service(
                "pre_post_scuola",
                "Pre e post scuola",
                ServiceKind::PrepaidCredit,
                1,
                30_000,
            ),
        ],
        support_office: SupportOffice {
            name: "Ufficio Servizi Scolastici".to_string(),
            phones: vec!["0131 949 111".to_string(), "0131 949 286".to_string()],
            email: "servizi.scolastici@comune.valenza.example.it".to_string(),
            hours: "lun-ven 9:00-12:30, gio anche 14:30-16:30".to_string(),
        },
        registration_delay_hours: 24,
        low_credit_meals: 3,
    }
}

fn child(
    id: &str,
    first: &str,
    school: &str,
    class: &str,
    band: &str,
    meal: i64,
    services: &[&str],
) -> Child {
    Child {
        id: id.to_string(),
        first_name: first.to_string(),
        last_name: "Rossi".to_string(),
        school: school.to_string(),
        class_name: class.to_string(),
        tariff_band: band.to_string(),
        meal_price_cents: Some(meal),
        services: services.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn account() -> Account {
    Account {
        parent: Parent {
            id: PARENT_ID.to_string(),
            first_name: "Maria".to_string(),
            last_name: "Rossi".to_string(),
            email: "maria.rossi@example.it".to_string(),
        },
        children: vec![
            // Tariff band → meal price: A € 2,50, B € 4,10, C € 5,20.
            child(
                "alu-0001",
                "Giulia",
                "Scuola Primaria \"G. Carducci\"",
                "4ª B",
                "B",
                410,
                &[REFEZIONE, SCUOLABUS],
            ),
            child(
                "alu-0002",
                "Luca",
                "Scuola Primaria \"G. Carducci\"",
                "1ª A",
                "C",
                520,
                &[REFEZIONE],
            ),
            child(
                "alu-0003",
                "Sofia",
                "Asilo Nido \"Arcobaleno\"",
                "Sezione Piccoli",
                "A",
                250,
                &[REFEZIONE, ASILO_NIDO],
            ),
        ],
    }
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, minute, 0)
        .unwrap_or_default()
        .and_utc()
}

fn italian_date(day: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", day.day(), day.month(), day.year())
}

const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

fn month_name(day: NaiveDate) -> &'static str {
    MONTHS.get(day.month0() as usize).copied().unwrap_or("")
}

/// How a child's refezione credit is kept up: top up `amount` when below `threshold`, until `stop`.
struct TopUpHabit {
    child_id: &'static str,
    threshold: i64,
    amount: i64,
    stop: NaiveDate,
    /// Every n-th school day the child is absent (no meal charged).
    absent_every: usize,
}

struct Builder {
    movements: Vec<Movement>,
    balances: BTreeMap<(String, String), i64>,
    notices: BTreeMap<String, NoticeRecord>,
    receipts: Vec<Receipt>,
    serial: u64,
}

impl Builder {
    fn movement(
        &mut self,
        child: &str,
        service: &str,
        kind: MovementKind,
        cents: i64,
        when: DateTime<Utc>,
        text: String,
    ) {
        *self
            .balances
            .entry((child.to_string(), service.to_string()))
            .or_insert(0) += cents;
        self.movements.push(Movement {
            id: String::new(),
            child_id: child.to_string(),
            service_code: service.to_string(),
            kind,
            amount_cents: cents,
            occurred_at: when,
            description: text,
        });
    }

    /// A top-up paid through pagoPA: a paid notice, its receipt and the credit movement.
    fn paid_top_up(
        &mut self,
        child: &str,
        service: &str,
        cents: i64,
        when: DateTime<Utc>,
        text: &str,
    ) {
        self.serial += 1;
        let nav = notice::nav_for_serial(self.serial);
        self.movement(
            child,
            service,
            MovementKind::TopUp,
            cents,
            when,
            format!("{text}, avviso {nav}"),
        );
        let paid_at = when - TimeDelta::hours(20);
        self.notices.insert(
            nav.clone(),
            NoticeRecord {
                nav: nav.clone(),
                amount_cents: cents,
                description: text.to_string(),
                credits: vec![Credit {
                    child_id: child.to_string(),
                    service_code: service.to_string(),
                    amount_cents: cents,
                }],
                ricarica_id: None,
                avviso_id: None,
                state: NoticeState::Paid { at: paid_at },
                registration_due: Some(when),
                registered: true,
            },
        );
        self.receipts.push(Receipt {
            id: format!("ric-seed-{:04}", self.serial),
            notice_number: nav,
            fiscal_code: FISCAL_CODE.to_string(),
            amount_cents: cents,
            description: text.to_string(),
            paid_at,
            registered_at: when,
            ricarica_id: None,
            child_id: Some(child.to_string()),
            service_code: Some(service.to_string()),
        });
    }
}

fn school_days(from: NaiveDate, until_excluded: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d < until_excluded)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

pub fn world(today: NaiveDate) -> World {
    let ente = ente();
    let account = account();
    let mut b = Builder {
        movements: Vec::new(),
        balances: BTreeMap::new(),
        notices: BTreeMap::new(),
        receipts: Vec::new(),
        serial: 0,
    };
    let start = NaiveDate::from_ymd_opt(FIRST_SCHOOL_DAY.0, FIRST_SCHOOL_DAY.1, FIRST_SCHOOL_DAY.2)
        .unwrap_or(today);
    let days = school_days(start, today);
    let late_november = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or(today);

    let habits = [
        TopUpHabit {
            child_id: "alu-0001",
            threshold: 1_000,
            amount: 5_000,
            stop: today,
            absent_every: 17,
        },
        // Luca's parents stopped topping up: his refezione ends with one meal left (low credit).
        TopUpHabit {
            child_id: "alu-0002",
            threshold: 600,
            amount: 2_000,
            stop: late_november,
            absent_every: 9,
        },
        TopUpHabit {
            child_id: "alu-0003",
            threshold: 500,
            amount: 5_000,
            stop: today,
            absent_every: 11,
        },
    ];
    for habit in &habits {
        let price = account
            .children
            .iter()
            .find(|c| c.id == habit.child_id)
            .and_then(|c| c.meal_price_cents)
            .unwrap_or(0);
        for (index, day) in days.iter().enumerate() {
            let key = (habit.child_id.to_string(), REFEZIONE.to_string());
            let balance = b.balances.get(&key).copied().unwrap_or(0);
            if balance < habit.threshold && *day < habit.stop {
                b.paid_top_up(
                    habit.child_id,
                    REFEZIONE,
                    habit.amount,
                    at(*day, 6, 15),
                    "Ricarica refezione",
                );
            }
            if (index + 1) % habit.absent_every == 0 {
                continue;
            }
            b.movement(
                habit.child_id,
                REFEZIONE,
                MovementKind::Meal,
                -price,
                at(*day, 10, 30),
                format!("Pasto del {}", italian_date(*day)),
            );
        }
    }

    // Scuolabus: a monthly quota charged on the first school day of the month.
    b.paid_top_up(
        "alu-0001",
        SCUOLABUS,
        12_000,
        at(start - TimeDelta::days(5), 8, 0),
        "Ricarica scuolabus",
    );
    let mut last_month = 0;
    for day in &days {
        if day.month() != last_month {
            last_month = day.month();
            b.movement(
                "alu-0001",
                SCUOLABUS,
                MovementKind::Adjustment,
                -SCUOLABUS_MONTHLY_CENTS,
                at(*day, 7, 0),
                format!("Quota scuolabus {} {}", month_name(*day), day.year()),
            );
        }
    }

    // Asilo nido: the monthly fee is charged on the 1st, paid by avviso; November is still due.
    let mut month = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or(today);
    let mut unpaid_month = None;
    while month <= today {
        b.movement(
            "alu-0003",
            ASILO_NIDO,
            MovementKind::Adjustment,
            -NIDO_MONTHLY_FEE_CENTS,
            at(month, 5, 0),
            format!("Retta asilo nido {} {}", month_name(month), month.year()),
        );
        let paid_on = month + TimeDelta::days(11);
        if paid_on < today && month.month() != today.month() {
            b.paid_top_up(
                "alu-0003",
                ASILO_NIDO,
                NIDO_MONTHLY_FEE_CENTS,
                at(paid_on, 9, 0),
                &format!("Pagamento retta asilo nido {}", month_name(month)),
            );
        } else {
            unpaid_month = Some(month);
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(today + TimeDelta::days(1));
    }

    let mut avvisi = Vec::new();
    if let Some(month) = unpaid_month {
        b.serial += 1;
        let nav = notice::nav_for_serial(b.serial);
        let description = format!(
            "Retta asilo nido {} {} - Sofia Rossi",
            month_name(month),
            month.year()
        );
        let avviso_id = "avv-seed-0001".to_string();
        b.notices.insert(
            nav.clone(),
            NoticeRecord {
                nav: nav.clone(),
                amount_cents: NIDO_MONTHLY_FEE_CENTS,
                description: description.clone(),
                credits: vec![Credit {
                    child_id: "alu-0003".to_string(),
                    service_code: ASILO_NIDO.to_string(),
                    amount_cents: NIDO_MONTHLY_FEE_CENTS,
                }],
                ricarica_id: None,
                avviso_id: Some(avviso_id.clone()),
                state: NoticeState::Payable,
                registration_due: None,
                registered: false,
            },
        );
        avvisi.push(Avviso {
            id: avviso_id,
            notice_number: nav.clone(),
            fiscal_code: FISCAL_CODE.to_string(),
            amount_cents: NIDO_MONTHLY_FEE_CENTS,
            due_date: NaiveDate::from_ymd_opt(month.year(), month.month(), 30).unwrap_or(today),
            description,
            child_id: Some("alu-0003".to_string()),
            service_code: Some(ASILO_NIDO.to_string()),
            qr_payload: notice::qr_payload(&nav, FISCAL_CODE, NIDO_MONTHLY_FEE_CENTS),
            cbill_code: CBILL_CODE.to_string(),
            status: AvvisoStatus::DaPagare,
            ricarica_id: None,
        });
    }

    b.movements.sort_by(|x, y| {
        (x.occurred_at, &x.child_id, &x.service_code).cmp(&(
            y.occurred_at,
            &y.child_id,
            &y.service_code,
        ))
    });
    for (index, movement) in b.movements.iter_mut().enumerate() {
        movement.id = format!("mov-seed-{:05}", index + 1);
    }
    b.receipts.sort_by_key(|r| r.registered_at);
    let changed_at = b
        .movements
        .last()
        .map(|m| m.occurred_at)
        .unwrap_or_else(|| at(today, 0, 0));
    let credentials = DemoCredentials {
        username: DEMO_USERNAME.to_string(),
        password: DEMO_PASSWORD.to_string(),
    };
    World::new(
        ente,
        account,
        credentials,
        b.balances,
        changed_at,
        b.movements,
        avvisi,
        b.receipts,
        b.notices,
        b.serial + 1000,
    )
}

/// `count` movements of earlier school years, before the seeded one, for the benchmarks' larger
/// caches: each child's meals and the top-ups that paid for them, netting to zero so that the
/// current balances stay the sums of the movements. Oldest first, ids `mov-hist-…`.
pub fn past_years(account: &Account, count: usize) -> Vec<Movement> {
    let eaters: Vec<(&str, i64)> = account
        .children
        .iter()
        .filter_map(|c| Some((c.id.as_str(), c.meal_price_cents?)))
        .collect();
    if eaters.is_empty() || count == 0 {
        return Vec::new();
    }
    let first_day = NaiveDate::from_ymd_opt(2015, 9, 14).unwrap_or_default();
    let mut owed: BTreeMap<&str, i64> = BTreeMap::new();
    let mut movements = Vec::with_capacity(count);
    let push = |movements: &mut Vec<Movement>, child: &str, kind, cents, when, text: &str| {
        movements.push(Movement {
            id: format!("mov-hist-{:06}", movements.len() + 1),
            child_id: child.to_string(),
            service_code: REFEZIONE.to_string(),
            kind,
            amount_cents: cents,
            occurred_at: when,
            description: text.to_string(),
        })
    };
    let mut day = first_day;
    'days: while movements.len() < count {
        if day.weekday().number_from_monday() <= 5 {
            for &(child, price) in &eaters {
                let due = owed.get(child).copied().unwrap_or(0);
                if due >= price * 9 {
                    push(
                        &mut movements,
                        child,
                        MovementKind::TopUp,
                        due,
                        at(day, 8, 0),
                        "Ricarica pagoPA",
                    );
                    owed.insert(child, 0);
                } else {
                    // Room must stay for the top-ups that settle every child at the end.
                    let owing = owed.values().filter(|d| **d > 0).count() + usize::from(due == 0);
                    if movements.len() + 1 + owing > count {
                        break 'days;
                    }
                    push(
                        &mut movements,
                        child,
                        MovementKind::Meal,
                        -price,
                        at(day, 12, 0),
                        "Pasto consumato",
                    );
                    owed.insert(child, due + price);
                }
                if movements.len() == count {
                    break 'days;
                }
            }
        }
        day += TimeDelta::days(1);
    }
    for (child, due) in owed.into_iter().filter(|(_, due)| *due > 0) {
        push(
            &mut movements,
            child,
            MovementKind::TopUp,
            due,
            at(day, 8, 0),
            "Ricarica pagoPA",
        );
    }
    while movements.len() < count {
        let child = eaters[0].0;
        push(
            &mut movements,
            child,
            MovementKind::Adjustment,
            0,
            at(day, 9, 0),
            "Rettifica",
        );
    }
    movements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded() -> World {
        world(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
    }

    #[test]
    fn past_years_come_before_the_seeded_year_and_net_to_zero() {
        let w = seeded();
        let history = past_years(&w.account, 1_001);
        assert_eq!(history.len(), 1_001);
        assert_eq!(history.iter().map(|m| m.amount_cents).sum::<i64>(), 0);
        let first_seeded = w.movements.first().unwrap().occurred_at;
        assert!(history.iter().all(|m| m.occurred_at < first_seeded));
        let ids: std::collections::BTreeSet<_> = history.iter().map(|m| &m.id).collect();
        assert_eq!(ids.len(), history.len());
    }

    #[test]
    fn balances_are_the_sum_of_the_movements() {
        let w = seeded();
        for ((child, service), cents) in &w.balances {
            let sum: i64 = w
                .movements
                .iter()
                .filter(|m| &m.child_id == child && &m.service_code == service)
                .map(|m| m.amount_cents)
                .sum();
            assert_eq!(sum, *cents, "{child} {service}");
        }
    }

    #[test]
    fn the_family_has_a_debt_an_avviso_and_a_year_of_movements() {
        let w = seeded();
        let nido = w.balances[&("alu-0003".to_string(), ASILO_NIDO.to_string())];
        assert_eq!(nido, -NIDO_MONTHLY_FEE_CENTS);
        assert_eq!(w.avvisi.len(), 1);
        assert!(notice::is_valid_nav(&w.avvisi[0].notice_number));
        assert!(w.movements.len() > 100, "{}", w.movements.len());
        let first = w.movements.first().unwrap().occurred_at.date_naive();
        let last = w.movements.last().unwrap().occurred_at.date_naive();
        assert_eq!(first.month(), 9);
        assert_eq!(last, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
        assert!(w
            .receipts
            .iter()
            .all(|r| notice::is_valid_nav(&r.notice_number)));
    }

    #[test]
    fn the_same_day_seeds_the_same_world() {
        let (a, b) = (seeded(), seeded());
        assert_eq!(a.movements, b.movements);
        assert_eq!(a.balances, b.balances);
    }
}
