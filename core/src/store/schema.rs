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
];

/// The schema a new database gets directly. The migration test proves that every upgrade path
/// ends exactly here.
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
    CREATE TABLE ricariche (
        id TEXT PRIMARY KEY NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        state_json TEXT NOT NULL,
        finished INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE ricarica_draft (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state_json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE announced (
        id TEXT PRIMARY KEY NOT NULL,
        announced_at INTEGER NOT NULL
    );
    CREATE INDEX movements_by_service ON movements (child_id, service_code, occurred_at, id);
";

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

pub(super) enum OpenError {
    /// Not a database, corrupt, or written by a newer app: a cache we may throw away.
    Unreadable,
    Other(Error),
}

impl OpenError {
    pub(super) fn into_error(self) -> Error {
        match self {
            OpenError::Unreadable => Error::invalid("cache", "archivio locale illeggibile"),
            OpenError::Other(e) => e,
        }
    }
}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => OpenError::Unreadable,
            _ => OpenError::Other(Error::Storage(e)),
        }
    }
}

pub(super) fn open_and_migrate(path: &Path) -> Result<Connection, OpenError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // The first statement that reads the file header: junk fails here with NotADatabase.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A logout deletes the parent's rows; zero them on disk rather than leave them in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // No integrity scan here: it reads the whole file and the parent is waiting for the Saldo.
    // Junk fails at the header above; damage deeper in is found by `Store::check_integrity`,
    // which the background work runs, and the next open rebuilds the file.
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 && is_empty(&conn)? {
        create_fresh(&conn)?;
    } else if (0..SCHEMA_VERSION).contains(&version) {
        upgrade(&conn, version)?;
    } else if version != SCHEMA_VERSION {
        return Err(OpenError::Unreadable);
    }
    Ok(conn)
}

fn is_empty(conn: &Connection) -> Result<bool, rusqlite::Error> {
    conn.query_row("SELECT count(*) = 0 FROM sqlite_master", [], |r| r.get(0))
}

fn create_fresh(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch(&format!(
        "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
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
        conn.execute_batch(&format!("BEGIN; {sql} PRAGMA user_version = {to}; COMMIT;"))?;
    }
    Ok(())
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
