//! `make demo` as a parent would watch it: the demo binary runs as a real process on its embedded
//! sandbox; once on its own (the checkout form submitted by its HTTP stand-in), once with
//! `--interactive` and headless Chromium as the person who pays in a browser.

mod browser_support;

use std::process::Stdio;
use std::time::Duration;

use browser_support::Browser;
use comunicapp_core::money::Amount;
use comunicapp_core::pagopa::{parse_payment_qr, NoticeNumber};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use url::Url;

const DEMO: &str = env!("CARGO_BIN_EXE_demo");

fn line_after<'a>(output: &'a str, label: &str) -> &'a str {
    output
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no line «{label}» in the demo's output:\n{output}"))
}

/// The parts every run must show, checked against each other rather than against fixed numbers.
fn check_story(output: &str) {
    assert!(
        output.contains("➜ Sandbox (sviluppo)"),
        "the comune is chosen"
    );
    assert!(
        output.contains("Dati aggiornati al "),
        "the Saldo says how fresh it is"
    );
    assert!(output.contains("⚠ credito basso") || output.contains("⚠ A DEBITO"));
    assert!(output.contains("Pagamento ricevuto: la ricarica sarà registrata entro 24 ore"));
    assert!(output.contains("Il ritorno da questo pagamento è già stato gestito"));

    // "Ricarica registrata: saldo refezione di Giulia € 36,80 → € 56,80": exactly € 20 more.
    let change = line_after(output, "Ricarica registrata: saldo refezione di Giulia");
    let (before, after) = change.split_once('→').expect("before → after");
    let before = Amount::parse_it(before.trim()).expect("an amount before");
    let after = Amount::parse_it(after.trim()).expect("an amount after");
    assert_eq!(after.cents() - before.cents(), 2_000, "{change}");

    // Two children in one checkout: one total, registered.
    assert!(output.contains("Totale Pagamento: € 30,00"));
    assert!(output.contains("(€ 30,00): Ricarica registrata"));

    // The avviso: code in groups of 4, consistent with the QR payload and the amount shown.
    let grouped = line_after(output, "Codice avviso:");
    assert!(
        grouped.split(' ').take(4).all(|group| group.len() == 4),
        "{grouped}"
    );
    let nav = NoticeNumber::parse(&grouped.replace(' ', "")).expect("a valid notice number");
    let qr = parse_payment_qr(line_after(output, "QR pagoPA:")).expect("a valid QR payload");
    assert_eq!(qr.notice_number, nav);
    assert_eq!(qr.fiscal_code.as_str(), line_after(output, "CF ente:"));
    let importo = Amount::parse_it(line_after(output, "Importo:")).expect("importo");
    assert_eq!(importo.cents(), qr.amount_cents);
    assert!(
        output.lines().filter(|l| l.contains('█')).count() > 10,
        "the QR is drawn"
    );
    assert!(output.contains("Tabaccherie Sisal, Lottomatica"));

    // Pagamenti lists the new avviso to pay and the receipts of the online top-ups.
    let (_, pagamenti) = output
        .rsplit_once("━━━ Pagamenti")
        .expect("the Pagamenti screen");
    let (avvisi, receipts) = pagamenti
        .split_once("Pagamenti effettuati")
        .expect("avvisi, then receipts");
    assert!(avvisi.contains("Avvisi Pagamento da Pagare"));
    assert!(avvisi.contains(grouped), "the new avviso is listed to pay");
    assert!(receipts.contains("Ricarica Refezione buono pasto - Giulia Rossi"));
    assert!(receipts.contains("Ricarica Refezione buono pasto - Luca Rossi"));
    assert!(output.contains("Demo completata in "));
}

#[tokio::test]
// Its 30-second budget is measured by `make bench`, not here: a timed test fails on a busy machine.
async fn make_demo_racconta_saldo_ricariche_e_avviso() {
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        Command::new(DEMO).kill_on_drop(true).output(),
    )
    .await
    .expect("the demo ends")
    .expect("the demo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    check_story(&stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_interattiva_pagata_da_una_persona_in_chromium() {
    let browser = Browser::launch().await;
    let mut demo = Command::new(DEMO)
        .args(["--interactive", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the demo starts");
    let stdout = demo.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut output = String::new();
    let mut paid = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while let Some(line) = tokio::time::timeout_at(deadline, lines.next_line())
        .await
        .expect("the demo keeps talking")
        .expect("stdout readable")
    {
        output.push_str(&line);
        output.push('\n');
        // The demo waits here for a person: Chromium opens the address and presses «Paga».
        if let Some(address) = line.trim_start().strip_prefix("Checkout pagoPA: ") {
            let checkout = Url::parse(address.trim()).expect("a checkout URL");
            browser.open(&checkout).await;
            assert_eq!(browser.text("#status").await, "Da pagare");
            browser.click("#pay").await;
            // Chromium follows pagoPA's redirect to the demo's own return page.
            let landed = browser
                .wait_for_url("the demo's return page", |url| {
                    url.path().starts_with("/pagopa/return/")
                })
                .await;
            assert_eq!(landed.path(), "/pagopa/return/ok");
            assert_eq!(browser.text("h1").await, "Ritorno all'app");
            paid += 1;
        }
    }
    let status = tokio::time::timeout_at(deadline, demo.wait())
        .await
        .expect("the demo ends")
        .expect("exit status");
    assert!(status.success(), "demo failed:\n{output}");
    assert_eq!(paid, 2, "two checkouts paid in the browser");
    assert!(output.contains("➜ Apri nel browser e paga"));
    check_story(&output);
    browser.close().await;
}
