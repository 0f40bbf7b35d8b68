//! The parent's Saldo through sync, offline, logout, profiles and a broken cache.

mod core_support;

use std::sync::Arc;

use comunicapp_core::api::ErrorKind;
use comunicapp_core::auth::MemorySecureStore;
use comunicapp_core::store::Store;
use core_support::*;

#[tokio::test]
async fn saldo_scaricato_resta_visibile_senza_rete_e_segnato_come_non_aggiornato() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("offline");
    let secrets = Arc::new(MemorySecureStore::new());
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets,
        quick_options(None),
    );

    let before_sync = session.saldo().unwrap();
    assert!(before_sync.children.is_empty());
    assert!(before_sync.freshness.stale);
    assert_eq!(before_sync.freshness.label, "Dati non ancora scaricati");

    login(&session, &sandbox).await;
    let report = session.refresh().await.unwrap();
    assert_eq!(report.updated.len(), 5, "{report:?}");
    assert!(report.new_movements > 0);

    let saldo = session.saldo().unwrap();
    assert_eq!(shown_balances(&session), sandbox_balances(&sandbox));
    assert!(!saldo.freshness.stale);
    assert!(saldo.freshness.label.starts_with("Dati aggiornati al "));
    assert_eq!(saldo.school_year.as_deref(), Some("2026/2027"));
    let state = sandbox.state();
    let first_child = &state.account.children[0];
    let shown_child = saldo
        .children
        .iter()
        .find(|c| c.child_id == first_child.id)
        .unwrap();
    assert_eq!(shown_child.name, first_child.first_name);
    assert!(shown_child.services.iter().any(|s| !s.movements.is_empty()));
    assert!(
        saldo
            .children
            .iter()
            .flat_map(|c| &c.services)
            .any(|s| s.in_debt),
        "the seed has a service in debt"
    );
    let pagamenti = session.pagamenti().unwrap();
    let to_pay = state
        .avvisi
        .iter()
        .filter(|a| a.status == comunicapp_sandbox::wire::AvvisoStatus::DaPagare)
        .count();
    assert_eq!(pagamenti.avvisi_da_pagare.len(), to_pay);
    assert!(to_pay >= 1);

    sandbox.shutdown().await;
    let error = session.refresh().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Offline, "{error:?}");
    assert!(error.message_key().starts_with("errore."));

    let offline = session.saldo().unwrap();
    assert_eq!(
        offline.children, saldo.children,
        "the cache answers unchanged"
    );
    assert!(
        offline.freshness.stale,
        "a failed refresh marks the data stale"
    );
    assert_eq!(offline.freshness.label, saldo.freshness.label);
    assert_eq!(
        session.pagamenti().unwrap().avvisi_da_pagare,
        pagamenti.avvisi_da_pagare
    );

    // Logging out without network still forgets everything on the phone.
    let report = session.logout().await.unwrap();
    assert!(!report.revoked_on_portal);
    assert_eq!(session.store().row_count().unwrap(), 0);
    assert!(!session.is_logged_in().unwrap());
}

#[tokio::test]
async fn secondo_aggiornamento_senza_novita_costa_solo_304() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("etag");
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        Arc::new(MemorySecureStore::new()),
        quick_options(None),
    );
    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    // The first refresh after a sync learns the ETag of the empty page at the new cursor.
    let learning = session.refresh().await.unwrap();
    assert_eq!(learning.not_modified.len(), 5, "{learning:?}");
    assert_eq!(learning.new_movements, 0);
    let before = requests(&sandbox).await;

    let report = session.refresh().await.unwrap();
    assert!(report.updated.is_empty(), "{report:?}");
    assert_eq!(report.not_modified.len(), 6, "{report:?}");
    assert_eq!(report.new_movements, 0);

    let spent = delta(&before, &requests(&sandbox).await);
    for route in [
        "GET /api/v1/ente",
        "GET /api/v1/account",
        "GET /api/v1/balances",
        "GET /api/v1/avvisi",
        "GET /api/v1/receipts",
        "GET /api/v1/movements",
    ] {
        let outcomes = spent.get(route).cloned().unwrap_or_default();
        assert_eq!(outcomes.len(), 1, "{route}: {outcomes:?}");
        assert_eq!(outcomes.get("304"), Some(&1), "{route}: {outcomes:?}");
    }
    // A movement added on the portal still comes down: the cursor's ETag no longer matches.
    let avviso = session.pagamenti().unwrap().avvisi_da_pagare[0]
        .notice_number
        .clone();
    sandbox.pay_notice_elsewhere(&avviso).unwrap();
    sandbox.advance_clock(sandbox.config().registration_delay);
    let after_payment = session.refresh().await.unwrap();
    assert!(after_payment.new_movements > 0, "{after_payment:?}");
    assert!(!session.saldo().unwrap().freshness.stale);
}

