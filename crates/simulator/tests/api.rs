//! The simulator's JSON API over real HTTP, checked with the signing crate the
//! storefront itself uses: what the simulator signs must verify there.

use std::time::{SystemTime, UNIX_EPOCH};

use marktstand_simulator::SimConfig;
use serde_json::{json, Value};
use signing::url::UrlVerifier;

const SECRET: &[u8] = b"simulator test secret";
const STOREFRONT: &str = "http://127.0.0.1:3000/";
const CALLBACK_BASE: &str = "http://127.0.0.1:3000/orders/callback";

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Starts the simulator on a free loopback port; returns its base URL.
async fn start() -> String {
    let config = SimConfig::new(STOREFRONT, SECRET.to_vec()).unwrap();
    marktstand_simulator::spawn_on_loopback(config).await
}

async fn post(base: &str, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new().post(format!("{base}{path}")).json(&body).send().await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

fn query_of(url: &str) -> String {
    url::Url::parse(url).unwrap().query().unwrap_or_default().to_owned()
}

fn param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn verify(base: &str, url: &str) -> Result<(), &'static str> {
    UrlVerifier::new(base.to_owned(), vec![SECRET.to_vec()])
        .verify(&query_of(url), now())
        .map(|_| ())
        .map_err(|r| r.code())
}

async fn launch(base: &str, mode: &str) -> String {
    let params = json!({
        "customerName": "Musterfirma Immobilien GmbH",
        "customerWebId": "12345",
        "userId": 17,
        "groupId": "",
        "estateid": "81517",
        "UserLanguage": "DEU",
        "imageIds": "853, 759",
        "parameterCacheId": "e99f40067f2c",
        "apiClaim": "804b76f2b639137d.9",
    });
    let answer = post(base, "/api/launch-url", json!({ "params": params, "mode": mode })).await;
    answer["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn health_and_page_are_served() {
    let base = start().await;
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap().text().await.unwrap();
    assert_eq!(health, "ok");
    let page = reqwest::get(format!("{base}/")).await.unwrap().text().await.unwrap();
    for id in ["id=\"open\"", "id=\"open-tab\"", "id=\"service\"", "id=\"messages\"", "id=\"mode\""] {
        assert!(page.contains(id), "page lacks {id}");
    }
    assert!(page.contains("data-storefront-origin=\"http://127.0.0.1:3000\""));
}

#[tokio::test]
async fn valid_launch_verifies_for_the_storefront() {
    let base = start().await;
    let url = launch(&base, "valid").await;
    assert!(url.starts_with(STOREFRONT), "{url}");
    assert_eq!(verify(STOREFRONT, &url), Ok(()));
    assert_eq!(param(&url, "imageIds[1]").as_deref(), Some("759"));
    assert_eq!(param(&url, "groupId"), None, "empty parameters are omitted");
    assert_eq!(param(&url, "userId").as_deref(), Some("17"));
}

#[tokio::test]
async fn tampered_launch_is_a_signature_mismatch() {
    let base = start().await;
    let url = launch(&base, "tampered").await;
    assert_eq!(param(&url, "customerName").as_deref(), Some("Musterfirma Immobilien GmbH (changed)"));
    assert_eq!(verify(STOREFRONT, &url), Err("signature_mismatch"));
}

#[tokio::test]
async fn stale_launch_is_expired() {
    let base = start().await;
    let url = launch(&base, "stale").await;
    let timestamp: i64 = param(&url, "timestamp").unwrap().parse().unwrap();
    assert!(now() - timestamp >= 3590, "timestamp {timestamp} is not an hour old");
    assert_eq!(verify(STOREFRONT, &url), Err("expired"));
}

#[tokio::test]
async fn verify_message_accepts_signed_and_refuses_changed() {
    let base = start().await;
    let order = signing::message::sign_message(
        SECRET,
        json!({
            "parametercacheid": "e99f40067f2c",
            "callbackurl": format!("{CALLBACK_BASE}?order=42"),
            "timestamp": now(),
            "totalprice": "119.00",
            "products": [{"name": "Exposé-Paket", "price": "119.00", "quantity": 1, "circleofusers": "customer"}],
        }),
    );
    let origin = "http://127.0.0.1:3000";
    let answer = post(&base, "/api/verify-message", json!({ "data": order.to_string(), "origin": origin })).await;
    assert_eq!(answer, json!({ "kind": "order", "valid": true, "reason": null }));

    let mut changed = order.clone();
    changed["totalprice"] = json!("1.00");
    let answer = post(&base, "/api/verify-message", json!({ "data": changed.to_string() })).await;
    assert_eq!(answer["kind"], "order");
    assert_eq!(answer["valid"], false);
    assert!(answer["reason"].is_string());

    let answer =
        post(&base, "/api/verify-message", json!({ "data": order.to_string(), "origin": "http://evil.test" })).await;
    assert_eq!(answer, json!({ "kind": "order", "valid": false, "reason": "wrong_origin" }));

    let close = signing::message::sign_message(
        SECRET,
        json!({"onOfficeType": "onOffice.service.closeProviderWindow", "parametercacheid": "p", "timestamp": now()}),
    );
    let answer = post(&base, "/api/verify-message", json!({ "data": close.to_string(), "origin": origin })).await;
    assert_eq!(answer, json!({ "kind": "closeProviderWindow", "valid": true, "reason": null }));

    let answer = post(&base, "/api/verify-message", json!({ "data": "active", "origin": origin })).await;
    assert_eq!(answer, json!({ "kind": "active", "valid": true, "reason": null }));
}

#[tokio::test]
async fn callback_keeps_its_own_query_and_verifies() {
    let base = start().await;
    let request = json!({
        "callbackurl": format!("{CALLBACK_BASE}?order=42"),
        "status": "success",
        "kind": "products",
    });
    let url = post(&base, "/api/callback-url", request).await["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(CALLBACK_BASE), "{url}");
    assert_eq!(param(&url, "order").as_deref(), Some("42"));
    assert_eq!(param(&url, "status").as_deref(), Some("success"));
    assert_eq!(param(&url, "message").as_deref(), Some("Zahlung erfolgreich"));
    assert!(param(&url, "transactionid").is_some());
    assert!(param(&url, "referenceid").is_some());
    assert_eq!(verify(CALLBACK_BASE, &url), Ok(()));

    let abo = json!({ "callbackurl": CALLBACK_BASE, "status": "inprocess", "kind": "abo" });
    let url = post(&base, "/api/callback-url", abo).await["url"].as_str().unwrap().to_owned();
    assert!(param(&url, "aboid").is_some());
    assert_eq!(param(&url, "message").as_deref(), Some("SEPA-Lastschrift in Bearbeitung"));
    assert_eq!(verify(CALLBACK_BASE, &url), Ok(()));
}

#[tokio::test]
async fn tampered_callback_changes_status_and_fails() {
    let base = start().await;
    let request = json!({
        "callbackurl": format!("{CALLBACK_BASE}?order=42"),
        "status": "error",
        "kind": "products",
        "tamper": true,
    });
    let url = post(&base, "/api/callback-url", request).await["url"].as_str().unwrap().to_owned();
    assert_eq!(param(&url, "status").as_deref(), Some("success"));
    assert_eq!(param(&url, "message").as_deref(), Some("Zahlung abgebrochen"));
    assert_eq!(verify(CALLBACK_BASE, &url), Err("signature_mismatch"));
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let base = start().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/callback-url"))
        .json(&json!({ "callbackurl": "javascript:alert(1)", "status": "success", "kind": "products" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
