//! The bad-input corpus (`tests/corpus/`, its format in `tests/corpus/README.md`): every input
//! through the core's real public entry point, each with the exact message key it must get, and
//! nothing stored changed by a refused one.
//!
//! Parsers are called directly; return URLs go through a logged-in session's ricarica engine with a
//! real online top-up waiting in the sandbox's checkout; portal bodies are served by the sandbox
//! (fault kind `body`) and read by `Session::refresh` through the real HTTP client. Every case is
//! checked and every wrong one reported, in one list, at the end.

mod ricarica_support;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use comunicapp_core::api::ErrorKind;
use comunicapp_core::catalog::EnteConfig;
use comunicapp_core::email::Email;
use comunicapp_core::money::Amount;
use comunicapp_core::pagamenti::{AvvisoView, ReceiptView};
use comunicapp_core::pagopa::{
    parse_payment_qr, parse_poste_datamatrix, qr_matrix, validate_rf_reference, EnteFiscalCode,
    NoticeNumber, PagopaError, PaymentNotice, RfReference,
};
use comunicapp_core::ricarica::{
    PaymentMode, PollPolicy, ReturnUrlStyle, RicaricaConfig, RicaricaEngine, RicaricaStep,
    RicaricaView,
};
use comunicapp_core::saldo::ChildSaldo;
use comunicapp_core::sync::Session;
use comunicapp_sandbox::{SandboxHandle, REFEZIONE, SCUOLABUS};
use futures_util::FutureExt;
use ricarica_support::{open_with, order, quick_options, App, DataDir};
use serde_json::json;

/// Cases the core does not handle as the corpus says yet: `(file, input as written in the file)`,
/// the `name` for `portal_json.tsv`. B1…B6 are the lead's requests (`/tmp/core-requests.md`). A listed case
/// that starts passing fails the test ("remove it from KNOWN_GAPS"), so the list only shrinks.
const KNOWN_GAPS: &[(&str, &str)] = &[];

const GIULIA: &str = "alu-0001";

/// One parser's check of one corpus line.
type Check = fn(&Case) -> Checked;

/// Enough for every retry of a refresh (and the 200 pages of `movements.endless_pages`); the
/// rule is cleared after each case anyway.
const FAULT_COUNT: u32 = 250;

#[test]
fn ogni_input_sbagliato_ha_il_suo_errore_tipizzato_e_non_cambia_nulla() {
    let started = Instant::now();
    let corpus = Corpus::load();
    let mut results = Vec::new();
    let checks: [(&str, Check); 7] = [
        ("amounts.tsv", check_amount),
        ("emails.tsv", check_email),
        ("notices.tsv", check_notice),
        ("fiscal_codes.tsv", check_fiscal_code),
        ("qr.tsv", check_qr),
        ("datamatrix.tsv", check_datamatrix),
        ("rf.tsv", check_rf),
    ];
    for (file, check) in checks {
        results.extend(corpus.cases(file).iter().map(check));
    }
    let return_urls = corpus.cases("return_urls.tsv");
    let portal = corpus.cases("portal_json.tsv");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (url_results, portal_results) = runtime
        .block_on(async { tokio::join!(check_return_urls(&return_urls), check_portal(&portal)) });
    results.extend(url_results);
    results.extend(portal_results);

    let report = Report::new(results);
    println!(
        "RELIABILITY\tbad-input\t{}\tinputs, {} kinds, each with its typed error",
        report.checked,
        corpus.files.len()
    );
    println!(
        "bad-input: {} inputs in {:.1} s ({}), {} known gaps",
        report.checked,
        started.elapsed().as_secs_f64(),
        report.per_file(),
        report.known.len()
    );
    for known in &report.known {
        println!("  known gap: {known}");
    }
    report.assert_clean(&corpus);
}

// -------------------------------------------------------------------------------------------
// The corpus
// -------------------------------------------------------------------------------------------

const FILES: [&str; 9] = [
    "amounts.tsv",
    "emails.tsv",
    "notices.tsv",
    "fiscal_codes.tsv",
    "qr.tsv",
    "datamatrix.tsv",
    "rf.tsv",
    "return_urls.tsv",
    "portal_json.tsv",
];

