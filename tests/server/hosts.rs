//! Kolibri24 and Oneflow over real HTTP: every refusal of a widget call is a 401 that calls
//! nothing it need not; webhooks from both hosts go through the one pipeline, are refused
//! without the right token or signature, deduplicated by the host's own id, and a broken
//! message is kept with its reason.

use crate::common::*;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Json;
use marktstand::contract::back_office::webhooks::{DeliveryStatus, WebhookRow};
use marktstand::contract::host::Host;
use marktstand::server::config::Config;
use marktstand::server::hosts::oneflow::notification::signature;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How the `validateSignature` stand-in answers.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Answer {
    /// `isValid` true exactly when the signature is `good-signature=`.
    Honest,
    ServerError,
    Hang,
    NotJson,
    NoIsValid,
}

struct Kolibri {
    url: String,
    calls: Arc<AtomicUsize>,
    answer: Arc<AtomicU8>,
}

async fn kolibri_stand_in() -> Kolibri {
    let calls = Arc::new(AtomicUsize::new(0));
    let answer = Arc::new(AtomicU8::new(Answer::Honest as u8));
    let (c, a) = (calls.clone(), answer.clone());
    let app = axum::Router::new().route(
        "/v1/validateSignature",
        post(move |Json(body): Json<Value>| {
            let (c, a) = (c.clone(), a.clone());
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                let valid = body["signature"] == "good-signature=" && body.as_object().map(|o| o.len()) == Some(6);
                match a.load(Ordering::SeqCst) {
                    x if x == Answer::ServerError as u8 => (StatusCode::INTERNAL_SERVER_ERROR, "boom".to_string()),
                    x if x == Answer::Hang as u8 => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        (StatusCode::OK, json!({"isValid": true}).to_string())
                    }
                    x if x == Answer::NotJson as u8 => (StatusCode::OK, "<html>".to_string()),
                    x if x == Answer::NoIsValid as u8 => (StatusCode::OK, json!({"valid": true}).to_string()),
                    _ => (StatusCode::OK, json!({"isValid": valid}).to_string()),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/validateSignature", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Kolibri { url, calls, answer }
}

async fn start_hosts(validate_url: &str) -> TestServer {
    let mut a = args(&temp_db());
    a.kolibri24.validate_url = validate_url.into();
    a.kolibri24.frame_ancestors = "https://*.kolibri24.com".into();
    a.kolibri24.webhook_tokens = Some("token-one token-two".into());
    a.oneflow.sign_key = Some("key-old key-new".into());
    start_config(Config::from_args(a).unwrap()).await
}

fn widget(signature: &str, valid_until: &str) -> String {
    format!(
        "/kolibri24/widget?entityId=E-17&realEstateAgencyId=A-4&entityType=RealEstate&validUntil={valid_until}&signature={}&keyVersion=1",
        urlencode(signature)
    )
}

async fn get(server: &TestServer, path: &str) -> reqwest::Response {
    reqwest::get(format!("{}{path}", server.base)).await.unwrap()
}

#[tokio::test]
async fn a_genuine_widget_call_is_answered_with_the_widget_framable_by_kolibri24_only() {
    let kolibri = kolibri_stand_in().await;
    let server = start_hosts(&kolibri.url).await;
    let until = (now() + 600).to_string();
    let res = get(&server, &widget("good-signature=", &until)).await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.ends_with("frame-ancestors https://*.kolibri24.com"), "{csp}");
    assert!(!csp.contains("onoffice"), "{csp}");
    assert_eq!(res.headers()["x-frame-options"], "ALLOW-FROM https://kolibri24.com");
    // The widget's own bundle, allowed by its hash only (printf %s '<script body>' | openssl
    // dgst -sha256 -binary | base64), with a session in the page.
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-MHHD+kpMa+ic6WRGkrB5nDfuK0nsYYqcM8PW1hDhtsE='; "),
        "{csp}"
    );
    let page = res.text().await.unwrap();
    assert!(
        page.contains("import init from '/widget/app.js'")
            && page.contains("<meta name=\"marktstand-session\" content=\""),
        "{page}"
    );
    assert_eq!(kolibri.calls.load(Ordering::SeqCst), 1);
    // The same six values again, within their validity: answered from the cache.
    assert_eq!(get(&server, &widget("good-signature=", &until)).await.status(), 200);
    assert_eq!(kolibri.calls.load(Ordering::SeqCst), 1);
    // The storefront itself stays framable by onOffice only.
    let csp = get(&server, "/").await.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors https://crm.onoffice.de") && !csp.contains("kolibri24"), "{csp}");
}

#[tokio::test]
async fn every_failure_of_the_check_is_a_401_that_says_why() {
    let kolibri = kolibri_stand_in().await;
    let server = start_hosts(&kolibri.url).await;
    let until = (now() + 600).to_string();
    let iso = "2099-01-01T00:00:00Z";
    let calls = || kolibri.calls.load(Ordering::SeqCst);

    // Refused before Kolibri24 is asked: stale, unreadable or missing values.
    for (path, code) in [
        (widget("good-signature=", &(now() - 5).to_string()), "expired"),
        (widget("good-signature=", &((now() - 5) * 1000).to_string()), "expired"),
        (widget("good-signature=", "2020-01-01T00:00:00%2B01:00"), "expired"),
        (widget("good-signature=", "2020-01-01T00:00:00+01:00"), "expired"),
        (widget("good-signature=", &until).replace("&keyVersion=1", ""), "missing_parameter"),
        (widget("", &until), "missing_parameter"),
    ] {
        let res = get(&server, &path).await;
        assert_eq!(res.status(), 401, "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(
            csp.contains("frame-ancestors https://*.kolibri24.com"),
            "the reason shows in Kolibri24's frame: {csp}"
        );
        let page = res.text().await.unwrap();
        assert!(page.contains(code) && page.contains("Kolibri24") && page.contains("lang=\"en\""), "{path}: {page}");
    }
    assert_eq!(calls(), 0, "a stale or incomplete call never reaches the validator");

    // A `validUntil` we cannot read is Kolibri24's to judge (its `isValid` covers it).
    assert_eq!(get(&server, &widget("good-signature=", "next week")).await.status(), 200);
    let res = get(&server, &widget("forged=", "2099-01-01T00:00:00")).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("invalid_signature"));
    assert_eq!(calls(), 2);

    // Kolibri24 says no, or cannot say yes: each is asked, none is cached.
    assert_eq!(get(&server, &widget("forged=", iso)).await.status(), 401);
    assert_eq!(get(&server, &widget("forged=", iso)).await.status(), 401);
    assert_eq!(calls(), 4, "a negative answer is not cached");
    for answer in [Answer::ServerError, Answer::NotJson, Answer::NoIsValid, Answer::Hang] {
        kolibri.answer.store(answer as u8, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let res = get(&server, &widget("good-signature=", iso)).await;
        assert_eq!(res.status(), 401);
        assert!(started.elapsed() < Duration::from_secs(10), "a hanging validator is given up on");
    }
    assert_eq!(calls(), 8);

    // No Kolibri24 at all (connection refused).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let server = start_hosts(&format!("http://{closed}/v1/validateSignature")).await;
    let res = get(&server, &widget("good-signature=", iso)).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("validation_unreachable"));
}

