use super::schema::MIGRATIONS;
use super::*;
use crate::api::dto::MovementKind;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "comunicapp-store-{name}-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn schema_of(path: &Path) -> Vec<(String, String, String)> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    let rows = statement
        .query_map([], |r| {
            let sql: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                sql.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn movement(id: &str, child: &str, at: &str, cents: i64) -> Movement {
    Movement {
        id: id.to_owned(),
        child_id: child.to_owned(),
        service_code: "refezione".to_owned(),
        kind: MovementKind::Meal,
        amount_cents: cents,
        occurred_at: at.parse().unwrap(),
        description: "Pasto".to_owned(),
    }
}

#[test]
fn every_upgrade_path_ends_in_the_fresh_schema() {
    let dir = temp_dir("migrations");
    let fresh = dir.join("fresh.sqlite3");
    drop(Store::open(&fresh).unwrap());
    let expected = schema_of(&fresh);
    assert_eq!(expected.len(), 5, "{expected:?}");
    let expected_records = schema_of(&records_path(&fresh));
    assert_eq!(expected_records.len(), 3, "{expected_records:?}");
    for past in 0..SCHEMA_VERSION {
        let path = dir.join(format!("from-{past}.sqlite3"));
        {
            let conn = Connection::open(&path).unwrap();
            upgrade_to(&conn, past);
            if past >= 1 {
                conn.execute(
                    "INSERT INTO documents VALUES ('ente', '{}', '\"e1\"', 1000)",
                    [],
                )
                .unwrap();
            }
            if past >= 2 {
                // A top-up of a version that kept the records in the cache file.
                conn.execute(
                    "INSERT INTO ricariche VALUES ('r1', 'k1', '{}', 0, 1000, 1000)",
                    [],
                )
                .unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        assert!(!store.was_rebuilt());
        if past >= 2 {
            let kept = store.unfinished_ricariche().unwrap();
            assert_eq!(
                kept.len(),
                1,
                "upgrading from {past}: the top-up moved over"
            );
            assert_eq!(kept[0].idempotency_key, "k1");
        }
        drop(store);
        assert_eq!(schema_of(&path), expected, "upgrading from version {past}");
        assert_eq!(
            schema_of(&records_path(&path)),
            expected_records,
            "records, upgrading from version {past}"
        );
        assert_eq!(user_version(&path), SCHEMA_VERSION);
        assert_eq!(user_version(&records_path(&path)), RECORDS_SCHEMA_VERSION);
        if past >= 1 {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.etag("ente").unwrap().as_deref(), Some("\"e1\""));
        }
    }
    fs::remove_dir_all(dir).unwrap();
}

fn upgrade_to(conn: &Connection, version: i64) {
    for (index, sql) in MIGRATIONS.iter().enumerate().take(version as usize) {
        conn.execute_batch(&format!("{sql} PRAGMA user_version = {};", index + 1))
            .unwrap();
    }
}

fn a_ricarica(store: &Store, id: &str) {
    store
        .insert_ricarica(
            id,
            &format!("key-{id}"),
            r#"{"step":"submitting"}"#,
            Utc::now(),
        )
        .unwrap();
}

#[test]
fn a_junk_cache_file_is_rebuilt_empty_and_the_records_stay() {
    let dir = temp_dir("junk");
    let path = dir.join("cache.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        store
            .apply(
                &CacheUpdate {
                    movements: vec![movement("m1", "c1", "2026-11-27T11:30:00Z", -410)],
                    ..CacheUpdate::default()
                },
                Utc::now(),
            )
            .unwrap();
        a_ricarica(&store, "r1");
    }
    fs::write(
        &path,
        b"this is not a database, just junk written over the cache file",
    )
    .unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.was_rebuilt());
    assert!(store.movements("c1", "refezione", 5).unwrap().is_empty());
    assert_eq!(
        store.unfinished_ricariche().unwrap().len(),
        1,
        "records kept"
    );
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_cache_from_a_newer_app_is_rebuilt_and_the_records_stay() {
    let dir = temp_dir("newer-cache");
    let path = dir.join("cache.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        a_ricarica(&store, "r1");
    }
    fs::remove_file(&path).unwrap();
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.was_rebuilt());
    assert_eq!(store.unfinished_ricariche().unwrap().len(), 1);
    drop(store);
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn records_from_a_newer_app_are_refused_with_a_typed_error_and_kept_byte_for_byte() {
    let dir = temp_dir("newer-records");
    let path = dir.join("cache.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        a_ricarica(&store, "r1");
    }
    let records = records_path(&path);
    {
        let conn = Connection::open(&records).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 42;")
            .unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let before = fs::read(&records).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            error,
            Error::IncompatibleVersion {
                found: 42,
                supported: RECORDS_SCHEMA_VERSION
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.message_key(), "errore.versione_archivio");
    assert_eq!(fs::read(&records).unwrap(), before, "not touched");
    let conn = Connection::open(&records).unwrap();
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM ricariche", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_records_are_written_with_full_sync_and_the_cache_with_normal() {
    let dir = temp_dir("sync");
    let store = Store::open(&dir.join("c.sqlite3")).unwrap();
    let conn = store.conn();
    let level = |schema: &str| -> i64 {
        conn.query_row(&format!("PRAGMA {schema}.synchronous"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(level("records"), 2, "FULL");
    assert_eq!(level("main"), 1, "NORMAL");
    drop(conn);
    drop(store);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_status_update_is_a_compare_and_set_on_the_state_it_was_read_in() {
    let dir = temp_dir("cas");
    let store = Store::open(&dir.join("c.sqlite3")).unwrap();
    store
        .insert_ricarica("r1", "k1", r#"{"step":"in_checkout"}"#, Utc::now())
        .unwrap();
    // Two writers read the same state; the first moves it, the second must not overwrite.
    let read = r#"{"step":"in_checkout"}"#;
    assert!(store
        .update_ricarica("r1", read, r#"{"step":"paid"}"#, false, Utc::now())
        .unwrap());
    assert!(!store
        .update_ricarica("r1", read, r#"{"step":"cancelled"}"#, true, Utc::now())
        .unwrap());
    assert_eq!(
        store.ricarica("r1").unwrap().unwrap().state_json,
        r#"{"step":"paid"}"#
    );
    assert!(!store
        .update_ricarica("nope", read, "{}", true, Utc::now())
        .unwrap());
    drop(store);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn profiles_live_in_separate_files_and_never_see_each_other() {
    let dir = temp_dir("profiles");
    let valenza = Store::open_profile(&dir, "valenza").unwrap();
    let alessandria = Store::open_profile(&dir, "alessandria").unwrap();
    valenza
        .apply(
            &CacheUpdate {
                fresh: vec![("account".into(), "{\"who\":\"rossi\"}".into(), None)],
                movements: vec![movement("m1", "c1", "2026-11-27T11:30:00Z", -410)],
                ..CacheUpdate::default()
            },
            Utc::now(),
        )
        .unwrap();
    assert!(alessandria
        .document::<serde_json::Value>("account")
        .unwrap()
        .is_none());
    assert!(alessandria
        .movements("c1", "refezione", 10)
        .unwrap()
        .is_empty());
    assert_eq!(alessandria.row_count().unwrap(), 0);
    assert_eq!(valenza.movements("c1", "refezione", 10).unwrap().len(), 1);
    for bad in ["", "../x", "Valenza", "a/b", "x.y"] {
        assert!(Store::open_profile(&dir, bad).is_err(), "{bad}");
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn movements_come_back_newest_first_and_limited() {
    let dir = temp_dir("movements");
    let store = Store::open(&dir.join("c.sqlite3")).unwrap();
    let update = CacheUpdate {
        movements: vec![
            movement("m1", "c1", "2026-11-25T11:30:00Z", -410),
            movement("m3", "c1", "2026-11-27T11:30:00Z", 2000),
            movement("m2", "c1", "2026-11-26T11:30:00Z", -410),
            movement("x1", "c2", "2026-11-28T11:30:00Z", -250),
        ],
        cursors: vec![CursorUpdate {
            resource: "movements".into(),
            cursor: "cur-3".into(),
            etag: Some("\"e3\"".into()),
        }],
        ..CacheUpdate::default()
    };
    store.apply(&update, Utc::now()).unwrap();
    let ids: Vec<String> = store
        .movements("c1", "refezione", 2)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["m3", "m2"]);
    assert_eq!(store.cursor("movements").unwrap().as_deref(), Some("cur-3"));
    assert_eq!(
        store.cursor_and_etag("movements").unwrap(),
        Some(("cur-3".to_owned(), Some("\"e3\"".to_owned())))
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn ricariche_in_progress_are_listed_until_finished() {
    let dir = temp_dir("ricariche");
    let store = Store::open(&dir.join("c.sqlite3")).unwrap();
    let t0 = Utc::now();
    store
        .insert_ricarica("r1", "key-1", "{\"step\":1}", t0)
        .unwrap();
    store
        .insert_ricarica("r2", "key-2", "{\"step\":1}", t0)
        .unwrap();
    assert!(matches!(
        store.insert_ricarica("r3", "key-1", "{}", t0),
        Err(Error::Storage(_))
    ));
    assert!(store
        .update_ricarica("r1", "{\"step\":1}", "{\"step\":9}", true, t0)
        .unwrap());
    assert!(!store.update_ricarica("nope", "{}", "{}", true, t0).unwrap());
    let unfinished = store.unfinished_ricariche().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].idempotency_key, "key-2");
    let r1 = store.ricarica("r1").unwrap().unwrap();
    assert!(r1.finished);
    assert_eq!(r1.state_json, "{\"step\":9}");
    store.wipe().unwrap();
    assert_eq!(store.row_count().unwrap(), 0);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_document_this_version_cannot_read_is_dropped_with_its_etag() {
    #[derive(serde::Deserialize, Debug)]
    struct Needs {
        #[allow(dead_code)]
        field: String,
    }
    let dir = temp_dir("doc");
    let store = Store::open(&dir.join("c.sqlite3")).unwrap();
    let update = CacheUpdate {
        fresh: vec![("ente".into(), "{\"other\":1}".into(), Some("\"v1\"".into()))],
        ..CacheUpdate::default()
    };
    store.apply(&update, Utc::now()).unwrap();
    assert!(store.document::<Needs>("ente").unwrap().is_none());
    assert_eq!(store.etag("ente").unwrap(), None);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_draft_is_one_row_replaced_at_every_step() {
    let dir = temp_dir("draft");
    let path = dir.join("c.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load_draft().unwrap(), None);
    store.save_draft("{\"step\":1}", Utc::now()).unwrap();
    store.save_draft("{\"step\":2}", Utc::now()).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load_draft().unwrap().as_deref(), Some("{\"step\":2}"));
    assert_eq!(store.row_count().unwrap(), 1);
    store.delete_draft().unwrap();
    assert_eq!(store.load_draft().unwrap(), None);
    store.save_draft("{}", Utc::now()).unwrap();
    store.wipe().unwrap();
    assert_eq!(store.load_draft().unwrap(), None);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn prosegui_hands_the_draft_over_to_the_ricarica_atomically() {
    let dir = temp_dir("handover");
    let store = Store::open(&dir.join("c.sqlite3")).unwrap();
    let now = Utc::now();
    store.save_draft("{\"d\":1}", now).unwrap();
    // A draft that changed since it was read is not handed over.
    assert!(!store
        .insert_ricarica_from_draft("r0", "key-0", "{}", "{\"d\":0}", now)
        .unwrap());
    assert!(store.ricarica("r0").unwrap().is_none());
    assert!(store
        .insert_ricarica_from_draft("r1", "key-1", "{}", "{\"d\":1}", now)
        .unwrap());
    assert_eq!(store.load_draft().unwrap(), None);
    assert!(store.ricarica("r1").unwrap().is_some());
    // A second PROSEGUI on the same draft creates nothing.
    assert!(!store
        .insert_ricarica_from_draft("r2", "key-2", "{}", "{\"d\":1}", now)
        .unwrap());
    assert!(store.ricarica("r2").unwrap().is_none());
    // A failing insert (a reused key) keeps the draft: both or neither.
    store.save_draft("{\"d\":3}", now).unwrap();
    assert!(store
        .insert_ricarica_from_draft("r3", "key-1", "{}", "{\"d\":3}", now)
        .is_err());
    assert_eq!(store.load_draft().unwrap().as_deref(), Some("{\"d\":3}"));
    assert!(store.ricarica("r3").unwrap().is_none());
    fs::remove_dir_all(dir).unwrap();
}

/// Every byte of every file in `dir`, for scans after a wipe.
fn raw_bytes_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

#[test]
fn a_wipe_leaves_no_personal_data_in_any_file_while_the_store_stays_open() {
    let dir = temp_dir("wipe");
    let path = dir.join("c.sqlite3");
    let store = Store::open(&path).unwrap();
    let name = "Giacomina-Personale";
    let update = CacheUpdate {
        fresh: vec![(
            "account".into(),
            format!(r#"{{"children":[{{"first_name":"{name}"}}]}}"#),
            Some("\"a1\"".into()),
        )],
        movements: (0..300)
            .map(|i| Movement {
                description: format!("Pasto di {name}"),
                ..movement(&format!("m{i}"), "c1", "2026-11-25T11:30:00Z", -410)
            })
            .collect(),
        ..CacheUpdate::default()
    };
    store.apply(&update, Utc::now()).unwrap();
    let needle = name.as_bytes();
    let holds = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        raw_bytes_under(&dir).iter().any(|(_, b)| holds(b)),
        "the scan must see the data before the wipe"
    );
    store.wipe().unwrap();
    for (file, bytes) in raw_bytes_under(&dir) {
        assert!(!holds(&bytes), "{} still holds {name}", file.display());
    }
    // Still usable after the wipe, as after a logout with the app open.
    store.apply(&update, Utc::now()).unwrap();
    assert_eq!(store.movements("c1", "refezione", 5).unwrap().len(), 5);
    drop(store);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn damage_deep_in_the_file_is_found_by_the_scan_and_rebuilt_at_the_next_open() {
    let dir = temp_dir("damage");
    let path = dir.join("c.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        let update = CacheUpdate {
            movements: (0..2_000)
                .map(|i| movement(&format!("m{i:05}"), "c1", "2026-11-25T11:30:00Z", -410))
                .collect(),
            ..CacheUpdate::default()
        };
        store.apply(&update, Utc::now()).unwrap();
        a_ricarica(&store, "r1");
        assert!(store.check_integrity().unwrap(), "a sound file passes");
        // Closing the last connection checkpoints the WAL into the file.
    }
    // Junk over pages past the header: the open does not read them, so it still succeeds.
    let mut bytes = fs::read(&path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 20 * page, "{} bytes", bytes.len());
    for b in &mut bytes[3 * page..12 * page] {
        *b = 0x5A;
    }
    fs::write(&path, &bytes).unwrap();
    let store = Store::open(&path).unwrap();
    assert!(!store.was_rebuilt());
    assert!(
        !store.check_integrity().unwrap(),
        "the scan finds the damage"
    );
    drop(store);
    let store = Store::open(&path).unwrap();
    assert!(store.was_rebuilt());
    assert!(store.movements("c1", "refezione", 5).unwrap().is_empty());
    assert_eq!(
        store.unfinished_ricariche().unwrap().len(),
        1,
        "only the cache was rebuilt"
    );
    assert!(store.check_integrity().unwrap());
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_damaged_records_file_is_rebuilt_with_every_row_still_readable() {
    let dir = temp_dir("records-damage");
    let path = dir.join("c.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        for i in 0..3 {
            a_ricarica(&store, &format!("r{i}"));
        }
    }
    let records = records_path(&path);
    fs::write(
        &records,
        b"junk over the records file header, nothing readable",
    )
    .unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.was_rebuilt());
    assert!(
        store.unfinished_ricariche().unwrap().is_empty(),
        "nothing readable: the portal's list brings them back"
    );
    drop(store);
    // A marked file whose rows can still be read keeps them through the rebuild.
    {
        let store = Store::open(&path).unwrap();
        for i in 0..3 {
            a_ricarica(&store, &format!("s{i}"));
        }
    }
    fs::write(corrupt_marker(&path), "records").unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.was_rebuilt());
    assert_eq!(store.unfinished_ricariche().unwrap().len(), 3);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_newest_movements_of_a_service_come_from_the_index_without_sorting() {
    let dir = temp_dir("plan");
    let path = dir.join("c.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let mut statement = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT json FROM movements WHERE child_id = ?1
             AND service_code = ?2 ORDER BY occurred_at DESC, id DESC LIMIT ?3",
        )
        .unwrap();
    let plan: Vec<String> = statement
        .query_map(params!["c1", "refezione", 10], |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let plan = plan.join(" / ");
    assert!(plan.contains("movements_by_service"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    fs::remove_dir_all(dir).unwrap();
}
