//! Exactly once, proven by killing the app: the flow runs in a child process
//! (`src/bin/ricarica_child.rs`) that is SIGKILLed at each point where it persisted a step, then a
//! new process starts, resumes, and gets the return URL the browser would deliver. For every run
//! the portal must hold exactly one top-up, paid at most once, and the app must show its outcome.
//! Issue 13 adds the recovering process killed too, at each step it persists (a third process
//! resumes), and a seeded storm of kills at random moments, inside the writes, with every SQLite
//! file through `integrity_check` after each kill.
//!
//! `cargo test -p comunicapp-sandbox --test ricarica_crash -- --nocapture` prints the matrix; it
//! is also written to `target/crash-matrix.txt`.

mod ricarica_support;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use comunicapp_sandbox::{SandboxHandle, REFEZIONE, SCUOLABUS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ricarica_support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use url::Url;

const CHILD: &str = env!("CARGO_BIN_EXE_ricarica_child");
const GIULIA: &str = "alu-0001";
/// Not a persisted step: the app is killed while the payer is on the checkout page, after paying
/// and before the browser comes back.
const IN_BROWSER: &str = "in_browser";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    OnlinePaid,
    OnlineCancelled,
    Avviso,
}

impl Path {
    fn name(self) -> &'static str {
        match self {
            Path::OnlinePaid => "online pagato",
            Path::OnlineCancelled => "online annullato",
            Path::Avviso => "avviso",
        }
    }

    fn mode(self) -> &'static str {
        match self {
            Path::Avviso => "avviso",
            _ => "online",
        }
    }

    /// The intents `ricarica_child` submits.
    fn service_and_cents(self) -> (&'static str, i64) {
        match self {
            Path::Avviso => (SCUOLABUS, 1_500),
            _ => (REFEZIONE, 2_000),
        }
    }

    fn expected_final(self) -> &'static str {
        match self {
            Path::OnlineCancelled => "Cancelled",
            _ => "Registered",
        }
    }

    fn points(self) -> &'static [&'static str] {
        match self {
            Path::OnlinePaid => &[
                "draft_composing",
                "draft_checking_email",
                "draft_choosing_mode",
                "draft_riepilogo",
                "submitting",
                "create_answered",
                "in_checkout",
                IN_BROWSER,
                "returned",
                "paid_awaiting_registration",
                "registered",
            ],
            Path::OnlineCancelled => &[
                "draft_composing",
                "draft_checking_email",
                "draft_choosing_mode",
                "draft_riepilogo",
                "submitting",
                "create_answered",
                "in_checkout",
                IN_BROWSER,
                "returned",
                "cancelled",
            ],
            Path::Avviso => &[
                "draft_composing",
                "draft_checking_email",
                "draft_choosing_mode",
                "draft_riepilogo",
                "submitting",
                "create_answered",
                "avviso_issued",
                "paid_awaiting_registration",
                "registered",
            ],
        }
    }
}

/// What the parent, playing browser and tobacconist, knows across the processes.
#[derive(Default)]
struct Browser {
    /// Where the checkout sent the browser, and whether the app stored it as `returned`.
    return_url: Option<String>,
    return_stored: bool,
    steps: Vec<String>,
    /// What the last process that got to the end showed.
    finals: Vec<Vec<String>>,
}

impl Browser {
    fn record_step(&mut self, step: &str) {
        self.steps.push(step.to_owned());
        if step == "returned" {
            self.return_stored = true;
        }
    }
}

enum Ended {
    Killed,
    Done,
}

/// When a process is SIGKILLed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    /// Not: it runs to `DONE`.
    Never,
    /// Paused at this persisted step (`--pause-at`), or in the browser ([`IN_BROWSER`]), and killed.
    AtPoint(&'static str),
    /// Paused at this process's n-th persisted step (`--pause-after n`), and killed: how a
    /// recovering process is killed at each step it persists while it settles.
    AtStep(usize),
    /// Not paused: killed this many microseconds after reading its n-th `STEP` line, inside
    /// whatever it writes next.
    AfterStep(usize, u64),
    /// Not paused: killed this many microseconds after it was started.
    AfterMicros(u64),
}