fn envelope(messages: Value) -> Value {
    json!({"meta": {"anything": true}, "items": [{"id": 1, "data": {"messages": messages}}]})
}

async fn rows(server: &TestServer, host: Host) -> Vec<WebhookRow> {
    let all = marktstand::server::store::jobs::recent(&server.state.db, 200, &Default::default()).await.unwrap();
    all.into_iter().filter(|r| r.host == host).collect()
}

/// Waits until every delivery from `host` has finished; returns them.
async fn settled(server: &TestServer, host: Host) -> Vec<WebhookRow> {
    for _ in 0..200 {
        let rows = rows(server, host).await;
        if rows.iter().all(|r| matches!(r.status, DeliveryStatus::Done | DeliveryStatus::Failed)) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{host:?} deliveries did not finish: {:?}", rows(server, host).await);
}

#[tokio::test]
async fn kolibri24_messages_are_stored_once_each_and_a_broken_one_keeps_its_reason() {
    let server = start_hosts("http://127.0.0.1:9/unused").await;
    let entity =
        json!({"category": "Entity", "realEstateAgencyId": "A-4", "entityId": "E-17", "entityType": "RealEstate"});
    let body = envelope(json!([
        {"id": "msg-1", "name": "EntityUpdated", "timestamp": "2026-11-24T10:00:00Z", "data": entity.to_string()},
        {"id": "msg-2", "name": "Broken", "data": "{\"category\": "},
        {"id": "msg-3", "name": "Hello", "data": json!({"category": "Notification"}).to_string()},
    ]))
    .to_string();

    assert_eq!(post_to(&server, "/kolibri24/webhook/wrong-token", body.clone()).await.0, 401);
    assert_eq!(post_to(&server, "/kolibri24/webhook/token-one", "not json".into()).await.0, 400);
    assert_eq!(post_to(&server, "/kolibri24/webhook/token-one", "{\"messages\": []}".into()).await.0, 400);
    assert!(rows(&server, Host::Kolibri24).await.is_empty(), "nothing stored from refused calls");

    let (status, answer) = post_to(&server, "/kolibri24/webhook/token-two", body.clone()).await;
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(3)), "{answer}");
    let (status, again) = post_to(&server, "/kolibri24/webhook/token-one", body).await;
    assert_eq!(status, 200);
    assert!(again["deliveries"].as_array().unwrap().iter().all(|d| d["duplicate"] == true), "{again}");

    let rows = settled(&server, Host::Kolibri24).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let by = |service: &str| rows.iter().find(|r| r.service == service).unwrap().clone();
    let entity_row = by("Entity");
    assert_eq!((entity_row.status, entity_row.customer_web_id.as_str()), (DeliveryStatus::Done, "A-4"));
    assert_eq!(by("Notification").status, DeliveryStatus::Done, "a category without a handler is recorded");
    let broken = by("");
    assert_eq!(broken.status, DeliveryStatus::Failed);
    assert!(broken.last_error.as_deref().unwrap().starts_with("`data` is not JSON"), "{broken:?}");
    let changes: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM entity_changes WHERE agency_id = 'A-4' AND entity_id = 'E-17'")
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!(changes.0, 1);
}

