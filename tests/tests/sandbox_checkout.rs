//! The pagoPA checkout simulator: the carts API's rules and the page's four outcomes.

mod sandbox_support;

use comunicapp_sandbox::{
    nav_for_serial, CartRequest, CartReturnUrls, PaymentNotice, SandboxHandle, FISCAL_CODE,
    MAX_NOTICES,
};
use reqwest::{Client, Response, StatusCode};
use sandbox_support::*;
use serde_json::{json, Value};

/// Issues `count` payable notices through the portal (avviso mode, one per ricarica).
async fn payable_notices(handle: &SandboxHandle, client: &Client, count: usize) -> Vec<String> {
    let tokens = login(handle, client).await;
    let mut navs = Vec::new();
    for index in 0..count {
        let body = json!({"items": [{"child_id": "alu-0001", "service_code": "refezione", "amount_cents": 1000 + index as i64}], "mode": "avviso", "payer_email": "maria.rossi@example.it"});
        let response = client
            .post(url(handle, "/api/v1/ricariche"))
            .bearer_auth(&tokens.access)
            .header("Idempotency-Key", format!("notice-{index}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let ricarica: Value = response.json().await.unwrap();
        navs.push(
            ricarica["avviso"]["notice_number"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    navs
}

fn notice(nav: &str, amount: i64) -> PaymentNotice {
    PaymentNotice {
        notice_number: nav.to_string(),
        fiscal_code: FISCAL_CODE.to_string(),
        amount,
        company_name: "Comune di Valenza".to_string(),
        description: "Ricarica refezione".to_string(),
    }
}

fn cart(notices: Vec<PaymentNotice>) -> CartRequest {
    CartRequest {
        payment_notices: notices,
        return_urls: CartReturnUrls {
            return_ok_url: "it.comunicapp://pagamento/esito?s=ok-123".to_string(),
            return_cancel_url: "it.comunicapp://pagamento/esito?s=cancel-123".to_string(),
            return_error_url: "it.comunicapp://pagamento/esito?s=error-123".to_string(),
            return_waiting_url: Some("it.comunicapp://pagamento/esito?s=waiting-123".to_string()),
        },
        email_notice: Some("maria.rossi@example.it".to_string()),
        id_cart: None,
        all_ccp: None,
    }
}

async fn post_cart(handle: &SandboxHandle, client: &Client, cart: &CartRequest) -> Response {
    client
        .post(url(handle, "/checkout/ec/v1/carts"))
        .json(cart)
        .send()
        .await
        .unwrap()
}

async fn fault_code(response: Response) -> Option<String> {
    let body: Value = response.json().await.unwrap();
    body["faultCode"].as_str().map(str::to_string)
}

#[tokio::test]
async fn carrello_valido_apre_la_pagina_di_checkout_con_avvisi_e_totale() {
    let handle = sandbox().await;
    let client = client();
    let navs = payable_notices(&handle, &client, 2).await;
    let response = post_cart(
        &handle,
        &client,
        &cart(vec![notice(&navs[0], 1000), notice(&navs[1], 1001)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let page_url = location(&response);
    assert!(page_url.as_str().starts_with(handle.base_url().as_str()));
    let page = client
        .get(page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let grouped: String = navs[0]
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(page.contains(&grouped), "{page}");
    assert!(page.contains("€ 21,01"), "total with fee: {page}");
    for id in ["pay", "cancel", "fail", "pending"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
}

#[tokio::test]
async fn sei_avvisi_sono_troppi() {
    let handle = sandbox().await;
    let client = client();
    let navs = payable_notices(&handle, &client, MAX_NOTICES + 1).await;
    let notices = navs.iter().map(|n| notice(n, 1000)).collect();
    let response = post_cart(&handle, &client, &cart(notices)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn avviso_ripetuto_nel_carrello_e_rifiutato() {
    let handle = sandbox().await;
    let client = client();
    let navs = payable_notices(&handle, &client, 1).await;
    let response = post_cart(
        &handle,
        &client,
        &cart(vec![notice(&navs[0], 1000), notice(&navs[0], 1000)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn codice_avviso_cf_importo_e_testi_non_validi_sono_errori_di_sintassi() {
    let handle = sandbox().await;
    let client = client();
    let navs = payable_notices(&handle, &client, 1).await;
    let mut wrong_check = navs[0].clone();
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });
    let cases = [
        ("check digits", notice(&wrong_check, 1000)),
        ("17 digits", notice(&navs[0][..17], 1000)),
        (
            "short CF",
            PaymentNotice {
                fiscal_code: "8001234006".to_string(),
                ..notice(&navs[0], 1000)
            },
        ),
        (
            "letters in CF",
            PaymentNotice {
                fiscal_code: "8001234006X".to_string(),
                ..notice(&navs[0], 1000)
            },
        ),
        ("zero amount", notice(&navs[0], 0)),
        (
            "long companyName",
            PaymentNotice {
                company_name: "x".repeat(141),
                ..notice(&navs[0], 1000)
            },
        ),
        (
            "long description",
            PaymentNotice {
                description: "é".repeat(141),
                ..notice(&navs[0], 1000)
            },
        ),
    ];
    for (case, bad) in cases {
        let response = post_cart(&handle, &client, &cart(vec![bad])).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
    }
    // 140 characters is still fine.
    let ok = PaymentNotice {
        description: "é".repeat(140),
        ..notice(&navs[0], 1000)
    };
    assert_eq!(
        post_cart(&handle, &client, &cart(vec![ok])).await.status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn avviso_gia_pagato_o_in_pagamento_o_sconosciuto_non_si_paga() {
    let handle = sandbox().await;
    let client = client();
    let navs = payable_notices(&handle, &client, 2).await;
    handle.pay_notice_elsewhere(&navs[0]).unwrap();
    let paid = post_cart(&handle, &client, &cart(vec![notice(&navs[0], 1000)])).await;
    assert_eq!(paid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fault_code(paid).await.as_deref(),
        Some("PPT_PAGAMENTO_DUPLICATO")
    );

    assert_eq!(
        post_cart(&handle, &client, &cart(vec![notice(&navs[1], 1001)]))
            .await
            .status(),
        StatusCode::FOUND
    );
    let in_progress = post_cart(&handle, &client, &cart(vec![notice(&navs[1], 1001)])).await;
    assert_eq!(in_progress.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fault_code(in_progress).await.as_deref(),
        Some("PPT_PAGAMENTO_IN_CORSO")
    );

    let unknown = post_cart(
        &handle,
        &client,
        &cart(vec![notice(&nav_for_serial(999_999), 1000)]),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fault_code(unknown).await.as_deref(),
        Some("PAA_PAGAMENTO_SCONOSCIUTO")
    );
}

#[tokio::test]
async fn ogni_pulsante_rimanda_all_url_di_ritorno_esatto_senza_aggiunte() {
    let handle = sandbox().await;
    let client = client();
    let navs = payable_notices(&handle, &client, 4).await;
    let request = cart(Vec::new());
    let expected = [
        ("pay", request.return_urls.return_ok_url.clone()),
        ("cancel", request.return_urls.return_cancel_url.clone()),
        ("fail", request.return_urls.return_error_url.clone()),
        (
            "pending",
            request.return_urls.return_waiting_url.clone().unwrap(),
        ),
    ];
    for ((button, target), nav) in expected.iter().zip(&navs) {
        let response = post_cart(&handle, &client, &cart(vec![notice(nav, 1000)])).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let page = location(&response);
        let outcome = client
            .post(format!("{page}/{button}"))
            .send()
            .await
            .unwrap();
        assert_eq!(outcome.status(), StatusCode::SEE_OTHER, "{button}");
        assert_eq!(
            outcome.headers()["location"].to_str().unwrap(),
            target,
            "{button}"
        );
    }
    // A cancelled notice can be paid again; a paid one cannot.
    assert_eq!(
        post_cart(&handle, &client, &cart(vec![notice(&navs[1], 1000)]))
            .await
            .status(),
        StatusCode::FOUND
    );
    assert_eq!(
        post_cart(&handle, &client, &cart(vec![notice(&navs[0], 1000)]))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
