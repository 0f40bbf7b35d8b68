//! Login through the browser, refresh of an expiring session, and the end of a stolen one.

mod core_support;

use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::api::{Error, ErrorKind};
use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::sync::SessionOptions;
use core_support::*;

#[tokio::test]
async fn accesso_con_il_browser_e_risposta_contraffatta_rifiutata() {
    let sandbox = sandbox().await;
    let dir = DataDir::new("login");
    let secrets = Arc::new(MemorySecureStore::new());
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(None),
    );

    let authorize = session.login_start().unwrap();
    let callback = submit_login_form(&authorize, &sandbox).await;
    assert_eq!(callback.scheme(), "it.comunicapp");

    // A callback with another state (another app, a replayed link) is refused and changes nothing.
    let mut forged = callback.clone();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    forged.set_query(Some(&format!("code={code}&state=someone-else")));
    assert!(matches!(
        session.login_complete(forged.as_str()).await,
        Err(Error::LoginStateMismatch)
    ));
    assert!(!session.is_logged_in().unwrap());

    session.login_complete(callback.as_str()).await.unwrap();
    assert!(session.is_logged_in().unwrap());
    assert_eq!(secrets.keys(), vec!["comunicapp.sandbox.tokens".to_owned()]);

    // The same callback again: the pending login is spent.
    assert!(matches!(
        session.login_complete(callback.as_str()).await,
        Err(Error::LoginStateMismatch)
    ));

    // The parent refusing on the portal comes back as a typed login failure.
    let authorize = session.login_start().unwrap();
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let denied = format!("it.comunicapp://oauth/callback?error=access_denied&state={state}");
    let error = session.login_complete(&denied).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Login);
}

#[tokio::test]
async fn token_scaduto_a_meta_sessione_rinnovato_senza_che_il_genitore_se_ne_accorga() {
    let sandbox = sandbox().await;
    let ttl = sandbox.config().access_token_ttl;
    let dir = DataDir::new("expiry");
    let secrets = Arc::new(MemorySecureStore::new());
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(None),
    );
    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    let tokens_before = secrets.get("comunicapp.sandbox.tokens").unwrap().unwrap();

    // The portal's clock runs past the token's life; the phone still thinks it is valid.
    sandbox.advance_clock(ttl + Duration::from_secs(5));
    let before = requests(&sandbox).await;
    session.refresh().await.unwrap();
    let spent = delta(&before, &requests(&sandbox).await);

    assert_eq!(
        spent.get("POST /oauth/token").and_then(|o| o.get("200")),
        Some(&1),
        "one refresh for all the concurrent requests: {spent:?}"
    );
    assert!(
        spent.values().any(|o| o.contains_key("401")),
        "the portal refused the old token: {spent:?}"
    );
    let tokens_after = secrets.get("comunicapp.sandbox.tokens").unwrap().unwrap();
    assert_ne!(
        tokens_before, tokens_after,
        "the rotated refresh token was stored"
    );
    assert!(!session.saldo().unwrap().freshness.stale);

    // Before expiry: with a margin longer than the token's life, the session renews up front and
    // the portal never sees an expired token.
    let eager = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        SessionOptions {
            refresh_margin: ttl + Duration::from_secs(60),
            ..quick_options(None)
        },
    );
    let before = requests(&sandbox).await;
    eager.refresh().await.unwrap();
    let spent = delta(&before, &requests(&sandbox).await);
    assert!(spent
        .get("POST /oauth/token")
        .is_some_and(|o| o.get("200") >= Some(&1)));
    assert!(!spent.values().any(|o| o.contains_key("401")), "{spent:?}");
}

#[tokio::test]
async fn refresh_token_riusato_chiude_la_sessione_con_invito_a_rientrare() {
    let sandbox = sandbox().await;
    let ttl = sandbox.config().access_token_ttl;
    let dir = DataDir::new("reuse");
    let secrets = Arc::new(MemorySecureStore::new());
    let session = open(
        &sandbox.base_url(),
        dir.path(),
        secrets.clone(),
        quick_options(None),
    );
    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    let saldo = session.saldo().unwrap();

    // A copy of the tokens (a restored backup, a thief) outlives a rotation...
    let copy = secrets.get("comunicapp.sandbox.tokens").unwrap().unwrap();
    sandbox.advance_clock(ttl + Duration::from_secs(5));
    session.refresh().await.unwrap();
    // ...and is presented again.
    secrets.set("comunicapp.sandbox.tokens", &copy).unwrap();
    sandbox.advance_clock(ttl + Duration::from_secs(5));

    let error = session.refresh().await.unwrap_err();
    assert!(matches!(error, Error::SessionExpired), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::SessionExpired);
    assert_eq!(error.message_key(), "errore.sessione_scaduta");
    assert_eq!(
        error.to_string(),
        "La sessione è scaduta: effettua di nuovo l'accesso"
    );
    assert!(!session.is_logged_in().unwrap());
    assert!(secrets.keys().is_empty());
    // The data already downloaded is still shown, marked stale, until the parent logs in again.
    let after = session.saldo().unwrap();
    assert_eq!(after.children, saldo.children);
    assert!(after.freshness.stale);

    login(&session, &sandbox).await;
    session.refresh().await.unwrap();
    assert!(!session.saldo().unwrap().freshness.stale);
}
