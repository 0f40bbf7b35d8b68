//! The sandbox's OAuth server: the happy path a parent's login takes, and every rejection.

mod sandbox_support;

use comunicapp_sandbox::CLIENT_ID;
use reqwest::StatusCode;
use sandbox_support::*;
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn login_con_pkce_da_accesso_al_saldo_e_il_refresh_ruota_il_token() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let page = client
        .get(url(&handle, "/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", "it.comunicapp://oauth/callback"),
            ("state", "s1"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"username\"") && html.contains("id=\"password\""),
        "{html}"
    );

    // The state comes back exactly, even with characters that need encoding.
    let state = "a b&c=d/é";
    let credentials = handle.demo_credentials();
    let fields = login_fields(
        &pkce,
        "it.comunicapp://oauth/callback",
        state,
        &credentials.username,
        &credentials.password,
    );
    let response = client
        .post(url(&handle, "/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = location(&response);
    assert_eq!(back.scheme(), "it.comunicapp");
    assert_eq!(query_param(&back, "state").as_deref(), Some(state));
    let code = query_param(&back, "code").unwrap();

    let tokens = tokens_from(
        exchange_code(
            &handle,
            &client,
            &code,
            &pkce.verifier,
            "it.comunicapp://oauth/callback",
        )
        .await,
    )
    .await;
    let saldo = get(&handle, &client, &tokens.access, "/api/v1/balances").await;
    assert_eq!(saldo.status(), StatusCode::OK);

    let rotated = tokens_from(refresh(&handle, &client, &tokens.refresh).await).await;
    assert_ne!(rotated.refresh, tokens.refresh);
    assert_eq!(
        get(&handle, &client, &rotated.access, "/api/v1/account")
            .await
            .status(),
        StatusCode::OK
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn password_sbagliata_ripropone_il_modulo_senza_codice() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let fields = login_fields(&pkce, LOOPBACK_REDIRECT, "s", "maria.rossi", "sbagliata");
    let response = client
        .post(url(&handle, "/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("non corretti"));
}

#[tokio::test]
async fn verifier_sbagliato_e_rifiutato() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let code = authorization_code(&handle, &client, &pkce, LOOPBACK_REDIRECT).await;
    let other = sandbox_support::pkce();
    let response = exchange_code(&handle, &client, &code, &other.verifier, LOOPBACK_REDIRECT).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn verifier_mancante_e_rifiutato() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let code = authorization_code(&handle, &client, &pkce, LOOPBACK_REDIRECT).await;
    let response = client
        .post(url(&handle, "/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn metodo_plain_o_challenge_mancante_tornano_errore_all_app() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    for (method, challenge) in [("plain", pkce.verifier.as_str()), ("S256", "")] {
        let credentials = handle.demo_credentials();
        let mut fields = login_fields(
            &pkce,
            LOOPBACK_REDIRECT,
            "st",
            &credentials.username,
            &credentials.password,
        );
        for field in fields.iter_mut() {
            if field.0 == "code_challenge_method" {
                field.1 = method;
            }
            if field.0 == "code_challenge" {
                field.1 = challenge;
            }
        }
        let response = client
            .post(url(&handle, "/oauth/authorize"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{method}");
        let back = location(&response);
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("invalid_request"),
            "{method}"
        );
        assert_eq!(query_param(&back, "state").as_deref(), Some("st"));
        assert!(query_param(&back, "code").is_none());
    }
}

#[tokio::test]
async fn codice_riusato_e_rifiutato_e_revoca_i_token_gia_emessi() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let code = authorization_code(&handle, &client, &pkce, LOOPBACK_REDIRECT).await;
    let tokens = tokens_from(
        exchange_code(&handle, &client, &code, &pkce.verifier, LOOPBACK_REDIRECT).await,
    )
    .await;
    let again = exchange_code(&handle, &client, &code, &pkce.verifier, LOOPBACK_REDIRECT).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&handle, &client, &tokens.access, "/api/v1/ente")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn redirect_uri_diverso_o_non_registrato_e_rifiutato() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let code = authorization_code(&handle, &client, &pkce, LOOPBACK_REDIRECT).await;
    let other_port = "http://127.0.0.1:9/oauth/callback";
    let response = exchange_code(&handle, &client, &code, &pkce.verifier, other_port).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // An unregistered redirect is never followed: the error is shown, not redirected.
    let credentials = handle.demo_credentials();
    let fields = login_fields(
        &pkce,
        "https://evil.example/cb",
        "s",
        &credentials.username,
        &credentials.password,
    );
    let response = client
        .post(url(&handle, "/oauth/authorize"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn refresh_token_riusato_revoca_tutta_la_famiglia() {
    let handle = sandbox().await;
    let client = client();
    let first = login(&handle, &client).await;
    let second = tokens_from(refresh(&handle, &client, &first.refresh).await).await;
    assert_eq!(
        get(&handle, &client, &second.access, "/api/v1/ente")
            .await
            .status(),
        StatusCode::OK
    );

    let reused = refresh(&handle, &client, &first.refresh).await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&handle, &client, &second.access, "/api/v1/ente")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&handle, &client, &second.refresh).await.status(),
        StatusCode::BAD_REQUEST
    );

    // Another login is a new family and works.
    let fresh = login(&handle, &client).await;
    assert_eq!(
        get(&handle, &client, &fresh.access, "/api/v1/ente")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn codice_scaduto_e_rifiutato() {
    let handle = sandbox().await;
    let client = client();
    let pkce = pkce();
    let code = authorization_code(&handle, &client, &pkce, LOOPBACK_REDIRECT).await;
    handle.advance_clock(handle.config().auth_code_ttl + Duration::from_secs(1));
    let response = exchange_code(&handle, &client, &code, &pkce.verifier, LOOPBACK_REDIRECT).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn access_token_scade_e_il_refresh_ne_da_uno_nuovo() {
    let handle = sandbox().await;
    let client = client();
    let tokens = login(&handle, &client).await;
    handle.advance_clock(handle.config().access_token_ttl + Duration::from_secs(1));
    let expired = get(&handle, &client, &tokens.access, "/api/v1/balances").await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(problem_code(expired).await, "unauthorized");
    let renewed = tokens_from(refresh(&handle, &client, &tokens.refresh).await).await;
    assert_eq!(
        get(&handle, &client, &renewed.access, "/api/v1/balances")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoca_del_refresh_token_chiude_la_sessione() {
    let handle = sandbox().await;
    let client = client();
    let tokens = login(&handle, &client).await;
    let response = client
        .post(url(&handle, "/oauth/revoke"))
        .form(&[("token", tokens.refresh.as_str()), ("client_id", CLIENT_ID)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        get(&handle, &client, &tokens.access, "/api/v1/ente")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&handle, &client, &tokens.refresh).await.status(),
        StatusCode::BAD_REQUEST
    );
    // RFC 7009: an unknown token is still a 200.
    let unknown = client
        .post(url(&handle, "/oauth/revoke"))
        .form(&[("token", "nessuno")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::OK);
}