/// One line of a corpus file.
#[derive(Debug, Clone)]
struct Case {
    file: &'static str,
    line: usize,
    /// The first field as written (escapes not expanded): how KNOWN_GAPS and reports name it.
    id: String,
    /// The fields as written.
    fields: Vec<String>,
}

impl Case {
    fn field(&self, index: usize) -> &str {
        self.fields.get(index).map(String::as_str).unwrap_or("")
    }

    /// A field with its escapes expanded; a broken escape is a corpus error, reported at load.
    fn text(&self, index: usize) -> String {
        unescape(self.field(index)).unwrap_or_default()
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut id = self.id.clone();
        if id.chars().count() > 120 {
            id = format!(
                "{}… ({} characters)",
                id.chars().take(100).collect::<String>(),
                id.len()
            );
        }
        write!(f, "{}:{} «{}»", self.file, self.line, id)
    }
}

struct Corpus {
    files: BTreeMap<&'static str, Vec<Case>>,
    /// Malformed lines, duplicates, missing files: the corpus itself is wrong.
    errors: Vec<String>,
}

impl Corpus {
    fn load() -> Corpus {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut files = BTreeMap::new();
        let mut errors = Vec::new();
        for file in FILES {
            let text = match std::fs::read_to_string(dir.join(file)) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(format!("{file}: {e}"));
                    continue;
                }
            };
            let mut cases = Vec::new();
            let mut seen = HashSet::new();
            for (index, line) in text.lines().enumerate() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let fields: Vec<String> = line.split('\t').map(str::to_owned).collect();
                let case = Case {
                    file,
                    line: index + 1,
                    id: fields[0].clone(),
                    fields,
                };
                for field in &case.fields {
                    if let Err(e) = unescape(field) {
                        errors.push(format!("{case}: {e}"));
                    }
                }
                if !seen.insert(case.id.clone()) {
                    errors.push(format!("{case}: the same input twice in {file}"));
                }
                cases.push(case);
            }
            files.insert(file, cases);
        }
        Corpus { files, errors }
    }

    /// The cases of `file` that have their fields (the others are reported as corpus errors).
    fn cases(&self, file: &str) -> Vec<Case> {
        let min = Corpus::min_fields(file);
        self.files
            .get(file)
            .map(|cases| {
                cases
                    .iter()
                    .filter(|c| c.fields.len() >= min)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    fn min_fields(file: &str) -> usize {
        match file {
            "amounts.tsv" => 3,
            "portal_json.tsv" => 6,
            _ => 2,
        }
    }

    fn expectation_field(file: &str) -> usize {
        match file {
            "portal_json.tsv" => 5,
            _ => 1,
        }
    }

    fn total(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// Expands the escapes of the README: `\\ \t \n \r \0 \} \u{HEX} \rep{N}{TEXT}`.
fn unescape(text: &str) -> Result<String, String> {
    let (out, _) = unescape_part(text, false)?;
    Ok(out)
}

/// Up to the end of `text`, or inside `\rep` up to the first unescaped `}`; returns what follows.
fn unescape_part(text: &str, in_repeat: bool) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let Some(c) = rest.chars().next() else {
            return if in_repeat {
                Err("\\rep text without its closing }".to_owned())
            } else {
                Ok((out, rest))
            };
        };
        rest = &rest[c.len_utf8()..];
        if in_repeat && c == '}' {
            return Ok((out, rest));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        if let Some(after) = rest.strip_prefix("rep{") {
            let (count, after) = after
                .split_once("}{")
                .ok_or_else(|| "\\rep{N}{TEXT} expected".to_owned())?;
            let count: usize = count
                .parse()
                .map_err(|_| format!("\\rep count «{count}» is not a number"))?;
            let (repeated, after) = unescape_part(after, true)?;
            out.push_str(&repeated.repeat(count));
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix("u{") {
            let (hex, after) = after
                .split_once('}')
                .ok_or_else(|| "\\u{HEX} without its }".to_owned())?;
            let scalar = u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("\\u{{{hex}}} is not a Unicode scalar value"))?;
            out.push(scalar);
            rest = after;
            continue;
        }
        let escaped = rest
            .chars()
            .next()
            .ok_or_else(|| "a backslash at the end".to_owned())?;
        rest = &rest[escaped.len_utf8()..];
        out.push(match escaped {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            '0' => '\0',
            '}' => '}',
            other => return Err(format!("unknown escape \\{other}")),
        });
    }
}

// -------------------------------------------------------------------------------------------
// Expectations and outcomes
// -------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Ok(Option<String>),
    Key(String),
}

impl Expect {
    fn parse(text: &str) -> Expect {
        match text {
            "ok" => Expect::Ok(None),
            _ => match text.strip_prefix("ok=") {
                Some(value) => Expect::Ok(Some(value.to_owned())),
                None => Expect::Key(text.to_owned()),
            },
        }
    }

    fn of(case: &Case) -> Expect {
        Expect::parse(case.field(Corpus::expectation_field(case.file)))
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Ok(None) => f.write_str("ok"),
            Expect::Ok(Some(value)) => write!(f, "ok={value}"),
            Expect::Key(key) => f.write_str(key),
        }
    }
}

/// What the core did with one input.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    /// Accepted; the value read, in the corpus's canonical form.
    Ok(String),
    /// Refused with this message key.
    Key(String),
    Panicked(String),
    /// The test could not run the case (the sandbox refused the fault, …).
    NotRun(String),
}

