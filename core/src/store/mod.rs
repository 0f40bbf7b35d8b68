//! The offline store: two SQLite files per profile (bundled SQLite, WAL, one writer), opened as
//! one connection with the second attached.
//!
//! - `<profile>.sqlite3`, the cache: documents, balances, movements. It can be deleted, found
//!   corrupt or written by a newer app at any time: it is rebuilt empty and the next sync fills it.
//! - `<profile>.records.sqlite3`, the records: the top-ups with their return secrets, the draft,
//!   what was notified. Data, not cache: written with `synchronous=FULL`, every status change a
//!   compare-and-set, never deleted for being unreadable by this version (a newer app's file is
//!   answered with [`Error::IncompatibleVersion`] and left as it is). Only a file damaged beyond
//!   reading is rebuilt, keeping every row that can still be read; the portal lists the
//!   unfinished top-ups by idempotency key for the rest.
//!
//! Files per profile keep two accounts (a parent in Valenza, the same parent in Alessandria)
//! apart by construction: no query can forget a `WHERE profile_id`.

mod schema;
#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;

pub use schema::SCHEMA_VERSION;

use crate::api::dto::Movement;
use crate::api::Error;
pub use schema::RECORDS_SCHEMA_VERSION;
use schema::{
    delete_database_files, is_damage, open_and_migrate, records_path, salvage_records, OpenError,
    Part, TABLES,
};

/// A cached document with the `ETag` it came with and when it was last confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Cached<T> {
    pub value: T,
    pub etag: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

/// What one refresh brought; applied in one transaction or not at all.
#[derive(Debug, Clone, Default)]
pub struct CacheUpdate {
    /// `(resource, json, etag)` of documents that changed.
    pub fresh: Vec<(String, String, Option<String>)>,
    /// Resources the portal confirmed with 304: only their `fetched_at` moves.
    pub confirmed: Vec<String>,
    pub movements: Vec<Movement>,
    /// Where to resume from next time.
    pub cursors: Vec<CursorUpdate>,
}

/// The cursor of an incremental resource, and the `ETag` of the page at that cursor when the
/// last page fetched was that very page (empty: nothing new), so that asking again costs a 304.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorUpdate {
    pub resource: String,
    pub cursor: String,
    pub etag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefreshStatus {
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Message key of the error of the last attempt, if it failed.
    pub last_error: Option<String>,
}

