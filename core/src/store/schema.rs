//! The cache's schema, its numbered migrations, and opening a file that may be corrupt.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};

use crate::api::Error;

/// Migration `n` (1-based) brings a database from `user_version` n-1 to n. Append only.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the cached portal documents, movements and their cursor.
    "CREATE TABLE documents (
        resource TEXT PRIMARY KEY NOT NULL,
        json TEXT NOT NULL,
        etag TEXT,
        fetched_at INTEGER NOT NULL
    );
    CREATE TABLE movements (
        id TEXT PRIMARY KEY NOT NULL,
        child_id TEXT NOT NULL,
        service_code TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        json TEXT NOT NULL
    );
    CREATE TABLE cursors (
        resource TEXT PRIMARY KEY NOT NULL,
        cursor TEXT NOT NULL
    );",
    // 2: refresh outcome (for `stale`), top-ups in progress, movements looked up per service.
    "CREATE INDEX movements_by_service ON movements (child_id, service_code, occurred_at);
    CREATE TABLE refresh_status (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_success_at INTEGER,
        last_attempt_at INTEGER NOT NULL,
        last_error TEXT
    );
    CREATE TABLE ricariche (
        id TEXT PRIMARY KEY NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        state_json TEXT NOT NULL,
        finished INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );",
    // 3: the top-up the parent is composing (before PROSEGUI); one per profile, like the file.
    "CREATE TABLE ricarica_draft (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state_json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );",
    // 4: the events the background work already notified (credit low, debt, registered, due).
    "CREATE TABLE announced (
        id TEXT PRIMARY KEY NOT NULL,
        announced_at INTEGER NOT NULL
    );",
    // 5: the ETag of the empty movements page at the cursor: an unchanged refresh is all 304s.
    "ALTER TABLE cursors ADD COLUMN etag TEXT;",
    // 6: the Saldo's "newest movements of a service" walk the index, with no sort of them all.
    "DROP INDEX movements_by_service;
    CREATE INDEX movements_by_service ON movements (child_id, service_code, occurred_at, id);",
    // 7: the top-ups are data, not cache: they now live in the records file (copied there by
    // `hand_records_over` in a transaction of their own first, so no crash can lose them).
    "DROP TABLE main.ricariche; DROP TABLE main.ricarica_draft; DROP TABLE main.announced;",
];

/// The schema a new cache file gets directly. The migration test proves that every upgrade path
/// ends exactly here. Pure cache: what the portal can give again.
const SCHEMA: &str = "
    CREATE TABLE documents (
        resource TEXT PRIMARY KEY NOT NULL,
        json TEXT NOT NULL,
        etag TEXT,
        fetched_at INTEGER NOT NULL
    );
    CREATE TABLE movements (
        id TEXT PRIMARY KEY NOT NULL,
        child_id TEXT NOT NULL,
        service_code TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        json TEXT NOT NULL
    );
    CREATE TABLE cursors (
        resource TEXT PRIMARY KEY NOT NULL,
        cursor TEXT NOT NULL
    , etag TEXT);
    CREATE TABLE refresh_status (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_success_at INTEGER,
        last_attempt_at INTEGER NOT NULL,
        last_error TEXT
    );
    CREATE INDEX movements_by_service ON movements (child_id, service_code, occurred_at, id);
";

/// Migration `n` (1-based) of the records file. Append only.
pub(super) const RECORD_MIGRATIONS: &[&str] = &[
    // 1: the top-ups (with their return secrets), the draft, what was notified.
    "CREATE TABLE records.ricariche (
        id TEXT PRIMARY KEY NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        state_json TEXT NOT NULL,
        finished INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE records.ricarica_draft (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state_json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE records.announced (
        id TEXT PRIMARY KEY NOT NULL,
        announced_at INTEGER NOT NULL
    );",
];

pub const RECORDS_SCHEMA_VERSION: i64 = RECORD_MIGRATIONS.len() as i64;

/// Up to cache version 6 the records lived in the cache file: version 7 moves them out.
const RECORDS_LEFT_THE_CACHE: i64 = 7;
const RECORD_TABLES: &[&str] = &["ricariche", "ricarica_draft", "announced"];

pub(super) const TABLES: &[&str] = &[
    "documents",
    "movements",
    "cursors",
    "refresh_status",
    "ricariche",
    "ricarica_draft",
    "announced",
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The two files of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Balances, movements, documents: the portal gives them again.
    Cache,
    /// The top-ups, the draft, what was notified: kept, never thrown away for being unreadable
    /// by this version.
    Records,
}

pub(super) enum OpenError {
    /// Not a database, or corrupt at the header.
    Unreadable(Part),
    /// Written by a newer app: `found` is its schema version.
    Newer {
        part: Part,
        found: i64,
    },
    Other(Error),
}

impl OpenError {
    fn sqlite(part: Part) -> impl Fn(rusqlite::Error) -> OpenError {
        move |e| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                OpenError::Unreadable(part)
            }
            _ => OpenError::Other(Error::Storage(e)),
        }
    }

    pub(super) fn into_error(self) -> Error {
        match self {
            OpenError::Unreadable(_) => Error::invalid("cache", "archivio locale illeggibile"),
            OpenError::Newer { part, found } => Error::IncompatibleVersion {
                found,
                supported: match part {
                    Part::Cache => SCHEMA_VERSION,
                    Part::Records => RECORDS_SCHEMA_VERSION,
                },
            },
            OpenError::Other(e) => e,
        }
    }
}