impl Got {
    fn of<T, E>(
        result: Result<T, E>,
        ok: impl FnOnce(T) -> String,
        key: impl FnOnce(E) -> String,
    ) -> Got {
        match result {
            Ok(value) => Got::Ok(ok(value)),
            Err(error) => Got::Key(key(error)),
        }
    }

    fn matches(&self, expect: &Expect) -> bool {
        match (expect, self) {
            (Expect::Ok(None), Got::Ok(_)) => true,
            (Expect::Ok(Some(want)), Got::Ok(got)) => want == got,
            (Expect::Key(want), Got::Key(got)) => want == got,
            _ => false,
        }
    }
}

impl fmt::Display for Got {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Got::Ok(value) if value.is_empty() => f.write_str("ok"),
            Got::Ok(value) => write!(f, "ok={value}"),
            Got::Key(key) => f.write_str(key),
            Got::Panicked(message) => write!(f, "PANIC: {message}"),
            Got::NotRun(why) => write!(f, "not run: {why}"),
        }
    }
}

struct Checked {
    case: Case,
    expect: Expect,
    got: Got,
    /// Whatever else went wrong: something stored changed, a second entry point disagrees, …
    problems: Vec<String>,
}

impl Checked {
    fn new(case: &Case, got: Got, problems: Vec<String>) -> Checked {
        Checked {
            case: case.clone(),
            expect: Expect::of(case),
            got,
            problems,
        }
    }

    fn passed(&self) -> bool {
        self.got.matches(&self.expect) && self.problems.is_empty()
    }
}

impl fmt::Display for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.case, self.expect, self.got
        )?;
        for problem in &self.problems {
            write!(f, "; {problem}")?;
        }
        if let Some(note) = self
            .case
            .fields
            .last()
            .filter(|_| self.case.fields.len() > 2)
        {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// Runs a parser, turning a panic into an outcome of its own.
fn guarded(run: impl FnOnce() -> Got) -> Got {
    std::panic::catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|panic| Got::Panicked(panic_text(&panic)))
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".to_owned())
}

fn pagopa_key(error: PagopaError) -> String {
    error.message_key().to_owned()
}

fn notice_value(notice: &PaymentNotice) -> String {
    format!(
        "{}|{}|{}",
        notice.notice_number.as_str(),
        notice.fiscal_code.as_str(),
        notice.amount_cents
    )
}

// -------------------------------------------------------------------------------------------
// Parsers
// -------------------------------------------------------------------------------------------