/// A top-up in progress as the ricarica flow persisted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRicarica {
    pub id: String,
    pub idempotency_key: String,
    pub state_json: String,
    pub finished: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    rebuilt: bool,
    /// Bumped after every committed write: what the live views wait on. A watch channel keeps
    /// only the latest value, so a slow subscriber can never hold a writer back.
    changes: watch::Sender<u64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("rebuilt", &self.rebuilt)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The cache file of `profile` under `data_dir`.
    pub fn open_profile(data_dir: &Path, profile: &str) -> Result<Store, Error> {
        Store::open(&profile_db_path(data_dir, profile)?)
    }

    /// Opens (creating or upgrading) the cache at `path` and the records file beside it. A
    /// corrupt, foreign or too-new cache is deleted and rebuilt empty; a records file from a newer
    /// app is an [`Error::IncompatibleVersion`], left untouched.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let records = records_path(path);
        let mut cache_rebuilt = false;
        let mut records_rebuilt = false;
        let mut salvaged = Vec::new();
        let marker = corrupt_marker(path);
        if marker.exists() {
            let damaged = fs::read_to_string(&marker).unwrap_or_default();
            // An empty marker comes from a version that kept everything in one file.
            if damaged.is_empty() || damaged.contains("cache") {
                delete_database_files(path)?;
                cache_rebuilt = true;
            }
            if damaged.contains("records") {
                salvaged = salvage_records(&records);
                delete_database_files(&records)?;
                records_rebuilt = true;
            }
            fs::remove_file(&marker)?;
        }
        let conn = loop {
            match open_and_migrate(path, &records) {
                Ok(conn) => break conn,
                Err(
                    OpenError::Unreadable(Part::Cache)
                    | OpenError::Newer {
                        part: Part::Cache, ..
                    },
                ) if !cache_rebuilt => {
                    delete_database_files(path)?;
                    cache_rebuilt = true;
                }
                Err(OpenError::Unreadable(Part::Records)) if !records_rebuilt => {
                    salvaged = salvage_records(&records);
                    delete_database_files(&records)?;
                    records_rebuilt = true;
                }
                Err(other) => return Err(other.into_error()),
            }
        };
        restore_salvaged(&conn, &salvaged)?;
        Ok(Store::wrap(conn, path, cache_rebuilt || records_rebuilt))
    }

    /// Scans both files (off the launch path: the background work calls it). A damaged file is
    /// marked, and the next [`Store::open`] rebuilds it; returns whether both were sound.
    pub fn check_integrity(&self) -> Result<bool, Error> {
        let mut damaged = Vec::new();
        for (schema, part) in [("main", "cache"), ("records", "records")] {
            let verdict: Result<String, rusqlite::Error> =
                self.conn()
                    .query_row(&format!("PRAGMA {schema}.quick_check"), [], |r| r.get(0));
            match verdict {
                Ok(verdict) if verdict == "ok" => {}
                Ok(_) => damaged.push(part),
                Err(e) if is_damage(&e) => damaged.push(part),
                Err(e) => return Err(Error::Storage(e)),
            }
        }
        if !damaged.is_empty() {
            fs::write(corrupt_marker(&self.path), damaged.join(" "))?;
        }
        Ok(damaged.is_empty())
    }

    /// The records file beside this cache.
    pub fn records_path(&self) -> PathBuf {
        records_path(&self.path)
    }

    fn wrap(conn: Connection, path: &Path, rebuilt: bool) -> Store {
        Store {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            rebuilt,
            changes: watch::Sender::new(0),
        }
    }

    /// Wakes every live view; called after each write has been committed.
    fn changed(&self) {
        self.changes.send_modify(|generation| *generation += 1);
    }

    /// How many writes this store has committed: equal numbers, equal contents.
    pub fn generation(&self) -> u64 {
        *self.changes.borrow()
    }

    /// A receiver that sees a new value after every write from now on.
    pub fn watch_changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the file was found unreadable at open and rebuilt empty.
    pub fn was_rebuilt(&self) -> bool {
        self.rebuilt
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled back its transaction on unwind; the connection
        // itself is still sound.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A cached document; `None` when absent or no longer readable as `T` (the next refresh
    /// fetches it again, since its ETag is dropped with it).
    pub fn document<T: DeserializeOwned>(
        &self,
        resource: &str,
    ) -> Result<Option<Cached<T>>, Error> {
        let conn = self.conn();
        // Cached statements: the views read these on every change, several per screen.
        let row = conn
            .prepare_cached("SELECT json, etag, fetched_at FROM documents WHERE resource = ?1")?
            .query_row([resource], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, i64>(2)?))
            })
            .optional()?;
        let Some((json, etag, fetched_at)) = row else {
            return Ok(None);
        };
        match serde_json::from_str(&json) {
            Ok(value) => Ok(Some(Cached {
                value,
                etag,
                fetched_at: from_millis(fetched_at),
            })),
            Err(error) => {
                tracing::warn!(
                    resource,
                    "cached document not readable, fetched again: {error}"
                );
                conn.execute("DELETE FROM documents WHERE resource = ?1", [resource])?;
                Ok(None)
            }
        }
    }

    pub fn etag(&self, resource: &str) -> Result<Option<String>, Error> {
        Ok(self
            .conn()
            .prepare_cached("SELECT etag FROM documents WHERE resource = ?1")?
            .query_row([resource], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    pub fn cursor(&self, resource: &str) -> Result<Option<String>, Error> {
        Ok(self.cursor_and_etag(resource)?.map(|(cursor, _)| cursor))
    }

    /// The cursor and, when known, the `ETag` of the (empty) page at it.
    pub fn cursor_and_etag(
        &self,
        resource: &str,
    ) -> Result<Option<(String, Option<String>)>, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT cursor, etag FROM cursors WHERE resource = ?1",
                [resource],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Writes everything one refresh fetched, and marks the refresh successful, atomically.
    pub fn apply(&self, update: &CacheUpdate, now: DateTime<Utc>) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now_ms = now.timestamp_millis();
        for (resource, json, etag) in &update.fresh {
            tx.execute(
                "INSERT INTO documents (resource, json, etag, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (resource) DO UPDATE
                 SET json = excluded.json, etag = excluded.etag, fetched_at = excluded.fetched_at",
                params![resource, json, etag, now_ms],
            )?;
        }
        for resource in &update.confirmed {
            tx.execute(
                "UPDATE documents SET fetched_at = ?2 WHERE resource = ?1",
                params![resource, now_ms],
            )?;
        }
        {
            // One statement for all the rows: a first sync brings thousands.
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO movements (id, child_id, service_code, occurred_at, json)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for movement in &update.movements {
                insert.execute(params![
                    movement.id,
                    movement.child_id,
                    movement.service_code,
                    movement.occurred_at.to_rfc3339(),
                    serde_json::to_string(movement)?
                ])?;
            }
        }
        for c in &update.cursors {
            tx.execute(
                "INSERT OR REPLACE INTO cursors (resource, cursor, etag) VALUES (?1, ?2, ?3)",
                params![c.resource, c.cursor, c.etag],
            )?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO refresh_status (id, last_success_at, last_attempt_at, last_error)
             VALUES (1, ?1, ?1, NULL)",
            [now_ms],
        )?;
        tx.commit()?;
        self.changed();
        Ok(())
    }

    /// Notes a failed refresh without touching the cached data.
    pub fn record_refresh_failure(&self, now: DateTime<Utc>, error_key: &str) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO refresh_status (id, last_success_at, last_attempt_at, last_error)
             VALUES (1, NULL, ?1, ?2)
             ON CONFLICT (id) DO UPDATE
             SET last_attempt_at = excluded.last_attempt_at, last_error = excluded.last_error",
            params![now.timestamp_millis(), error_key],
        )?;
        self.changed();
        Ok(())
    }

    pub fn refresh_status(&self) -> Result<RefreshStatus, Error> {
        let row = self
            .conn()
            .prepare_cached(
                "SELECT last_success_at, last_attempt_at, last_error FROM refresh_status",
            )?
            .query_row([], |r| {
                Ok(RefreshStatus {
                    last_success_at: r.get::<_, Option<i64>>(0)?.map(from_millis),
                    last_attempt_at: Some(from_millis(r.get(1)?)),
                    last_error: r.get(2)?,
                })
            })
            .optional()?;
        Ok(row.unwrap_or_default())
    }

    /// The latest `limit` movements of one child's service, newest first.
    pub fn movements(
        &self,
        child_id: &str,
        service_code: &str,
        limit: u32,
    ) -> Result<Vec<Movement>, Error> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT json FROM movements WHERE child_id = ?1 AND service_code = ?2
             ORDER BY occurred_at DESC, id DESC LIMIT ?3",
        )?;
        let rows = statement.query_map(params![child_id, service_code, limit], |r| {
            r.get::<_, String>(0)
        })?;
        let mut movements = Vec::new();
        for json in rows {
            // A row this version cannot read is skipped rather than hiding the others.
            match serde_json::from_str(&json?) {
                Ok(movement) => movements.push(movement),
                Err(error) => tracing::warn!("cached movement not readable, skipped: {error}"),
            }
        }
        Ok(movements)
    }

    /// Records a top-up before anything is sent to the portal.
    pub fn insert_ricarica(
        &self,
        id: &str,
        idempotency_key: &str,
        state_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO ricariche (id, idempotency_key, state_json, finished, created_at, updated_at)
             VALUES (?1, ?2, ?3, 0, ?4, ?4)",
            params![id, idempotency_key, state_json, now.timestamp_millis()],
        )?;
        self.changed();
        Ok(())
    }

    /// Moves a top-up from the state `expected` (as read) to `state_json`: a compare-and-set, so
    /// that of two writers that read the same state only one can move it. `false`, with nothing
    /// written, when the stored state is no longer `expected` (or the top-up is unknown).
    pub fn update_ricarica(
        &self,
        id: &str,
        expected: &str,
        state_json: &str,
        finished: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let changed = self.conn().execute(
            "UPDATE ricariche SET state_json = ?3, finished = ?4, updated_at = ?5
             WHERE id = ?1 AND state_json = ?2",
            params![id, expected, state_json, finished, now.timestamp_millis()],
        )?;
        if changed == 1 {
            self.changed();
        }
        Ok(changed == 1)
    }

    /// The idempotency key of every stored top-up, finished or not.
    pub fn idempotency_keys(&self) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut statement = conn.prepare("SELECT idempotency_key FROM ricariche")?;
        let keys = statement.query_map([], |r| r.get::<_, String>(0))?;
        Ok(keys.collect::<Result<_, _>>()?)
    }

    /// Every stored top-up, newest first ("le mie ricariche").
    pub fn all_ricariche(&self) -> Result<Vec<StoredRicarica>, Error> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT id, idempotency_key, state_json, finished, created_at, updated_at
             FROM ricariche ORDER BY created_at DESC, id DESC",
        )?;
        let rows = statement.query_map([], read_ricarica)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn ricarica(&self, id: &str) -> Result<Option<StoredRicarica>, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, idempotency_key, state_json, finished, created_at, updated_at
                 FROM ricariche WHERE id = ?1",
                [id],
                read_ricarica,
            )
            .optional()?)
    }

    /// Top-ups not yet settled, oldest first: resumed at every start.
    pub fn unfinished_ricariche(&self) -> Result<Vec<StoredRicarica>, Error> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT id, idempotency_key, state_json, finished, created_at, updated_at
             FROM ricariche WHERE finished = 0 ORDER BY created_at, id",
        )?;
        let rows = statement.query_map([], read_ricarica)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the profile's draft top-up (the choices before PROSEGUI).
    pub fn save_draft(&self, state_json: &str, now: DateTime<Utc>) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO ricarica_draft (id, state_json, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE
             SET state_json = excluded.state_json, updated_at = excluded.updated_at",
            params![state_json, now.timestamp_millis()],
        )?;
        self.changed();
        Ok(())
    }

    pub fn load_draft(&self) -> Result<Option<String>, Error> {
        Ok(self
            .conn()
            .query_row("SELECT state_json FROM ricarica_draft", [], |r| r.get(0))
            .optional()?)
    }

    /// "Annulla" on the draft: the next one starts empty.
    pub fn delete_draft(&self) -> Result<(), Error> {
        self.conn().execute("DELETE FROM ricarica_draft", [])?;
        self.changed();
        Ok(())
    }

    /// PROSEGUI: records the top-up and deletes the draft it came from in one transaction, so a
    /// crash can never leave both (a second PROSEGUI on the leftover draft would create a second
    /// intent). `false`, with nothing written, when the stored draft is no longer `draft_json`:
    /// another PROSEGUI already handed it over, or it changed meanwhile.
    pub fn insert_ricarica_from_draft(
        &self,
        id: &str,
        idempotency_key: &str,
        state_json: &str,
        draft_json: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let deleted = tx.execute(
            "DELETE FROM ricarica_draft WHERE state_json = ?1",
            [draft_json],
        )?;
        if deleted != 1 {
            // Dropping the transaction rolls it back.
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO ricariche (id, idempotency_key, state_json, finished, created_at, updated_at)
             VALUES (?1, ?2, ?3, 0, ?4, ?4)",
            params![id, idempotency_key, state_json, now.timestamp_millis()],
        )?;
        tx.commit()?;
        self.changed();
        Ok(true)
    }

    /// Deletes every row of this profile (logout).
    pub fn wipe(&self) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for table in TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        tx.commit()?;
        self.changed();
        // The deleted rows still sit in the WAL's old frames and, until a checkpoint, in the
        // main file's pages; a phone's app is killed, not closed, so the checkpoint may never
        // come. VACUUM rewrites the file without them; TRUNCATE empties the WAL right after.
        conn.execute_batch("VACUUM main; VACUUM records;")?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Of the events true now (`current`), those not announced before: recorded as announced in
    /// the same transaction that finds them, so that a crash after this call can lose a
    /// notification but never repeat one. Announced events no longer true are forgotten, so the
    /// next episode (credit low again after a top-up) is announced anew.
    pub fn announce(&self, current: &[String], now: DateTime<Utc>) -> Result<Vec<String>, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let before: Vec<String> = {
            let mut statement = tx.prepare("SELECT id FROM announced")?;
            let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for gone in before.iter().filter(|id| !current.contains(id)) {
            tx.execute("DELETE FROM announced WHERE id = ?1", [gone])?;
        }
        let mut fresh = Vec::new();
        for id in current {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO announced (id, announced_at) VALUES (?1, ?2)",
                params![id, now.timestamp_millis()],
            )?;
            if inserted == 1 {
                fresh.push(id.clone());
            }
        }
        tx.commit()?;
        Ok(fresh)
    }

    /// Rows across all tables, for checking that a wipe left nothing.
    pub fn row_count(&self) -> Result<i64, Error> {
        let conn = self.conn();
        let mut total = 0;
        for table in TABLES {
            total += conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })?;
        }
        Ok(total)
    }
}

