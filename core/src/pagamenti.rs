//! The Pagamenti screen: "Avvisi Pagamento da Pagare" and the history of registered payments.

use chrono::{DateTime, NaiveDate, Utc};

use crate::api::dto::{Account, AvvisiList, AvvisoStatus, ReceiptsList};
use crate::copy::{AvvisoToShare, Lang};
use crate::pagopa::NoticeNumber;
use crate::ricarica::RicaricaView;
use crate::sync::Freshness;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagamentiView {
    /// Due first.
    pub avvisi_da_pagare: Vec<AvvisoView>,
    /// Newest first.
    pub receipts: Vec<ReceiptView>,
    /// "Ricariche in corso": the top-ups not settled yet, oldest first (filled by the app from
    /// the store; empty from the cache alone).
    pub ricariche_in_corso: Vec<RicaricaView>,
    /// "Storico": the settled top-ups, newest first.
    pub storico: Vec<RicaricaView>,
    pub freshness: Freshness,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvvisoView {
    pub id: String,
    pub notice_number: String,
    /// "3222 0115 1398 5741 81"; the digits as received when the portal sent an invalid one.
    pub notice_number_display: String,
    pub fiscal_code: String,
    pub amount_cents: i64,
    pub amount_display: String,
    pub due_date: NaiveDate,
    /// "31/12/2026".
    pub due_date_label: String,
    pub description: String,
    pub child_name: Option<String>,
    pub qr_payload: String,
    pub cbill_code: String,
    /// "Agenzie della banca", … (the sheet's list).
    pub where_to_pay: Vec<String>,
    /// Every field above, labelled, for the share sheet.
    pub share_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptView {
    pub id: String,
    pub notice_number: String,
    pub amount_cents: i64,
    pub amount_display: String,
    pub description: String,
    pub paid_at: DateTime<Utc>,
    pub paid_at_label: String,
    pub ricarica_id: Option<String>,
}

pub fn build_pagamenti(
    avvisi: Option<&AvvisiList>,
    receipts: Option<&ReceiptsList>,
    account: Option<&Account>,
    freshness: Freshness,
    lang: Lang,
) -> PagamentiView {
    let child_name = |id: &Option<String>| {
        let id = id.as_deref()?;
        account
            .and_then(|a| a.children.iter().find(|c| c.id == id))
            .map(|c| c.first_name.clone())
    };
    let mut avvisi_da_pagare: Vec<AvvisoView> = avvisi
        .map(|list| list.avvisi.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|a| a.status == AvvisoStatus::DaPagare)
        .map(|a| {
            let notice_number_display = NoticeNumber::parse(&a.notice_number)
                .map_or_else(|_| a.notice_number.clone(), |n| n.formatted());
            let amount_display = lang.amount(a.amount_cents);
            let due_date_label = lang.date(a.due_date);
            let share_text = lang.avviso_share_text(&AvvisoToShare {
                description: Some(&a.description),
                notice_number_display: &notice_number_display,
                fiscal_code: &a.fiscal_code,
                amount_display: &amount_display,
                due_date_label: &due_date_label,
                cbill_code: &a.cbill_code,
            });
            AvvisoView {
                id: a.id.clone(),
                notice_number_display,
                notice_number: a.notice_number.clone(),
                fiscal_code: a.fiscal_code.clone(),
                amount_cents: a.amount_cents,
                amount_display,
                due_date: a.due_date,
                due_date_label,
                description: a.description.clone(),
                child_name: child_name(&a.child_id),
                qr_payload: a.qr_payload.clone(),
                cbill_code: a.cbill_code.clone(),
                where_to_pay: lang.where_to_pay(),
                share_text,
            }
        })
        .collect();
    avvisi_da_pagare.sort_by(|a, b| a.due_date.cmp(&b.due_date).then(a.id.cmp(&b.id)));
    let mut receipts: Vec<ReceiptView> = receipts
        .map(|list| list.receipts.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|r| ReceiptView {
            id: r.id.clone(),
            notice_number: r.notice_number.clone(),
            amount_cents: r.amount_cents,
            amount_display: lang.amount(r.amount_cents),
            description: r.description.clone(),
            paid_at: r.paid_at,
            paid_at_label: lang.date_of(r.paid_at),
            ricarica_id: r.ricarica_id.clone(),
        })
        .collect();
    receipts.sort_by_key(|r| std::cmp::Reverse(r.paid_at));
    PagamentiView {
        avvisi_da_pagare,
        receipts,
        ricariche_in_corso: Vec::new(),
        storico: Vec::new(),
        freshness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dto::Avviso;

    fn avviso(id: &str, nav: &str, due: &str, status: AvvisoStatus) -> Avviso {
        Avviso {
            id: id.into(),
            notice_number: nav.into(),
            fiscal_code: "00000000201".into(),
            amount_cents: 2000,
            due_date: due.parse().unwrap(),
            description: "Ricarica scuolabus".into(),
            child_id: None,
            service_code: None,
            qr_payload: "PAGOPA|002|...".into(),
            cbill_code: "A1B2C".into(),
            status,
            ricarica_id: None,
        }
    }

    #[test]
    fn only_avvisi_to_pay_are_listed_due_first_with_the_notice_in_groups_of_four() {
        let list = AvvisiList {
            avvisi: vec![
                avviso(
                    "a2",
                    "322201151398574181",
                    "2026-12-31",
                    AvvisoStatus::DaPagare,
                ),
                avviso(
                    "a1",
                    "322201151398574181",
                    "2026-12-15",
                    AvvisoStatus::DaPagare,
                ),
                avviso(
                    "a3",
                    "322201151398574181",
                    "2026-12-01",
                    AvvisoStatus::Pagato,
                ),
                avviso("a4", "12345", "2027-01-01", AvvisoStatus::DaPagare),
            ],
        };
        let view = build_pagamenti(
            Some(&list),
            None,
            None,
            Freshness::never_fetched(),
            Lang::It,
        );
        let ids: Vec<&str> = view
            .avvisi_da_pagare
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, ["a1", "a2", "a4"]);
        assert_eq!(
            view.avvisi_da_pagare[0].notice_number_display,
            "3222 0115 1398 5741 81"
        );
        assert_eq!(view.avvisi_da_pagare[0].due_date_label, "15/12/2026");
        assert_eq!(view.avvisi_da_pagare[0].amount_display, "€ 20,00");
        assert_eq!(view.avvisi_da_pagare[2].notice_number_display, "12345");
    }
}