fn check_amount(case: &Case) -> Checked {
    let input = case.text(0);
    let limits = EnteConfig::valenza_example()
        .service(REFEZIONE)
        .map(|service| service.custom_limits);
    let Some(limits) = limits else {
        return Checked::new(
            case,
            Got::NotRun("no refezione in valenza_example".into()),
            vec![],
        );
    };
    let mut problems = Vec::new();
    if (limits.min.cents(), limits.max.cents()) != (500, 50_000) {
        problems.push(format!(
            "amounts.tsv assumes refezione's limits € 5,00 – € 500,00, the catalog says {} – {}",
            limits.min, limits.max
        ));
    }
    let parsed = guarded(|| {
        Got::of(
            Amount::parse_it(&input),
            |a| a.cents().to_string(),
            |e| e.message_key().to_owned(),
        )
    });
    if let Got::Ok(_) = parsed {
        // What the core formats, the core reads back as the same amount.
        if let Ok(amount) = Amount::parse_it(&input) {
            let formatted = amount.format_it();
            if Amount::parse_it(&formatted) != Ok(amount) {
                problems.push(format!("its formatting «{formatted}» does not parse back"));
            }
        }
    }
    let topup_expect = match case.field(2) {
        "=" => Expect::of(case),
        other => Expect::parse(other),
    };
    let topup = guarded(|| {
        Got::of(
            Amount::parse_topup(&input, &limits),
            |a| a.cents().to_string(),
            |e| e.message_key().to_owned(),
        )
    });
    if !topup.matches(&topup_expect) {
        problems.push(format!("parse_topup: expected {topup_expect}, got {topup}"));
    }
    Checked::new(case, parsed, problems)
}

fn check_email(case: &Case) -> Checked {
    let input = case.text(0);
    let got = guarded(|| {
        Got::of(
            Email::parse(&input),
            |e| e.as_str().to_owned(),
            |e| e.message_key().to_owned(),
        )
    });
    Checked::new(case, got, vec![])
}

fn check_notice(case: &Case) -> Checked {
    let input = case.text(0);
    let mut problems = Vec::new();
    let got = guarded(|| {
        Got::of(
            NoticeNumber::parse(&input),
            |n| n.as_str().to_owned(),
            pagopa_key,
        )
    });
    if let Ok(nav) = NoticeNumber::parse(&input) {
        if NoticeNumber::parse(&nav.formatted()).as_ref() != Ok(&nav) {
            problems.push(format!(
                "its display «{}» does not parse back",
                nav.formatted()
            ));
        }
    }
    Checked::new(case, got, problems)
}

fn check_fiscal_code(case: &Case) -> Checked {
    let input = case.text(0);
    let got = guarded(|| {
        Got::of(
            EnteFiscalCode::parse(&input),
            |c| c.as_str().to_owned(),
            pagopa_key,
        )
    });
    Checked::new(case, got, vec![])
}

fn check_qr(case: &Case) -> Checked {
    let input = case.text(0);
    let mut problems = Vec::new();
    let got = guarded(|| Got::of(parse_payment_qr(&input), |n| notice_value(&n), pagopa_key));
    // The drawing entry point checks the same payload the same way.
    let drawn = guarded(|| Got::of(qr_matrix(&input), |_| String::new(), pagopa_key));
    match (&got, &drawn) {
        (Got::Ok(_), Got::Ok(_)) => {}
        (Got::Key(a), Got::Key(b)) if a == b => {}
        _ => problems.push(format!("qr_matrix disagrees: {drawn}")),
    }
    if let Ok(notice) = parse_payment_qr(&input) {
        let rebuilt = notice.qr_payload();
        if parse_payment_qr(&rebuilt).as_ref() != Ok(&notice) {
            problems.push(format!(
                "its rebuilt payload «{rebuilt}» does not parse back"
            ));
        }
    }
    Checked::new(case, got, problems)
}

fn check_datamatrix(case: &Case) -> Checked {
    let input = case.text(0);
    let got = guarded(|| {
        Got::of(
            parse_poste_datamatrix(&input),
            |n| notice_value(&n),
            pagopa_key,
        )
    });
    Checked::new(case, got, vec![])
}

