//! The core against what the same work costs done bare, in one run, so each row is a ratio:
//! launch (open + Saldo) and warm Saldo against rusqlite on the same file, a sync against
//! serde_json decoding the same pages, storing against a prepared INSERT, and one FFI-sized call.
//! `scripts/bench.sh` reads the medians from target/criterion and prints the table.

use std::path::Path;
use std::time::{Duration, Instant};

use comunicapp_bench::{raw_movement_pages, sandbox_with_total, DataDir, Profile};
use comunicapp_core::api::dto::{Movement, MovementsPage};
use comunicapp_core::money::Amount;
use comunicapp_core::store::{CacheUpdate, Store};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rusqlite::{Connection, OpenFlags};

const CACHE_SIZES: [usize; 3] = [3_000, 15_000, 50_000];
const SYNCED: usize = 5_000;
/// The core's page size (the portal's maximum).
const PAGE: u32 = 500;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// What the Saldo screen reads, for the bare baseline: the (child, service) pairs it shows.
struct SaldoRows {
    pairs: Vec<(String, String)>,
    shown: u32,
}

/// The same rows the core reads for the Saldo, by a bare connection: its three documents, the
/// refresh status and the newest movements of each service.
fn bare_saldo(conn: &Connection, rows: &SaldoRows) -> usize {
    let mut bytes = 0;
    let mut documents = conn
        .prepare_cached("SELECT json FROM documents WHERE resource = ?1")
        .expect("documents query");
    for resource in ["account", "balances", "ente"] {
        let json: String = documents
            .query_row([resource], |r| r.get(0))
            .expect("document");
        bytes += json.len();
    }
    let _: Option<i64> = conn
        .query_row("SELECT last_success_at FROM refresh_status", [], |r| {
            r.get(0)
        })
        .ok();
    let mut movements = conn
        .prepare_cached(
            "SELECT json FROM movements WHERE child_id = ?1 AND service_code = ?2
             ORDER BY occurred_at DESC LIMIT ?3",
        )
        .expect("movements query");
    for (child, service) in &rows.pairs {
        let found = movements
            .query_map(rusqlite::params![child, service, rows.shown], |r| {
                r.get::<_, String>(0)
            })
            .expect("movements");
        for json in found {
            bytes += json.expect("movement").len();
        }
    }
    bytes
}