fn spawn(args: &[String]) -> Child {
    Command::new(CHILD)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("child process starts")
}

async fn send(stdin: &mut ChildStdin, line: &str) {
    // The child may have died on its own schedule; its exit is checked by the caller.
    let _ = stdin.write_all(format!("{line}\n").as_bytes()).await;
    let _ = stdin.flush().await;
}

/// SIGKILLs the child, then reads what it said before it died (its stdout ends with it).
async fn kill(
    mut child: Child,
    mut lines: Lines<BufReader<ChildStdout>>,
    browser: &mut Browser,
) -> Result<Ended, String> {
    child.start_kill().map_err(|e| e.to_string())?;
    let mut done = false;
    while let Ok(Ok(Some(line))) =
        tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await
    {
        let (word, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match word {
            "STEP" => browser.record_step(rest),
            "FINAL" => browser
                .finals
                .push(rest.split(' ').map(str::to_owned).collect()),
            "DONE" => done = true,
            _ => {}
        }
    }
    let status = child.wait().await.map_err(|e| e.to_string())?;
    match (status.success(), done) {
        // The kill came as it ended on its own: it finished.
        (true, true) => Ok(Ended::Done),
        (true, false) => Err("the child exited before the kill, without DONE".to_owned()),
        (false, _) => Ok(Ended::Killed),
    }
}

/// Follows one child process's protocol, killing it as `when` says.
async fn drive(
    mut child: Child,
    path: Path,
    when: Kill,
    sandbox: &SandboxHandle,
    browser: &mut Browser,
) -> Result<Ended, String> {
    let mut stdin = child.stdin.take().ok_or("stdin")?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("stdout")?).lines();
    browser.finals.clear();
    let deadline = match when {
        Kill::AfterMicros(micros) => {
            Some(tokio::time::Instant::now() + Duration::from_micros(micros))
        }
        _ => None,
    };
    let mut steps_here = 0;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(30), lines.next_line());
        let line = match deadline {
            Some(at) => tokio::select! {
                biased;
                _ = tokio::time::sleep_until(at) => None,
                line = next => Some(line),
            },
            None => Some(next.await),
        };
        let Some(line) = line else {
            return kill(child, lines, browser).await;
        };
        let line = line
            .map_err(|_| "the child went silent".to_owned())?
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the child stopped without DONE (steps {:?})", browser.steps))?;
        let (word, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match word {
            "STEP" => {
                browser.record_step(rest);
                steps_here += 1;
                let now = match when {
                    Kill::AtPoint(point) => point == rest,
                    Kill::AtStep(n) => n == steps_here,
                    Kill::AfterStep(n, micros) if n == steps_here => {
                        // Blocking on purpose: a tokio timer is a millisecond at best.
                        std::thread::sleep(Duration::from_micros(micros));
                        true
                    }
                    _ => false,
                };
                if now {
                    return kill(child, lines, browser).await;
                }
            }
            "CHECKOUT" => {
                let button = match path {
                    Path::OnlineCancelled => "cancel",
                    _ => "pay",
                };
                let checkout = Url::parse(rest).map_err(|e| e.to_string())?;
                let back = press(&checkout, button).await;
                browser.return_url = Some(back.clone());
                browser.return_stored = false;
                if when == Kill::AtPoint(IN_BROWSER) {
                    return kill(child, lines, browser).await;
                }
                send(&mut stdin, &format!("RETURN {back}")).await;
            }
            "AVVISO" => {
                // Paid at the tobacconist; a second visit finds it already paid and pays nothing.
                let _ = sandbox.pay_notice_elsewhere(rest);
                send(&mut stdin, "CONTINUE").await;
            }
            "FINAL" => browser
                .finals
                .push(rest.split(' ').map(str::to_owned).collect()),
            "DONE" => {
                let status = child.wait().await.map_err(|e| e.to_string())?;
                return if status.success() {
                    Ok(Ended::Done)
                } else {
                    Err(format!("the child failed: {status}"))
                };
            }
            _ => {}
        }
    }
}