/// Whether a scan error means the file is damaged (rather than, say, the disk being busy).
pub(super) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// Opens the cache at `path` with the records file attached as `records`, both migrated.
pub(super) fn open_and_migrate(path: &Path, records: &Path) -> Result<Connection, OpenError> {
    let cache = OpenError::sqlite(Part::Cache);
    let conn = Connection::open(path).map_err(&cache)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(&cache)?;
    // The first statement that reads the file header: junk fails here with NotADatabase.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(&cache)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(&cache)?;
    // A logout deletes the parent's rows; zero them on disk rather than leave them in free pages.
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(&cache)?;
    // No integrity scan here: it reads the whole file and the parent is waiting for the Saldo.
    // Junk fails at the header above; damage deeper in is found by `Store::check_integrity`,
    // which the background work runs, and the next open rebuilds the file.
    let cache_version = user_version(&conn, "main").map_err(&cache)?;
    if cache_version > SCHEMA_VERSION {
        return Err(OpenError::Newer {
            part: Part::Cache,
            found: cache_version,
        });
    }
    attach_records(&conn, records)?;
    if cache_version == 0 && is_empty(&conn).map_err(&cache)? {
        create_fresh(&conn).map_err(&cache)?;
    } else if cache_version < SCHEMA_VERSION {
        upgrade(&conn, cache_version).map_err(&cache)?;
    }
    Ok(conn)
}

fn attach_records(conn: &Connection, records: &Path) -> Result<(), OpenError> {
    let part = OpenError::sqlite(Part::Records);
    let Some(file) = records.to_str() else {
        return Err(OpenError::Other(Error::invalid(
            "cache",
            "percorso non UTF-8",
        )));
    };
    conn.execute("ATTACH DATABASE ?1 AS records", [file])
        .map_err(&part)?;
    conn.pragma_update(Some("records"), "journal_mode", "WAL")
        .map_err(&part)?;
    // A top-up's step must survive a power cut, not only a crash: FULL syncs the WAL at every
    // commit (NORMAL may lose the last commits on power loss, which for the cache is harmless).
    conn.pragma_update(Some("records"), "synchronous", "FULL")
        .map_err(&part)?;
    conn.pragma_update(Some("records"), "secure_delete", "ON")
        .map_err(&part)?;
    let version = user_version(conn, "records").map_err(&part)?;
    if version > RECORDS_SCHEMA_VERSION {
        return Err(OpenError::Newer {
            part: Part::Records,
            found: version,
        });
    }
    for (index, sql) in RECORD_MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let to = index + 1;
        conn.execute_batch(&format!(
            "BEGIN; {sql} PRAGMA records.user_version = {to}; COMMIT;"
        ))
        .map_err(&part)?;
    }
    Ok(())
}

fn user_version(conn: &Connection, schema: &str) -> Result<i64, rusqlite::Error> {
    conn.query_row(&format!("PRAGMA {schema}.user_version"), [], |r| r.get(0))
}

fn is_empty(conn: &Connection) -> Result<bool, rusqlite::Error> {
    conn.query_row("SELECT count(*) = 0 FROM main.sqlite_master", [], |r| {
        r.get(0)
    })
}

fn create_fresh(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch(&format!(
        "BEGIN; {SCHEMA} PRAGMA main.user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
}

/// Runs the migrations after `from`, each in its own transaction with its version bump, so an
/// interrupted upgrade resumes where it stopped.
fn upgrade(conn: &Connection, from: i64) -> Result<(), rusqlite::Error> {
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(from).unwrap_or(0))
    {
        let to = index + 1;
        if to as i64 == RECORDS_LEFT_THE_CACHE {
            hand_records_over(conn)?;
        }
        conn.execute_batch(&format!(
            "BEGIN; {sql} PRAGMA main.user_version = {to}; COMMIT;"
        ))?;
    }
    Ok(())
}

/// Copies the record tables of an old cache file into the records file, committed before the
/// cache drops them: a crash in between copies again (the same rows, ignored), never loses one.
fn hand_records_over(conn: &Connection) -> Result<(), rusqlite::Error> {
    let mut sql = String::from("BEGIN;");
    for table in RECORD_TABLES {
        sql.push_str(&format!(
            " INSERT OR IGNORE INTO records.{table} SELECT * FROM main.{table};"
        ));
    }
    sql.push_str(" COMMIT;");
    conn.execute_batch(&sql)
}

/// The rows of a damaged records file that can still be read, for the rebuilt one.
pub(super) fn salvage_records(records: &Path) -> Vec<Vec<rusqlite::types::Value>> {
    let Ok(conn) = Connection::open_with_flags(records, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Vec::new();
    };
    let Ok(mut statement) = conn.prepare(
        "SELECT id, idempotency_key, state_json, finished, created_at, updated_at FROM ricariche",
    ) else {
        return Vec::new();
    };
    let Ok(mut rows) = statement.query([]) else {
        return Vec::new();
    };
    let mut salvaged = Vec::new();
    // Up to the first unreadable page: what comes after it is lost with it.
    while let Ok(Some(row)) = rows.next() {
        let values: Result<Vec<rusqlite::types::Value>, _> = (0..6).map(|i| row.get(i)).collect();
        match values {
            Ok(values) => salvaged.push(values),
            Err(_) => break,
        }
    }
    salvaged
}

/// The records file beside the cache file `path` (`p.sqlite3` → `p.records.sqlite3`).
pub(super) fn records_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let records = match name.strip_suffix(".sqlite3") {
        Some(stem) => format!("{stem}.records.sqlite3"),
        None => format!("{name}.records"),
    };
    path.with_file_name(records)
}

pub(super) fn delete_database_files(path: &Path) -> Result<(), Error> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match fs::remove_file(PathBuf::from(file)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
