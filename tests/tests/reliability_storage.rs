//! Storage faults (issue 11, the storage row): the cache file deleted, truncated, overwritten with
//! junk or written by a newer app, the records file from a newer app, the WAL lost, the disk full
//! during a write. Each time the app keeps working from the portal and no unfinished top-up is
//! forgotten or doubled: a top-up left in the checkout before the damage is paid afterwards,
//! exactly once.
//!
//! `cargo test -p comunicapp-sandbox --test reliability_storage -- --nocapture` prints the row.

mod ricarica_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::api::Error;
use comunicapp_core::ricarica::{PaymentMode, RicaricaEngine, RicaricaStep};
use comunicapp_sandbox::{SandboxHandle, REFEZIONE};
use ricarica_support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const GIULIA: &str = "alu-0001";
const CHILD: &str = env!("CARGO_BIN_EXE_ricarica_child");
/// Room for the open (the WAL index) but not for a sync's documents and movements.
const SPARE_KIB: u32 = 96;

/// The profile's files: the cache and the records beside it.
fn cache_file(dir: &Path) -> PathBuf {
    only_file(dir, |name| {
        !name.contains(".records.") && name.ends_with(".sqlite3")
    })
}

fn records_file(dir: &Path) -> PathBuf {
    only_file(dir, |name| name.ends_with(".records.sqlite3"))
}

fn only_file(dir: &Path, wanted: impl Fn(&str) -> bool) -> PathBuf {
    let profiles = dir.join("profiles");
    let found: Vec<PathBuf> = fs::read_dir(&profiles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&wanted))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

fn set_user_version(file: &Path, version: i64) {
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(&format!("PRAGMA user_version = {version};"))
        .unwrap();
}

#[derive(Debug, Clone, Copy)]
enum CacheDamage {
    Deleted,
    Truncated,
    Junk,
    FromNewerApp,
}

impl CacheDamage {
    fn apply(self, dir: &Path) {
        let cache = cache_file(dir);
        match self {
            CacheDamage::Deleted => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = fs::remove_file(format!("{}{suffix}", cache.display()));
                }
            }
            CacheDamage::Truncated => {
                let bytes = fs::read(&cache).unwrap();
                fs::write(&cache, &bytes[..bytes.len() / 3]).unwrap();
            }
            CacheDamage::Junk => fs::write(&cache, vec![0xA5; 64 * 1024]).unwrap(),
            CacheDamage::FromNewerApp => set_user_version(&cache, 1_000),
        }
    }
}