/// `PRAGMA integrity_check` on every `*.sqlite3` file under `dir`, read-only so that the files
/// stay as the killed process left them for the next one to recover; answers how many it checked.
fn integrity_check(dir: &std::path::Path) -> Result<usize, String> {
    let mut checked = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| e.to_string())? {
            let file = entry.map_err(|e| e.to_string())?.path();
            if file.is_dir() {
                folders.push(file);
                continue;
            }
            if file.extension().and_then(|e| e.to_str()) != Some("sqlite3") {
                continue;
            }
            let conn = rusqlite::Connection::open_with_flags(
                &file,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| format!("{} does not open: {e}", file.display()))?;
            let verdict = conn
                .prepare("PRAGMA integrity_check")
                .and_then(|mut stmt| {
                    stmt.query_map([], |row| row.get::<_, String>(0))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(|e| format!("{}: integrity_check: {e}", file.display()))?;
            if verdict != ["ok"] {
                return Err(format!("{} is corrupt: {verdict:?}", file.display()));
            }
            checked += 1;
        }
    }
    Ok(checked)
}

/// What a chain of processes came to.
struct Outcome {
    /// The matrix cell.
    cell: String,
    /// How many processes were SIGKILLed.
    kills: usize,
    /// A process that was to be killed ended on its own first (a recovering process persisted
    /// fewer steps than asked, or a storm's kill came after the flow was over).
    ended_early: bool,
    /// The steps the processes printed before each kill, one list per killed process.
    killed_after: Vec<Vec<String>>,
}

/// One run: a fresh sandbox and app, then one process per entry of `kills`, each killed as it says
/// and the next one resuming (the draft carried on, the return URL the browser holds delivered if
/// the dead app never stored it), then a last process that runs to the end. After every kill each
/// SQLite file must pass `integrity_check`; at the end the portal must hold one top-up, paid at
/// most once, and the app must show its outcome.
async fn run_chain(path: Path, kills: &[Kill]) -> Result<Outcome, String> {
    let sandbox = sandbox().await;
    let dir = DataDir::new("crash");
    let url = sandbox.base_url().to_string();
    let data = dir.path().to_string_lossy().into_owned();
    let credentials = sandbox.demo_credentials();
    let mut login = vec!["login".to_owned()];
    login.extend(child_args(&url, &data));
    login.extend([
        "--user".to_owned(),
        credentials.username.clone(),
        "--password".to_owned(),
        credentials.password.clone(),
    ]);
    let status = spawn(&login).wait().await.map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("login failed".to_owned());
    }
    let (service, cents) = path.service_and_cents();
    let balance_before = sandbox_balances(&sandbox)[&(GIULIA.to_owned(), service.to_owned())];
    let receipts_before = sandbox.state().receipts.len();

    let mut browser = Browser::default();
    let mut outcome = Outcome {
        cell: String::from("ok"),
        kills: 0,
        ended_early: false,
        killed_after: Vec::new(),
    };
    let last = [Kill::Never];
    for (index, &when) in kills.iter().chain(&last).enumerate() {
        let mut args = vec!["run".to_owned()];
        args.extend(child_args(&url, &data));
        if browser.steps.is_empty() {
            // Nothing persisted for sure yet: compose (a draft a kill left before its first
            // STEP line is carried on). Past its first step the draft is carried on, and past
            // PROSEGUI there is none: composing again would be a second intent.
            args.extend(["--new".to_owned(), path.mode().to_owned()]);
        } else {
            args.extend(["--continue-draft".to_owned(), path.mode().to_owned()]);
        }
        if index > 0 {
            if let Some(return_url) = browser
                .return_url
                .clone()
                .filter(|_| !browser.return_stored)
            {
                args.extend(["--return-url".to_owned(), return_url]);
            }
        }
        match when {
            Kill::AtPoint(point) if point != IN_BROWSER => {
                args.extend(["--pause-at".to_owned(), point.to_owned()]);
            }
            Kill::AtStep(n) => args.extend(["--pause-after".to_owned(), n.to_string()]),
            _ => {}
        }
        let before = browser.steps.len();
        match drive(spawn(&args), path, when, &sandbox, &mut browser).await? {
            Ended::Killed if when == Kill::Never => {
                return Err("a process not to be killed was killed".to_owned())
            }
            Ended::Killed => {
                outcome.kills += 1;
                outcome.killed_after.push(browser.steps[before..].to_vec());
                integrity_check(dir.path())
                    .map_err(|e| format!("after kill {}: {e}", outcome.kills))?;
                outcome.cell = "ripresa ok".to_owned();
            }
            Ended::Done => {
                if let Kill::AtPoint(point) = when {
                    return Err(format!(
                        "never reached {point:?} (steps {:?})",
                        browser.steps
                    ));
                }
                outcome.ended_early = when != Kill::Never;
                break;
            }
        }
    }

    let state = sandbox.state();
    if state.ricariche.len() != 1 {
        return Err(format!(
            "the portal holds {} top-ups for one intent",
            state.ricariche.len()
        ));
    }
    let portal = &state.ricariche[0];
    let [shown] = browser.finals.as_slice() else {
        return Err(format!("the app shows {} top-ups", browser.finals.len()));
    };
    let (step, portal_id, total) = (&shown[1], &shown[2], &shown[3]);
    if step != path.expected_final() || *portal_id != portal.id || *total != cents.to_string() {
        return Err(format!(
            "the app shows {shown:?}, portal {:?}",
            portal.status
        ));
    }
    let expected_status = match path {
        Path::OnlineCancelled => comunicapp_sandbox::wire::RicaricaStatus::Cancelled,
        _ => comunicapp_sandbox::wire::RicaricaStatus::Registered,
    };
    if portal.status != expected_status {
        return Err(format!("portal status {:?}", portal.status));
    }
    let paid = if path == Path::OnlineCancelled { 0 } else { 1 };
    let balance_after = sandbox_balances(&sandbox)[&(GIULIA.to_owned(), service.to_owned())];
    if balance_after - balance_before != paid * cents {
        return Err(format!(
            "balance moved by {}",
            balance_after - balance_before
        ));
    }
    if state.receipts.len() - receipts_before != paid as usize {
        return Err(format!(
            "{} payments registered",
            state.receipts.len() - receipts_before
        ));
    }
    integrity_check(dir.path()).map_err(|e| format!("at the end: {e}"))?;
    outcome.cell = format!("{}: {step}", outcome.cell);
    Ok(outcome)
}