fn cache_file(dir: &Path) -> std::path::PathBuf {
    let profiles = dir.join("profiles");
    std::fs::read_dir(&profiles)
        .expect("profiles folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "sqlite3"))
        .expect("the profile's cache file")
}

/// A parent's cache after a first sync of `size` movements, and the rows its Saldo shows.
struct SyncedCache {
    _sandbox: comunicapp_sandbox::SandboxHandle,
    dir: DataDir,
    profile: Profile,
    file: std::path::PathBuf,
    rows: SaldoRows,
}

fn synced_cache(rt: &tokio::runtime::Runtime, size: usize) -> SyncedCache {
    let dir = DataDir::new("launch");
    let (sandbox, profile) = rt.block_on(async {
        let sandbox = sandbox_with_total(size).await;
        let profile = Profile::logged_in(&sandbox, &sandbox.base_url(), dir.path()).await;
        profile
            .open(dir.path())
            .refresh()
            .await
            .expect("first sync");
        (sandbox, profile)
    });
    let saldo = profile.open(dir.path()).saldo().expect("saldo");
    let rows = SaldoRows {
        pairs: saldo
            .children
            .iter()
            .flat_map(|c| {
                c.services
                    .iter()
                    .map(|s| (c.child_id.clone(), s.service_code.clone()))
            })
            .collect(),
        shown: 10,
    };
    let file = cache_file(dir.path());
    SyncedCache {
        _sandbox: sandbox,
        dir,
        profile,
        file,
        rows,
    }
}

fn launch_and_saldo(c: &mut Criterion) {
    let rt = runtime();
    let caches: Vec<(usize, SyncedCache)> = CACHE_SIZES
        .iter()
        .map(|&size| (size, synced_cache(&rt, size)))
        .collect();
    let mut launch = c.benchmark_group("launch");
    launch.sample_size(30);
    for (size, cache) in &caches {
        launch.bench_function(BenchmarkId::new("core", size), |b| {
            b.iter(|| {
                let session = cache.profile.open(cache.dir.path());
                session.saldo().expect("saldo")
            })
        });
        launch.bench_function(BenchmarkId::new("bare", size), |b| {
            b.iter(|| {
                let conn =
                    Connection::open_with_flags(&cache.file, OpenFlags::SQLITE_OPEN_READ_WRITE)
                        .expect("bare open");
                bare_saldo(&conn, &cache.rows)
            })
        });
    }
    launch.finish();

    let (_, cache) = &caches[0];
    let session = cache.profile.open(cache.dir.path());
    let conn = Connection::open(&cache.file).expect("bare open");
    let mut warm = c.benchmark_group("saldo");
    warm.bench_function("core", |b| b.iter(|| session.saldo().expect("saldo")));
    warm.bench_function("bare", |b| b.iter(|| bare_saldo(&conn, &cache.rows)));
    warm.finish();
}

fn sync_and_store(c: &mut Criterion) {
    let rt = runtime();
    let dir = DataDir::new("sync");
    let (sandbox, profile, pages) = rt.block_on(async {
        let sandbox = sandbox_with_total(SYNCED).await;
        let profile = Profile::logged_in(&sandbox, &sandbox.base_url(), dir.path()).await;
        let pages = raw_movement_pages(&sandbox, PAGE).await;
        (sandbox, profile, pages)
    });
    let movements: Vec<Movement> = pages
        .iter()
        .flat_map(|p| {
            serde_json::from_slice::<MovementsPage>(p)
                .expect("page")
                .movements
        })
        .collect();
    assert!(movements.len() >= SYNCED, "{} movements", movements.len());

    let mut sync = c.benchmark_group("sync");
    sync.sample_size(10);
    sync.bench_function("core", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                // A new install on the same login: every movement comes down again.
                let fresh = DataDir::new("sync-run");
                let session = profile.open(fresh.path());
                let start = Instant::now();
                rt.block_on(session.refresh()).expect("sync");
                spent += start.elapsed();
            }
            spent
        })
    });
    sync.bench_function("decode", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|p| {
                    serde_json::from_slice::<MovementsPage>(p)
                        .expect("page")
                        .movements
                        .len()
                })
                .sum::<usize>()
        })
    });
    sync.finish();

    let mut store = c.benchmark_group("store");
    store.sample_size(10);
    store.bench_function("core", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let fresh = DataDir::new("store-run");
                let target = Store::open(&fresh.path().join("c.sqlite3")).expect("store");
                let update = CacheUpdate {
                    movements: movements.clone(),
                    ..CacheUpdate::default()
                };
                let start = Instant::now();
                target.apply(&update, chrono::Utc::now()).expect("apply");
                spent += start.elapsed();
            }
            spent
        })
    });
    store.bench_function("bare", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let fresh = DataDir::new("store-bare");
                // The same schema and pragmas as the core's file, so only the writing differs.
                drop(Store::open(&fresh.path().join("c.sqlite3")).expect("store"));
                let mut conn = Connection::open(fresh.path().join("c.sqlite3")).expect("open");
                conn.pragma_update(None, "synchronous", "NORMAL")
                    .expect("pragma");
                let start = Instant::now();
                let tx = conn.transaction().expect("tx");
                {
                    let mut insert = tx
                        .prepare(
                            "INSERT OR REPLACE INTO movements
                             (id, child_id, service_code, occurred_at, json)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                        )
                        .expect("insert");
                    for m in &movements {
                        let json = serde_json::to_string(m).expect("json");
                        insert
                            .execute(rusqlite::params![
                                m.id,
                                m.child_id,
                                m.service_code,
                                m.occurred_at.to_rfc3339(),
                                json
                            ])
                            .expect("row");
                    }
                }
                tx.commit().expect("commit");
                spent += start.elapsed();
            }
            spent
        })
    });
    store.finish();
    drop(sandbox);
}

/// The work behind the smallest call the apps make across the FFI (`parseAmount("20,50")`), in
/// Rust, for the JVM and Swift harnesses to be compared with.
fn ffi_work(c: &mut Criterion) {
    c.bench_function("ffi/rust", |b| {
        b.iter(|| Amount::parse_it(std::hint::black_box("20,50")).expect("amount"))
    });
}

criterion_group!(benches, launch_and_saldo, sync_and_store, ffi_work);
criterion_main!(benches);
