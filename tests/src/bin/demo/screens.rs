//! The app's screens as terminal text: what the Android and iOS views show, from the same views
//! the core computes for them.

use std::fmt::Write;

use comunicapp_core::comuni::Comune;
use comunicapp_core::pagamenti::PagamentiView;
use comunicapp_core::ricarica::{AvvisoDetails, Riepilogo};
use comunicapp_core::saldo::SaldoView;
use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;

use crate::error::DemoError;

pub fn title(text: &str) -> String {
    format!(
        "\n━━━ {text} {}",
        "━".repeat(60usize.saturating_sub(text.chars().count()))
    )
}

pub fn comuni(selectable: &[&Comune], chosen: &Comune) -> String {
    let mut out = String::from("Scegli il tuo comune:\n");
    for comune in selectable {
        let mark = if comune.id == chosen.id { "➜" } else { " " };
        let _ = writeln!(out, "  {mark} {} ({})", comune.name, comune.provincia);
    }
    let _ = write!(out, "  portale: {}", chosen.portal_url);
    out
}

/// The home screen: each child's services with balance, meals left and warnings.
pub fn saldo(view: &SaldoView) -> String {
    let mut out = String::new();
    if let Some(year) = &view.school_year {
        let _ = writeln!(out, "Anno scolastico {year}");
    }
    let stale = if view.freshness.stale {
        " (non aggiornati)"
    } else {
        ""
    };
    let _ = writeln!(out, "{}{stale}", view.freshness.label);
    for child in &view.children {
        let _ = writeln!(
            out,
            "\n  {} · {} · {}",
            child.name, child.school, child.class_name
        );
        for service in &child.services {
            let mut notes = Vec::new();
            if let (Some(price), Some(meals)) =
                (&service.meal_price_display, service.meals_remaining)
            {
                let pasti = if meals == 1 { "pasto" } else { "pasti" };
                notes.push(format!("pasto {price}, ancora {meals} {pasti}"));
            }
            if service.in_debt {
                notes.push("⚠ A DEBITO: ricarica per saldare".to_string());
            } else if service.low_credit {
                notes.push("⚠ credito basso".to_string());
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!("  ({})", notes.join(" · "))
            };
            let _ = writeln!(
                out,
                "    {:<26}{:>12}{notes}",
                service.service_label, service.balance_display
            );
        }
    }
    out
}

pub fn balance_of(view: &SaldoView, child_id: &str, service_code: &str) -> Option<i64> {
    view.children
        .iter()
        .find(|c| c.child_id == child_id)?
        .services
        .iter()
        .find(|s| s.service_code == service_code)
        .map(|s| s.balance_cents)
}

/// "Riepilogo Pagamento" as the core lays it out, with INDIETRO / PROSEGUI.
pub fn riepilogo(view: &Riepilogo) -> String {
    let mut out = format!(
        "{}\n  Data: {}   Modalità: {}\n",
        view.title, view.date_label, view.mode_label
    );
    for line in &view.lines {
        let _ = writeln!(
            out,
            "  {:<16}{:<26}{:>12}",
            line.child_name, line.service_label, line.amount_display
        );
    }
    let _ = writeln!(out, "  {}", view.total_label);
    if let Some(fee) = &view.fee {
        let _ = writeln!(out, "  Commissione indicativa: {}", fee.fee_display);
    }
    let _ = write!(
        out,
        "  {}\n  [{}]  [{}] ←",
        view.commission_note, view.back_label, view.proceed_label
    );
    out
}

/// The generated notice: the QR code, the codice avviso in groups of 4 and where to pay.
pub fn avviso(details: &AvvisoDetails, description: &str) -> Result<String, DemoError> {
    let code =
        QrCode::new(details.qr_payload.as_bytes()).map_err(|e| DemoError::Qr(e.to_string()))?;
    // Light modules on dark: most terminals have a dark background, and phone scanners read
    // either way round.
    let drawing = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    let mut out = String::new();
    let _ = writeln!(out, "{drawing}");
    let _ = writeln!(out, "  Causale:        {description}");
    let _ = writeln!(out, "  Codice avviso:  {}", details.notice_number_display);
    let _ = writeln!(out, "  CF ente:        {}", details.fiscal_code);
    let _ = writeln!(out, "  Importo:        {}", details.amount_display);
    let _ = writeln!(out, "  Scadenza:       {}", details.due_date_label);
    let _ = writeln!(out, "  Codice CBILL:   {}", details.cbill_code);
    let _ = writeln!(out, "  QR pagoPA:      {}", details.qr_payload);
    let _ = writeln!(out, "  Dove pagare:");
    for place in &details.where_to_pay {
        let _ = writeln!(out, "    • {place}");
    }
    Ok(out.trim_end().to_string())
}

pub fn pagamenti(view: &PagamentiView) -> String {
    let mut out = format!("{}\n\nAvvisi Pagamento da Pagare\n", view.freshness.label);
    if view.avvisi_da_pagare.is_empty() {
        out.push_str("  nessun avviso da pagare\n");
    }
    for avviso in &view.avvisi_da_pagare {
        let child = avviso
            .child_name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {:>10}  scad. {}  {}{child}",
            avviso.notice_number_display,
            avviso.amount_display,
            avviso.due_date_label,
            avviso.description
        );
    }
    out.push_str("\nPagamenti effettuati (più recenti prima)\n");
    for receipt in view.receipts.iter().take(8) {
        let _ = writeln!(
            out,
            "  {}  {:>10}  {}",
            receipt.paid_at_label, receipt.amount_display, receipt.description
        );
    }
    if view.receipts.len() > 8 {
        let _ = writeln!(out, "  … e altri {}", view.receipts.len() - 8);
    }
    out.trim_end().to_string()
}