fn child_args(sandbox_url: &str, data: &str) -> Vec<String> {
    vec![
        "--portal".to_owned(),
        sandbox_url.to_owned(),
        "--data".to_owned(),
        data.to_owned(),
    ]
}

/// One run of the matrix: killed at `kill_at` (if any), then resumed.
async fn run(path: Path, kill_at: Option<&'static str>) -> Result<String, String> {
    let kills: Vec<Kill> = kill_at.map(Kill::AtPoint).into_iter().collect();
    Ok(run_chain(path, &kills).await?.cell)
}

fn matrix_file() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("crash-matrix.txt")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ogni_punto_di_crash_una_sola_ricarica_mai_pagata_due_volte() {
    let paths = PATHS;
    for path in paths {
        // The floor: every path killed at 8 points at least, draft steps included.
        assert!(path.points().len() >= 8, "{}", path.name());
    }
    let mut rows: Vec<&str> = vec!["(nessun crash)"];
    for path in paths {
        for point in path.points() {
            if !rows.contains(point) {
                rows.push(point);
            }
        }
    }
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<28}| {:<28}| {:<28}| {:<28}",
        "punto di crash",
        paths[0].name(),
        paths[1].name(),
        paths[2].name()
    );
    let mut failures = Vec::new();
    let mut runs = 0;
    for row in &rows {
        let _ = write!(table, "{row:<28}");
        for path in paths {
            let kill_at = match *row {
                "(nessun crash)" => None,
                point if path.points().contains(&point) => Some(point),
                _ => {
                    let _ = write!(table, "| {:<28}", "-");
                    continue;
                }
            };
            runs += 1;
            let cell = match run(path, kill_at).await {
                Ok(cell) => cell,
                Err(error) => {
                    failures.push(format!("{} × {row}: {error}", path.name()));
                    format!("FALLITO: {}", error.chars().take(18).collect::<String>())
                }
            };
            let _ = write!(table, "| {cell:<28}");
        }
        let _ = writeln!(table);
    }
    let _ = writeln!(table, "{runs} esecuzioni, {} fallite", failures.len());
    println!("{table}");
    let file = matrix_file();
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&file, &table).expect("crash matrix written");
    assert!(runs >= 33, "{runs} runs");
    assert!(failures.is_empty(), "{failures:#?}");
    // Issue 11's reliability table (`make reliability` greps it): printed only when every run passed.
    println!("RELIABILITY\tcrash\t{runs}\tkill points × paths, each exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_chiusa_durante_il_pagamento_non_perde_la_ricarica() {
    let outcome = run(Path::OnlinePaid, Some(IN_BROWSER)).await;
    assert_eq!(outcome.as_deref(), Ok("ripresa ok: Registered"));
}