fn check_rf(case: &Case) -> Checked {
    let input = case.text(0);
    let mut problems = Vec::new();
    let got = guarded(|| {
        Got::of(
            RfReference::parse(&input),
            |r| r.as_str().to_owned(),
            pagopa_key,
        )
    });
    let valid = guarded(|| Got::Ok(validate_rf_reference(&input).to_string()));
    if valid != Got::Ok(matches!(got, Got::Ok(_)).to_string()) {
        problems.push(format!("validate_rf_reference disagrees: {valid}"));
    }
    if let Ok(reference) = RfReference::parse(&input) {
        if RfReference::parse(&reference.formatted()).as_ref() != Ok(&reference) {
            problems.push(format!(
                "its print format «{}» does not parse back",
                reference.formatted()
            ));
        }
        if RfReference::from_reference(reference.reference()).as_ref() != Ok(&reference) {
            problems.push("from_reference computes other check digits".to_owned());
        }
    }
    Checked::new(case, got, problems)
}

// -------------------------------------------------------------------------------------------
// Return URLs, through a real session and a real top-up in the sandbox's checkout
// -------------------------------------------------------------------------------------------

/// A top-up handed to the checkout: its id and the secret of its return URLs.
struct Started {
    local_id: String,
    verifier: String,
    ok_url: String,
}

impl Started {
    fn from_view(view: &RicaricaView) -> Option<Started> {
        let ok = view.checkout.as_ref()?.return_urls.ok.clone();
        let state = ok.query_pairs().find(|(k, _)| k == "state")?.1.into_owned();
        let (local_id, verifier) = state.split_once('.')?;
        Some(Started {
            local_id: local_id.to_owned(),
            verifier: verifier.to_owned(),
            ok_url: ok.to_string(),
        })
    }
}

/// What a refused return URL must leave as it was.
#[derive(Debug, PartialEq)]
struct Untouched {
    generation: u64,
    rows: i64,
    stored: Vec<Option<String>>,
    steps: Vec<Option<RicaricaStep>>,
    sandbox_requests: usize,
    portal: Vec<String>,
    receipts: usize,
}

impl Untouched {
    fn differences(&self, after: &Untouched) -> String {
        let mut changed = Vec::new();
        if self.generation != after.generation {
            changed.push(format!(
                "the store (generation {} → {})",
                self.generation, after.generation
            ));
        }
        if self.rows != after.rows {
            changed.push(format!("the row count ({} → {})", self.rows, after.rows));
        }
        if self.stored != after.stored {
            changed.push("a stored top-up".to_owned());
        }
        if self.steps != after.steps {
            changed.push(format!("the steps ({:?} → {:?})", self.steps, after.steps));
        }
        if self.sandbox_requests != after.sandbox_requests {
            changed.push(format!(
                "the sandbox ({} requests sent)",
                after.sandbox_requests.saturating_sub(self.sandbox_requests)
            ));
        }
        if self.portal != after.portal || self.receipts != after.receipts {
            changed.push(format!(
                "the portal's top-ups ({:?} → {:?})",
                self.portal, after.portal
            ));
        }
        changed.join(", ")
    }
}

fn untouched(app: &App, sandbox: &SandboxHandle, ids: &[&str]) -> Untouched {
    let store = app.session.store();
    let state = sandbox.state();
    Untouched {
        generation: store.generation(),
        rows: store.row_count().unwrap_or(-1),
        stored: ids
            .iter()
            .map(|id| store.ricarica(id).ok().flatten().map(|r| r.state_json))
            .collect(),
        steps: ids
            .iter()
            .map(|id| app.engine.get(id).ok().flatten().map(|v| v.step))
            .collect(),
        sandbox_requests: sandbox.request_log().len(),
        portal: state
            .ricariche
            .iter()
            .map(|r| format!("{} {:?}", r.id, r.status))
            .collect(),
        receipts: state.receipts.len(),
    }
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(name, value)
        })
}