fn read_ricarica(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRicarica> {
    Ok(StoredRicarica {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        state_json: r.get(2)?,
        finished: r.get(3)?,
        created_at: from_millis(r.get(4)?),
        updated_at: from_millis(r.get(5)?),
    })
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The profiles with a cache file under `data_dir`, sorted.
pub fn profiles_on_disk(data_dir: &Path) -> Result<Vec<String>, Error> {
    let dir = data_dir.join("profiles");
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut profiles = Vec::new();
    for entry in entries {
        let name = entry?.file_name();
        let Some(profile) = name.to_str().and_then(|n| n.strip_suffix(".sqlite3")) else {
            continue;
        };
        if profile_db_path(data_dir, profile).is_ok() {
            profiles.push(profile.to_owned());
        }
    }
    profiles.sort();
    Ok(profiles)
}

/// One cached document of a profile that is not open, read without writing to the file (no
/// migration, no rebuild); `None` when the file cannot be read as a current cache.
pub fn peek_document<T: DeserializeOwned>(
    data_dir: &Path,
    profile: &str,
    resource: &str,
) -> Result<Option<T>, Error> {
    let path = profile_db_path(data_dir, profile)?;
    let Ok(conn) = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Ok(None);
    };
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM documents WHERE resource = ?1",
            [resource],
            |r| r.get(0),
        )
        .optional()
        .unwrap_or(None);
    Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
}