const PATHS: [Path; 3] = [Path::OnlinePaid, Path::OnlineCancelled, Path::Avviso];

/// Chains that show a bug in core, kept reproducible but skipped until core is fixed (each with
/// the path and the kills, as `run_chain` takes them). Empty: no run found one.
const KNOWN_GAPS: &[(Path, &[Kill])] = &[];

fn known_gap(path: Path, kills: &[Kill]) -> bool {
    KNOWN_GAPS
        .iter()
        .any(|(gap_path, gap_kills)| *gap_path == path && *gap_kills == kills)
}

/// The recovering process's most a run asks for: more than any resume persists.
const MAX_RECOVERY_STEPS: usize = 12;

/// Where the first process dies before the second is killed at each of its steps: the product
/// with every point of the matrix takes minutes, so one draft step (the second then composes,
/// submits and pays: its longest resume) and every point from PROSEGUI on but the last.
fn recovery_first_kills(path: Path) -> &'static [&'static str] {
    match path {
        Path::OnlinePaid => &[
            "draft_choosing_mode",
            "submitting",
            "create_answered",
            "in_checkout",
            IN_BROWSER,
            "returned",
            "paid_awaiting_registration",
        ],
        Path::OnlineCancelled => &["submitting", "in_checkout", IN_BROWSER, "returned"],
        Path::Avviso => &[
            "submitting",
            "create_answered",
            "avviso_issued",
            "paid_awaiting_registration",
        ],
    }
}

/// Issue 13: the recovering process killed too. For each path and each point the first process
/// is killed at, the second (recovering) one is killed at each step it persists while it settles
/// (`--pause-after n`, n = 1, 2, … until it ends before its n-th), and in the browser when it
/// opens the checkout again; a third process resumes, and the invariants hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anche_il_processo_che_riprende_ucciso_a_ogni_passo() {
    let mut runs = 0;
    let mut failures = Vec::new();
    let mut table = String::new();
    for path in PATHS {
        for &first in recovery_first_kills(path) {
            assert!(path.points().contains(&first), "{first}");
            let mut killed_at = Vec::new();
            let mut seconds: Vec<Kill> = (1..=MAX_RECOVERY_STEPS).map(Kill::AtStep).collect();
            // A recovering process that opens the checkout again, killed while the payer is there.
            let before_browser = path
                .points()
                .iter()
                .position(|p| *p == IN_BROWSER)
                .is_some_and(|at| path.points()[..at].contains(&first));
            if before_browser {
                seconds.push(Kill::AtPoint(IN_BROWSER));
            }
            for second in seconds {
                let kills = [Kill::AtPoint(first), second];
                if known_gap(path, &kills) {
                    killed_at.push(format!("{second:?} SALTATO (KNOWN_GAPS)"));
                    continue;
                }
                match run_chain(path, &kills).await {
                    // Fewer steps than n: the steps after are not there either.
                    Ok(outcome) if outcome.ended_early => {
                        if matches!(second, Kill::AtStep(_)) {
                            continue;
                        }
                        failures.push(format!(
                            "{} × {first} × {second:?}: the recovering process ended first",
                            path.name()
                        ));
                    }
                    Ok(outcome) => {
                        runs += 1;
                        let at = outcome.killed_after[1]
                            .last()
                            .cloned()
                            .unwrap_or_else(|| IN_BROWSER.to_owned());
                        killed_at.push(at);
                    }
                    Err(error) => {
                        runs += 1;
                        failures.push(format!("{} × {first} × {second:?}: {error}", path.name()));
                        killed_at.push(format!("{second:?} FALLITO"));
                    }
                }
            }
            let _ = writeln!(
                table,
                "{:<17}| {first:<27}| poi {}",
                path.name(),
                killed_at.join(", ")
            );
        }
    }
    let _ = writeln!(
        table,
        "{runs} esecuzioni a tre processi, {} fallite",
        failures.len()
    );
    println!("{table}");
    // Every path's resume persists a step at least, for every first kill point.
    assert!(runs >= 40, "{runs} runs");
    assert!(failures.is_empty(), "{failures:#?}");
    println!(
        "RELIABILITY\tcrash\t{runs}\tfirst kill × each step the recovering process persists, a third resumes"
    );
}