#[tokio::test]
async fn logout_non_lascia_righe_ne_token() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("logout");
    let secrets = Arc::new(MemorySecureStore::new());
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(None),
    );
    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    let old_access_token = session.auth().access_token().await.unwrap();
    assert!(session.store().row_count().unwrap() > 0);
    assert!(!secrets.keys().is_empty());

    let report = session.logout().await.unwrap();
    assert!(report.revoked_on_portal);
    assert_eq!(session.store().row_count().unwrap(), 0);
    assert!(secrets.keys().is_empty(), "{:?}", secrets.keys());
    assert!(!session.is_logged_in().unwrap());
    assert_eq!(
        session.refresh().await.unwrap_err().kind(),
        ErrorKind::NotLoggedIn
    );
    assert!(session.saldo().unwrap().children.is_empty());

    // The portal no longer honours the old token either.
    let answer = reqwest::Client::new()
        .get(sandbox.base_url().join("api/v1/balances").unwrap())
        .bearer_auth(old_access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);

    // No token ever reached the cache file.
    let bytes = std::fs::read(session.store().path()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("access_token"));
}

#[tokio::test]
async fn due_profili_in_due_comuni_non_si_vedono() {
    let valenza_portal = sandbox().await;
    let alessandria_portal = sandbox().await;
    let dir = DataDir::new("profiles");
    let secrets = Arc::new(MemorySecureStore::new());
    let valenza = open(
        &valenza_portal.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(Some("valenza")),
    );
    let alessandria = open(
        &alessandria_portal.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(Some("alessandria")),
    );
    login(&valenza, &valenza_portal).await;
    valenza.refresh().await.unwrap();

    assert!(!valenza.saldo().unwrap().children.is_empty());
    assert!(alessandria.saldo().unwrap().children.is_empty());
    assert_eq!(alessandria.store().row_count().unwrap(), 0);
    assert!(!alessandria.is_logged_in().unwrap());
    assert_eq!(
        alessandria.refresh().await.unwrap_err().kind(),
        ErrorKind::NotLoggedIn
    );

    login(&alessandria, &alessandria_portal).await;
    alessandria.refresh().await.unwrap();
    let valenza_rows = valenza.store().row_count().unwrap();

    alessandria.logout().await.unwrap();
    assert_eq!(alessandria.store().row_count().unwrap(), 0);
    assert_eq!(valenza.store().row_count().unwrap(), valenza_rows);
    assert!(valenza.is_logged_in().unwrap());
    assert!(valenza.refresh().await.is_ok());
    assert!(secrets
        .keys()
        .iter()
        .all(|k| k.starts_with("comunicapp.valenza.")));
}

#[tokio::test]
async fn archivio_sovrascritto_da_dati_illeggibili_viene_ricostruito() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("junk");
    let secrets = Arc::new(MemorySecureStore::new());
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(None),
    );
    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    let shown = shown_balances(&session);
    let path = session.store().path().to_owned();
    drop(session);

    std::fs::write(&path, vec![0xA5u8; 8192]).unwrap();
    assert!(Store::open(&path).unwrap().was_rebuilt());
    std::fs::write(&path, b"SQLite format 3\0 but then garbage".repeat(200)).unwrap();

    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets,
        quick_options(None),
    );
    assert!(session.store().was_rebuilt());
    assert!(session.saldo().unwrap().children.is_empty());
    assert!(
        session.is_logged_in().unwrap(),
        "tokens live outside the cache"
    );
    session.refresh().await.unwrap();
    assert_eq!(shown_balances(&session), shown);
}

#[tokio::test]
async fn il_saldo_riletto_senza_scritture_diventa_non_aggiornato_col_tempo() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("stale-memo");
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        Arc::new(MemorySecureStore::new()),
        comunicapp_core::sync::SessionOptions {
            stale_after: std::time::Duration::from_millis(300),
            ..quick_options(None)
        },
    );
    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    let fresh = session.saldo().unwrap();
    assert!(!fresh.freshness.stale);
    // The same view again, with no write in between: only the clock moved.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let later = session.saldo().unwrap();
    assert!(later.freshness.stale, "{:?}", later.freshness);
    assert_eq!(later.freshness.label, fresh.freshness.label);
    assert_eq!(later.children, fresh.children);
    // A write (a refresh that brings a payment) gives a new view, not the remembered one.
    let avviso = session.pagamenti().unwrap().avvisi_da_pagare[0]
        .notice_number
        .clone();
    sandbox.pay_notice_elsewhere(&avviso).unwrap();
    sandbox.advance_clock(sandbox.config().registration_delay);
    session.refresh().await.unwrap();
    let after = session.saldo().unwrap();
    assert!(!after.freshness.stale);
    assert_ne!(
        after.children, fresh.children,
        "the paid avviso moved a balance"
    );
}