async fn check_return_urls(cases: &[Case]) -> Vec<Checked> {
    let sandbox = ricarica_support::sandbox().await;
    let dir = DataDir::new("bad-input-return-urls");
    let session = Arc::new(open_with(&sandbox, &dir, quick_options()).await);
    let config = RicaricaConfig {
        // The release form: what a phone really receives.
        return_urls: ReturnUrlStyle::app_link(),
        poll: PollPolicy {
            first_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            budget: Duration::from_millis(60),
        },
    };
    let engine = RicaricaEngine::new(Arc::clone(&session), config).expect("engine");
    let app = App {
        session,
        engine,
        dir,
    };
    let online = order(&app, &[(GIULIA, REFEZIONE, 20)], PaymentMode::Online);
    let (app_ref, online_ref) = (&app, &online);
    let start = move || async move {
        let view = app_ref
            .engine
            .submit(online_ref)
            .await
            .expect("an online top-up starts");
        assert_eq!(view.step, RicaricaStep::InCheckout);
        Started::from_view(&view).expect("return URLs with a state")
    };
    let pending = start().await;
    let done = start().await;
    let view = app
        .engine
        .handle_return_url(&done.ok_url)
        .await
        .expect("the genuine return of the second top-up");
    assert_ne!(view.step, RicaricaStep::InCheckout, "its return is handled");
    let avviso = app
        .engine
        .submit(&order(
            &app,
            &[(GIULIA, SCUOLABUS, 10)],
            PaymentMode::Avviso,
        ))
        .await
        .expect("an avviso top-up");
    let ids = [
        pending.local_id.as_str(),
        done.local_id.as_str(),
        avviso.local_id.as_str(),
    ];
    let done_state = format!("{}.{}", done.local_id, done.verifier);

    let mut results = Vec::new();
    for case in cases {
        let template = case.text(0);
        let expect = Expect::of(case);
        let fresh = match expect {
            // A genuine URL moves its top-up on: each gets one of its own.
            Expect::Ok(_) => Some(start().await),
            Expect::Key(_) => None,
        };
        let subject = fresh.as_ref().unwrap_or(&pending);
        let state = format!("{}.{}", subject.local_id, subject.verifier);
        let url = fill(
            &template,
            &[
                ("{state}", &state),
                ("{local_id}", &subject.local_id),
                ("{verifier}", &subject.verifier),
                ("{done_state}", &done_state),
                ("{done_local_id}", &done.local_id),
                ("{done_verifier}", &done.verifier),
                ("{avviso_local_id}", &avviso.local_id),
            ],
        );
        let before = untouched(&app, &sandbox, &ids);
        let answer = AssertUnwindSafe(app.engine.handle_return_url(&url))
            .catch_unwind()
            .await;
        let mut problems = Vec::new();
        let got = match answer {
            Err(panic) => Got::Panicked(panic_text(&panic)),
            Ok(Err(error)) => Got::Key(error.message_key().to_owned()),
            Ok(Ok(view)) => {
                if fresh.as_ref().is_some_and(|f| f.local_id != view.local_id) {
                    problems.push(format!("it settled {} instead", view.local_id));
                }
                if view.step == RicaricaStep::InCheckout {
                    problems.push("the top-up is still in the checkout".to_owned());
                }
                Got::Ok(String::new())
            }
        };
        if fresh.is_none() {
            let after = untouched(&app, &sandbox, &ids);
            if after != before {
                problems.push(format!("changed {}", before.differences(&after)));
            }
            if after.steps.first() != Some(&Some(RicaricaStep::InCheckout)) {
                problems.push("the waiting top-up left the checkout".to_owned());
            }
        }
        results.push(Checked::new(case, got, problems));
    }
    sandbox.shutdown().await;
    results
}

// -------------------------------------------------------------------------------------------
// Portal bodies, served by the sandbox and read by a real refresh
// -------------------------------------------------------------------------------------------

/// A cached document as stored: its JSON, its ETag and when it was fetched.
type StoredDocument = (serde_json::Value, Option<String>, DateTime<Utc>);

/// Everything a failed refresh must leave as it was (the freshness line may turn stale).
#[derive(Debug, PartialEq)]
struct CacheDump {
    documents: Vec<(String, Option<StoredDocument>)>,
    movements_cursor: Option<(String, Option<String>)>,
    rows: i64,
    saldo: (Option<String>, Vec<ChildSaldo>),
    avvisi: Vec<AvvisoView>,
    receipts: Vec<ReceiptView>,
}