/// A parent with a top-up left in the checkout, the app closed, then `damage`: the reopened app
/// shows the Saldo from the portal and the top-up, paid now, is registered once.
async fn survives(sandbox: &SandboxHandle, damage: CacheDamage) -> Result<(), String> {
    let phone = app(sandbox, &format!("storage-{damage:?}")).await;
    let before = sandbox.state().balance_cents(GIULIA, REFEZIONE).unwrap();
    let view = phone
        .engine
        .submit(&order(
            &phone,
            &[(GIULIA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .map_err(|e| format!("submit: {e:?}"))?;
    let checkout = view.checkout.clone().ok_or("no checkout")?;
    let App {
        session,
        engine,
        dir,
    } = phone;
    drop(engine);
    drop(session);
    damage.apply(dir.path());

    let session = Arc::new(open_with(sandbox, &dir, quick_options()).await);
    let shown = session.saldo().map_err(|e| format!("saldo: {e:?}"))?;
    if shown.children.is_empty() {
        return Err("the Saldo is empty after the refresh".into());
    }
    let engine =
        RicaricaEngine::new(session.clone(), config(sandbox)).map_err(|e| e.to_string())?;
    let return_url = press(&checkout.checkout_url, "pay").await;
    let pending = engine.pending().map_err(|e| e.to_string())?;
    if !pending.iter().any(|p| p.local_id == view.local_id) {
        return Err(format!("the top-up was forgotten: {pending:?}"));
    }
    let returned = engine
        .handle_return_url(&return_url)
        .await
        .map_err(|e| format!("return: {e:?}"))?;
    if returned.step != RicaricaStep::PaidAwaitingRegistration
        && returned.step != RicaricaStep::Registered
    {
        return Err(format!("after paying: {:?}", returned.step));
    }
    after_registration_delay(sandbox);
    let settled = engine.resume_pending().await.map_err(|e| e.to_string())?;
    let ours = settled
        .iter()
        .chain(engine.history().map_err(|e| e.to_string())?.iter())
        .find(|v| v.local_id == view.local_id)
        .map(|v| v.step);
    if ours != Some(RicaricaStep::Registered) {
        return Err(format!("not registered: {ours:?}"));
    }
    let portal: Vec<_> = sandbox
        .state()
        .ricariche
        .into_iter()
        .filter(|r| r.id == view.portal_id.clone().unwrap_or_default())
        .collect();
    if portal.len() != 1 {
        return Err(format!("{} top-ups on the portal", portal.len()));
    }
    let after = sandbox.state().balance_cents(GIULIA, REFEZIONE).unwrap();
    if after != before + 1_000 {
        return Err(format!("balance {before} → {after}, paid once is +1000"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_cache_costs_nothing_but_a_refresh() {
    let sandbox = sandbox().await;
    let mut failures = Vec::new();
    let damages = [
        CacheDamage::Deleted,
        CacheDamage::Truncated,
        CacheDamage::Junk,
        CacheDamage::FromNewerApp,
    ];
    for damage in damages {
        if let Err(why) = survives(&sandbox, damage).await {
            failures.push(format!("{damage:?}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    println!(
        "RELIABILITY\tstorage\t{}\tcache deleted, truncated, junk, newer: Saldo from the portal, top-up paid once",
        damages.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_from_a_newer_app_are_refused_and_kept_as_they_are() {
    let sandbox = sandbox().await;
    let phone = app(&sandbox, "storage-newer-records").await;
    phone
        .engine
        .submit(&order(
            &phone,
            &[(GIULIA, REFEZIONE, 10)],
            PaymentMode::Online,
        ))
        .await
        .unwrap();
    let App {
        session,
        engine,
        dir,
    } = phone;
    drop(engine);
    drop(session);
    let records = records_file(dir.path());
    set_user_version(&records, 77);
    let before = fs::read(&records).unwrap();
    let error = comunicapp_core::store::Store::open(&cache_file(dir.path())).unwrap_err();
    assert!(
        matches!(error, Error::IncompatibleVersion { found: 77, .. }),
        "{error:?}"
    );
    assert_eq!(fs::read(&records).unwrap(), before, "kept byte for byte");
    println!("RELIABILITY\tstorage\t1\trecords from a newer app: typed error, file kept");
}

/// The app killed right after it stored the top-up (the WAL holds the commit, the main file not
/// yet), then the WAL files lost: the store no longer knows the top-up, the portal does, and the
/// next start adopts it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_wal_forgets_nothing_the_portal_holds() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("storage-wal-lost");
    let url = sandbox.base_url().to_string();
    let data = dir.path().to_string_lossy().into_owned();
    login_child(&sandbox, &url, &data).await;
    let mut child = spawn(&[
        "run",
        "--portal",
        &url,
        "--data",
        &data,
        "--new",
        "online",
        "--pause-at",
        "in_checkout",
    ]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("the child answers")
            .unwrap()
            .expect("the child pauses");
        if line == "STEP in_checkout" {
            break;
        }
    }
    child.kill().await.unwrap();
    let profiles = dir.path().join("profiles");
    let mut lost = 0;
    for entry in fs::read_dir(&profiles).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with("-wal") {
            fs::remove_file(&path).unwrap();
            lost += 1;
        }
    }
    assert!(lost >= 1, "the killed app left its WAL");
    assert_eq!(sandbox.state().ricariche.len(), 1);

    let session = Arc::new(open_with(&sandbox, &dir, quick_options()).await);
    let engine = RicaricaEngine::new(session, config(&sandbox)).unwrap();
    let resumed = engine.resume_pending().await.unwrap();
    assert_eq!(resumed.len(), 1, "{resumed:?}");
    assert_eq!(resumed[0].step, RicaricaStep::InCheckout);
    let again = engine.resume_pending().await.unwrap();
    assert_eq!(again.len(), 1, "adopted once: {again:?}");
    assert_eq!(engine.history().unwrap().len(), 1);
    assert_eq!(sandbox.state().ricariche.len(), 1, "never created twice");
    println!("RELIABILITY\tstorage\t1\tWAL lost: the top-up adopted from the portal once");
}

/// The disk fills up while the app runs (a 6 MiB tmpfs filled up to its last `SPARE_KIB`, in a
/// private mount namespace): the open fits, the first sync's write does not. Every failed write
/// is a typed storage error, not a panic; once space is back the next run works, and every
/// top-up the portal holds is one the app knows (nothing sent that was not recorded first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gets_a_typed_error_and_loses_nothing() {
    if !can_mount_tmpfs() {
        panic!("this test needs a private mount namespace with tmpfs (root, as make test runs)");
    }
    let sandbox = sandbox().await;
    let url = sandbox.base_url().to_string();
    let credentials = sandbox.demo_credentials();
    let mount = DataDir::new("storage-disk-full");
    let data = mount.path().to_string_lossy().into_owned();
    let run = |extra: &str| {
        format!(
            "printf 'CONTINUE\\n' | {CHILD} run --portal {url} --data {data} {extra} \
             || echo \"EXIT $?\""
        )
    };
    let script = format!(
        "set -u
         mount -t tmpfs -o size=6m tmpfs {data}
         {CHILD} login --portal {url} --data {data} --user {user} --password {password}
         dd if=/dev/zero of={data}/filler bs=4k 2>/dev/null || true
         truncate -s -{spare}K {data}/filler
         echo '=== FULL'
         {full}
         rm -f {data}/filler
         echo '=== FREED'
         {freed}
         echo '=== END'",
        user = credentials.username,
        password = credentials.password,
        spare = SPARE_KIB,
        full = run("--new avviso"),
        freed = run("--new avviso"),
    );
    let output = tokio::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c", &script])
        .stderr(Stdio::inherit())
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let section = |from: &str, to: &str| -> String {
        let start = text
            .find(from)
            .map(|i| i + from.len())
            .unwrap_or(text.len());
        let end = text[start..]
            .find(to)
            .map(|i| start + i)
            .unwrap_or(text.len());
        text[start..end].to_owned()
    };
    let full = section("=== FULL", "=== FREED");
    let freed = section("=== FREED", "=== END");
    assert!(
        !full.contains("EXIT 101"),
        "a panic on a full disk:\n{text}"
    );
    assert!(
        full.contains("ERROR errore.archivio_locale"),
        "a typed storage error on a full disk:\n{text}"
    );
    assert!(
        freed.contains("AVVISO") && !freed.contains("EXIT"),
        "with space again the top-up goes through:\n{text}"
    );
    let portal = sandbox.state().ricariche;
    let known: Vec<&str> = freed
        .lines()
        .filter_map(|l| l.strip_prefix("FINAL "))
        .filter_map(|l| l.split(' ').nth(2))
        .collect();
    for ricarica in &portal {
        assert!(
            known.contains(&ricarica.id.as_str()),
            "{} is on the portal and not in the app:\n{text}",
            ricarica.id
        );
    }
    assert_eq!(known.len(), portal.len(), "{text}");
    println!("RELIABILITY\tstorage\t1\tdisk full: typed error, nothing sent unrecorded");
}

fn can_mount_tmpfs() -> bool {
    std::process::Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=1m",
            "tmpfs",
            "/mnt",
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn spawn(args: &[&str]) -> tokio::process::Child {
    tokio::process::Command::new(CHILD)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn login_child(sandbox: &SandboxHandle, url: &str, data: &str) {
    let credentials = sandbox.demo_credentials();
    let mut child = spawn(&[
        "login",
        "--portal",
        url,
        "--data",
        data,
        "--user",
        &credentials.username,
        "--password",
        &credentials.password,
    ]);
    if let Some(mut stdin) = child.stdin.take() {
        stdin.shutdown().await.ok();
    }
    assert!(child.wait().await.unwrap().success(), "login");
}