#[tokio::test]
async fn oneflow_notifications_need_their_signature_and_are_stored_once() {
    let server = start_hosts("http://127.0.0.1:9/unused").await;
    let notification = |callback_id: &str, signature: &str| {
        json!({"callback_id": callback_id, "signature": signature, "contract": {"id": 4711},
               "events": [{"type": "contract:sign", "created_time": "2026-11-24"}], "unknown": [1, 2]})
        .to_string()
    };
    for body in [
        notification("cb-1", &signature("cb-1", "key-other")),
        notification("cb-1", &signature("cb-2", "key-new")),
        notification("cb-1", &signature("cb-1", "key-new").to_uppercase()),
        notification("cb-1", ""),
        json!({"signature": signature("", "key-new")}).to_string(),
    ] {
        assert_eq!(post_to(&server, "/oneflow/webhook", body.clone()).await.0, 401, "{body}");
    }
    assert_eq!(post_to(&server, "/oneflow/webhook", "callback_id=cb-1".into()).await.0, 400);
    assert!(rows(&server, Host::Oneflow).await.is_empty());

    let (status, first) =
        post_to(&server, "/oneflow/webhook", notification("cb-1", &signature("cb-1", "key-new"))).await;
    assert_eq!((status, first["duplicate"].as_bool()), (200, Some(false)), "{first}");
    // The key before a rotation still verifies; the same callback_id is the same delivery.
    let (status, again) =
        post_to(&server, "/oneflow/webhook", notification("cb-1", &signature("cb-1", "key-old"))).await;
    assert_eq!((status, again["duplicate"].as_bool(), &again["id"]), (200, Some(true), &first["id"]));
    let rows = settled(&server, Host::Oneflow).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].service, "notification");
}