/// The storm's seed: a failure names it and the kills, and the same seed replays them.
const STORM_SEED: u64 = 0x1313_c0de;
/// Episodes per path, each a fresh sandbox and app.
const STORM_EPISODES: usize = 3;
/// Kills per episode at most: fewer when the flow is over first.
const STORM_KILLS: usize = 6;
/// The longest random delay from a start to its kill: most land while it opens the store,
/// composes or settles.
const STORM_MAX_DELAY_MICROS: u64 = 120_000;

/// A kill the storm draws: after a random delay from the start, or a few hundred microseconds
/// after one of the first STEP lines, inside the write that follows.
fn storm_kill(rng: &mut StdRng) -> Kill {
    if rng.random_bool(0.3) {
        Kill::AfterMicros(rng.random_range(0..STORM_MAX_DELAY_MICROS))
    } else {
        Kill::AfterStep(rng.random_range(1..=3), rng.random_range(0..800))
    }
}

/// Issue 13: killed during a write, not only between commits. A seeded storm of SIGKILLs at random
/// moments while the app works (it writes to SQLite many times a second), each followed by a
/// restart that resumes; after every kill every SQLite file passes `integrity_check`, and at the
/// end the portal holds one top-up, paid at most once, and the app shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tempesta_di_kill_durante_le_scritture() {
    let mut rng = StdRng::seed_from_u64(STORM_SEED);
    let mut kills = 0;
    let mut failures = Vec::new();
    let mut table = String::new();
    for path in PATHS {
        for episode in 0..STORM_EPISODES {
            let chain: Vec<Kill> = (0..STORM_KILLS).map(|_| storm_kill(&mut rng)).collect();
            if known_gap(path, &chain) {
                let _ = writeln!(table, "{:<17}#{episode} SALTATO (KNOWN_GAPS)", path.name());
                continue;
            }
            match run_chain(path, &chain).await {
                Ok(outcome) if outcome.kills == 0 => {
                    let _ = writeln!(
                        table,
                        "{:<17}#{episode} 0 kill: finito prima di {:?}",
                        path.name(),
                        chain[0]
                    );
                }
                Ok(outcome) => {
                    kills += outcome.kills;
                    let landed: Vec<String> = outcome
                        .killed_after
                        .iter()
                        .map(|steps| {
                            steps
                                .last()
                                .cloned()
                                .unwrap_or_else(|| "(avvio)".to_owned())
                        })
                        .collect();
                    let _ = writeln!(
                        table,
                        "{:<17}#{episode} {} kill, dopo: {}",
                        path.name(),
                        outcome.kills,
                        landed.join(", ")
                    );
                }
                Err(error) => {
                    let _ = writeln!(table, "{:<17}#{episode} FALLITO: {error}", path.name());
                    failures.push(format!(
                        "seed {STORM_SEED:#x}, {} #{episode}, kills {chain:?}: {error}",
                        path.name()
                    ));
                }
            }
        }
    }
    let _ = writeln!(table, "{kills} kill, {} episodi falliti", failures.len());
    println!("{table}");
    assert!(failures.is_empty(), "{failures:#?}");
    // The plan is seeded, where a timed kill lands is not: 24 on an idle 2-core machine, and a
    // floor with room, so that a storm that kills nothing fails without a timing assertion.
    assert!(kills >= 15, "{kills} kills");
    println!("RELIABILITY\tcrash\t{kills}\tkill storm: SIGKILL during writes, seed {STORM_SEED:#x}, integrity_check after each");
}