/// Deletes both files of a profile with their WAL and journal (removing the profile).
pub fn delete_profile_files(data_dir: &Path, profile: &str) -> Result<(), Error> {
    let path = profile_db_path(data_dir, profile)?;
    delete_database_files(&path)?;
    delete_database_files(&records_path(&path))?;
    // A rebuild pending for a file that is gone has nothing left to do.
    match fs::remove_file(corrupt_marker(&path)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Rows read back from a damaged records file, written into the rebuilt one.
fn restore_salvaged(conn: &Connection, rows: &[Vec<rusqlite::types::Value>]) -> Result<(), Error> {
    for row in rows {
        conn.execute(
            "INSERT OR IGNORE INTO records.ricariche
             (id, idempotency_key, state_json, finished, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params_from_iter(row.iter()),
        )?;
    }
    Ok(())
}

/// Left beside a cache file found damaged, for the next open to rebuild it.
fn corrupt_marker(path: &Path) -> PathBuf {
    let mut marker = path.as_os_str().to_owned();
    marker.push("-corrupt");
    PathBuf::from(marker)
}

/// Profile ids become file names: keep them to a safe alphabet.
pub fn profile_db_path(data_dir: &Path, profile: &str) -> Result<PathBuf, Error> {
    let valid = !profile.is_empty()
        && profile.len() <= 64
        && profile
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid {
        return Err(Error::invalid("profile", "solo a-z, 0-9, '-' e '_'"));
    }
    Ok(data_dir.join("profiles").join(format!("{profile}.sqlite3")))
}