fn dump(session: &Session) -> Result<CacheDump, String> {
    let store = session.store();
    let mut documents = Vec::new();
    for resource in ["ente", "account", "balances", "avvisi", "receipts"] {
        let cached = store
            .document::<serde_json::Value>(resource)
            .map_err(|e| e.to_string())?
            .map(|c| (c.value, c.etag, c.fetched_at));
        documents.push((resource.to_owned(), cached));
    }
    let saldo = session.saldo().map_err(|e| e.to_string())?;
    let pagamenti = session.pagamenti().map_err(|e| e.to_string())?;
    Ok(CacheDump {
        documents,
        movements_cursor: store
            .cursor_and_etag("movements")
            .map_err(|e| e.to_string())?,
        rows: store.row_count().map_err(|e| e.to_string())?,
        saldo: (saldo.school_year, saldo.children),
        avvisi: pagamenti.avvisi_da_pagare,
        receipts: pagamenti.receipts,
    })
}

/// The error kind a key implies, where the corpus relies on it.
fn kind_fits(key: &str, kind: &ErrorKind) -> bool {
    match key {
        "errore.risposta_non_valida" => *kind == ErrorKind::Contract,
        "errore.server" => matches!(kind, ErrorKind::Server { .. }),
        "errore.pagamento_in_corso" => *kind == ErrorKind::PaymentInProgress,
        "errore.non_trovato" => *kind == ErrorKind::NotFound,
        _ => true,
    }
}

async fn admin(
    sandbox: &SandboxHandle,
    method: reqwest::Method,
    body: Option<&serde_json::Value>,
) -> Result<(), String> {
    let url = sandbox
        .base_url()
        .join("admin/faults")
        .map_err(|e| e.to_string())?;
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.json(body);
    }
    let answer = request.send().await.map_err(|e| e.to_string())?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "the sandbox refused the fault: HTTP {}",
            answer.status()
        ))
    }
}

async fn check_portal(cases: &[Case]) -> Vec<Checked> {
    let sandbox = comunicapp_sandbox::start(comunicapp_sandbox::SandboxConfig::for_tests())
        .await
        .expect("sandbox starts");
    let dir = DataDir::new("bad-input-portal");
    let session = open_with(&sandbox, &dir, quick_options()).await;
    let mut baseline = dump(&session).expect("cache readable");

    let mut results = Vec::new();
    for case in cases {
        let status: u16 = case.field(2).parse().unwrap_or(0);
        let rule = json!({
            "route": case.field(1),
            "kind": "body",
            "code": status,
            "content_type": case.field(3),
            "body": case.text(4),
            "count": FAULT_COUNT,
        });
        let mut problems = Vec::new();
        let got = match admin(&sandbox, reqwest::Method::POST, Some(&rule)).await {
            Err(why) => Got::NotRun(why),
            Ok(()) => {
                let answer = AssertUnwindSafe(session.refresh()).catch_unwind().await;
                match answer {
                    Err(panic) => Got::Panicked(panic_text(&panic)),
                    Ok(Ok(_)) => Got::Ok(String::new()),
                    Ok(Err(error)) => {
                        let key = error.message_key().to_owned();
                        if !kind_fits(&key, &error.kind()) {
                            problems.push(format!("kind {:?} does not fit {key}", error.kind()));
                        }
                        if error.to_string().is_empty() {
                            problems.push("no message".to_owned());
                        }
                        Got::Key(key)
                    }
                }
            }
        };
        if let Err(why) = admin(&sandbox, reqwest::Method::DELETE, None).await {
            problems.push(format!("faults not cleared: {why}"));
        }
        match &got {
            Got::Ok(_) => {
                // Accepted (rightly or not): back to the sandbox's own data before the next case.
                if let Err(error) = session.refresh().await {
                    problems.push(format!(
                        "the refresh after it failed: {}",
                        error.message_key()
                    ));
                }
                baseline = dump(&session).expect("cache readable");
            }
            _ => match dump(&session) {
                Ok(now) if now == baseline => {}
                Ok(now) => {
                    problems.push(format!(
                        "changed the cache: {}",
                        first_difference(&baseline, &now)
                    ));
                    baseline = now;
                }
                Err(e) => problems.push(format!("cache unreadable: {e}")),
            },
        }
        results.push(Checked::new(case, got, problems));
    }
    sandbox.shutdown().await;
    results
}

fn first_difference(before: &CacheDump, after: &CacheDump) -> String {
    for ((name, a), (_, b)) in before.documents.iter().zip(&after.documents) {
        if a != b {
            return format!("document {name}");
        }
    }
    if before.movements_cursor != after.movements_cursor {
        return "movements cursor".to_owned();
    }
    if before.rows != after.rows {
        return format!("rows {} → {}", before.rows, after.rows);
    }
    if before.saldo != after.saldo {
        return "the Saldo".to_owned();
    }
    "Pagamenti".to_owned()
}

// -------------------------------------------------------------------------------------------
// The report
// -------------------------------------------------------------------------------------------

struct Report {
    checked: usize,
    per_file: BTreeMap<&'static str, usize>,
    /// Wrong and not listed in KNOWN_GAPS.
    unexpected: Vec<String>,
    /// Wrong and listed.
    known: Vec<String>,
    /// Listed but right now, or listed and not in the corpus.
    stale_gaps: Vec<String>,
}

impl Report {
    fn new(results: Vec<Checked>) -> Report {
        let gaps: HashSet<(&str, &str)> = KNOWN_GAPS.iter().copied().collect();
        let mut per_file = BTreeMap::new();
        let mut unexpected = Vec::new();
        let mut known = Vec::new();
        let mut stale_gaps = Vec::new();
        let mut seen = HashSet::new();
        for result in &results {
            *per_file.entry(result.case.file).or_insert(0) += 1;
            let id = (result.case.file, result.case.id.as_str());
            let listed = gaps.contains(&id);
            seen.insert(id);
            match (result.passed(), listed) {
                (true, false) => {}
                (true, true) => stale_gaps.push(format!(
                    "{} now passes: remove it from KNOWN_GAPS",
                    result.case
                )),
                (false, true) => known.push(result.to_string()),
                (false, false) => unexpected.push(result.to_string()),
            }
        }
        for gap in KNOWN_GAPS {
            if !seen.contains(gap) {
                stale_gaps.push(format!(
                    "KNOWN_GAPS names {}:«{}», which is not in the corpus",
                    gap.0, gap.1
                ));
            }
        }
        Report {
            checked: results.len(),
            per_file,
            unexpected,
            known,
            stale_gaps,
        }
    }

    fn per_file(&self) -> String {
        self.per_file
            .iter()
            .map(|(file, n)| format!("{} {n}", file.trim_end_matches(".tsv")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn assert_clean(&self, corpus: &Corpus) {
        let mut failures: Vec<String> = corpus
            .errors
            .iter()
            .map(|e| format!("corpus: {e}"))
            .collect();
        for (file, cases) in &corpus.files {
            let min = Corpus::min_fields(file);
            for case in cases.iter().filter(|c| c.fields.len() < min) {
                failures.push(format!(
                    "corpus: {case}: {} fields, {min} expected",
                    case.fields.len()
                ));
            }
            let oks = cases
                .iter()
                .filter(|c| matches!(Expect::of(c), Expect::Ok(_)))
                .count();
            if oks == 0 || oks == cases.len() {
                failures.push(format!(
                    "corpus: {file} needs both valid and invalid inputs ({oks} of {} valid)",
                    cases.len()
                ));
            }
        }
        if corpus.total() < 400 {
            failures.push(format!(
                "corpus: {} inputs, at least 400 wanted",
                corpus.total()
            ));
        }
        if self.checked != corpus.total() {
            failures.push(format!(
                "{} inputs checked of {} in the corpus",
                self.checked,
                corpus.total()
            ));
        }
        failures.extend(self.unexpected.iter().cloned());
        failures.extend(self.stale_gaps.iter().cloned());
        assert!(
            failures.is_empty(),
            "{} problem(s) in the bad-input corpus:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
