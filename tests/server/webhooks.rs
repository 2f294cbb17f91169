//! Webhooks over real HTTP: a signed delivery is stored and processed at once, and the
//! answer is its outcome (200 done, 422 failed with the reason, 202 still running or to be
//! retried in the background); repeats are stored once; refused calls store nothing;
//! failures and retries are visible to the provider.

use crate::common::*;
use marktstand::contract::back_office::webhooks::{DeliveryStatus, WebhookRow};
use marktstand::server::jobs::{backoff_secs, next_step, JobError, Step};
use marktstand::server::webhooks::{Registry, WebhookConfig};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The path and signed query enterprise would call for `service`.
fn signed(service: &str, params: &str, at: i64) -> String {
    let url = format!("http://shop.test:8443/webhooks/{service}?{params}");
    signing::url::sign_url(SECRET.as_bytes(), &url, at).unwrap().split_once("8443").unwrap().1.to_string()
}

const VALUATION: &str = "customerWebId=4711&userId=17&estateid=815&email=anna%40example.com";

async fn call(server: &TestServer, path: &str) -> (u16, Value) {
    let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// The provider's list, as the admin page shows it.
async fn listed(server: &TestServer) -> Vec<WebhookRow> {
    marktstand::server::store::jobs::recent(&server.state.db, 200, &Default::default()).await.unwrap()
}

/// Waits until delivery `id` is `done` or `failed`.
async fn finished(server: &TestServer, id: &str) -> WebhookRow {
    for _ in 0..200 {
        if let Some(row) = listed(server).await.into_iter().find(|r| r.id == id) {
            if matches!(row.status, DeliveryStatus::Done | DeliveryStatus::Failed) {
                return row;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("delivery {id} did not finish: {:?}", listed(server).await);
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql).fetch_one(&server.state.db).await.unwrap().0
}

#[tokio::test]
async fn a_signed_delivery_is_accepted_then_processed() {
    let server = start().await;
    let (status, body) = call(&server, &signed("valuation-request", VALUATION, now())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["done"].clone(), body["duplicate"].clone()), (Value::Bool(true), Value::Bool(false)));
    let id = body["id"].as_str().unwrap();
    let row = listed(&server).await.into_iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        (row.status, row.attempts, row.service.as_str()),
        (DeliveryStatus::Done, 1, "valuation-request"),
        "{row:?}"
    );
    assert_eq!(row.customer_web_id, "4711");
    assert!(row.processed_at.is_some());
    let (estate, email): (String, Option<String>) =
        sqlx::query_as("SELECT estate_id, email FROM valuation_requests WHERE delivery_id = $1")
            .bind(id)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!((estate.as_str(), email.as_deref()), ("815", Some("anna@example.com")));
}

#[tokio::test]
async fn the_same_call_twice_is_one_delivery_processed_once() {
    let server = start().await;
    let at = now();
    let path = signed("valuation-request", VALUATION, at);
    let ((s1, first), (s2, second)) = tokio::join!(call(&server, &path), call(&server, &path));
    assert_eq!((s1, s2), (200, 200), "the second waits for the first's outcome");
    assert_eq!(first["id"], second["id"]);
    assert_ne!(first["duplicate"], second["duplicate"], "exactly one of them is the duplicate");
    // The method does not matter: a POST of the same URL is the same delivery.
    let res = reqwest::Client::new().post(format!("{}{path}", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let third: Value = res.json().await.unwrap();
    assert_eq!((third["id"].clone(), third["duplicate"].clone()), (first["id"].clone(), Value::Bool(true)));
    finished(&server, first["id"].as_str().unwrap()).await;
    deliveries_settled(&server).await;
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webhook_deliveries").await, 1);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM valuation_requests").await, 1);
    // Signed at another time, it is another call from enterprise: a new delivery.
    let (_, later) = call(&server, &signed("valuation-request", VALUATION, at - 1)).await;
    assert_ne!(later["id"], first["id"]);
}

#[tokio::test]
async fn refused_calls_answer_why_and_store_nothing() {
    let server = start().await;
    let tampered = signed("valuation-request", VALUATION, now()).replace("estateid=815", "estateid=816");
    let (status, body) = call(&server, &tampered).await;
    assert_eq!(
        (status, body["error"].as_str(), body["reason"].as_str()),
        (401, Some("launch_rejected"), Some("signature_mismatch"))
    );

    let stale = signed("valuation-request", VALUATION, now() - 3600);
    let (status, body) = call(&server, &stale).await;
    assert_eq!((status, body["reason"].as_str()), (401, Some("expired")));

    let unsigned = format!("/webhooks/valuation-request?{VALUATION}");
    assert_eq!(call(&server, &unsigned).await.0, 401);

    // An unknown service is a plain 404 that names no configured service.
    let (status, body) = call(&server, &signed("nope", VALUATION, now())).await;
    assert_eq!(status, 404);
    assert_eq!(body, serde_json::json!({"error": "not_found"}));

    // Signed for another service's URL: the signature does not carry over.
    let moved = signed("other", VALUATION, now()).replace("/webhooks/other", "/webhooks/valuation-request");
    assert_eq!(call(&server, &moved).await.1["reason"], "signature_mismatch");

    assert!(listed(&server).await.is_empty());
}

#[tokio::test]
async fn a_parameter_the_service_does_not_list_is_kept_and_ignored_unless_it_is_strict() {
    // enterprise may add parameters the provider did not list: not a reason to fail.
    let server = start().await;
    let (status, body) = call(&server, &signed("valuation-request", &format!("{VALUATION}&price=100"), now())).await;
    assert_eq!(status, 200, "{body}");
    let params: (String,) = sqlx::query_as("SELECT params FROM webhook_deliveries WHERE id = $1")
        .bind(body["id"].as_str().unwrap())
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert!(params.0.contains("\"price\":\"100\""), "{}", params.0);

    let file = scratch_dir("strict").join("webhooks.toml");
    let service = "[[webhook]]\nname = \"valuation-request\"\nhandler = \"valuation_request\"\nparameters = [\"email\"]\nstrict = true\n";
    std::fs::write(&file, service).unwrap();
    let mut a = args(&temp_db());
    a.webhooks = file.to_string_lossy().into_owned();
    let strict = start_with(a).await;
    let (status, body) = call(&strict, &signed("valuation-request", &format!("{VALUATION}&price=100"), now())).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("`price`"), "{body}");
    assert!(listed(&strict).await.is_empty());
}

#[tokio::test]
async fn a_delivery_without_a_property_fails_with_its_reason_shown() {
    let server = start().await;
    let (status, body) = call(&server, &signed("valuation-request", "customerWebId=4711&userId=17", now())).await;
    // enterprise reads the failure, and e-mails the user its reason.
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["message"], "no estateid: the webhook must be triggered from a property");
    let row = finished(&server, body["id"].as_str().unwrap()).await;
    assert_eq!(row.status, DeliveryStatus::Failed);
    assert_eq!(row.attempts, 1, "a permanent failure is not retried");
    assert_eq!(row.last_error.as_deref(), Some("no estateid: the webhook must be triggered from a property"));
    assert_eq!(count(&server, "SELECT COUNT(*) FROM valuation_requests").await, 0);
}

#[tokio::test]
async fn a_handler_asking_for_a_retry_runs_again_after_the_backoff() {
    let calls = Arc::new(AtomicUsize::new(0));
    let first = || JobError::Retry("upstream busy".into());
    let server = start_with_handler("flaky", FailsFirst { name: "flaky", calls: calls.clone(), first }).await;

    let (status, body) = call(&server, &signed("flaky", "customerWebId=4711", now())).await;
    assert_eq!(status, 202);
    let id = body["id"].as_str().unwrap().to_string();
    let mut seen_retry = false;
    for _ in 0..40 {
        let row = listed(&server).await.into_iter().find(|r| r.id == id).unwrap();
        if row.status == DeliveryStatus::Retry {
            assert_eq!((row.attempts, row.last_error.as_deref()), (1, Some("upstream busy")));
            let (next, received): (i64, i64) =
                sqlx::query_as("SELECT next_attempt_at, received_at FROM webhook_deliveries WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&server.state.db)
                    .await
                    .unwrap();
            assert!(
                (received + 2..=received + 4).contains(&next),
                "waits 2 s after the first failure: {next} vs {received}"
            );
            seen_retry = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen_retry, "the first attempt was recorded as a retry");
    let row = finished(&server, &id).await;
    assert_eq!((row.status, row.attempts, row.last_error.as_deref()), (DeliveryStatus::Done, 2, None));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn backoff_doubles_up_to_an_hour_and_gives_up_after_eight_attempts() {
    assert_eq!((1..=8).map(backoff_secs).collect::<Vec<_>>(), [2, 4, 8, 16, 32, 64, 128, 256]);
    assert_eq!(backoff_secs(12), 3600);
    assert_eq!(backoff_secs(1000), 3600);
    let retry = Err(JobError::Retry("busy".into()));
    assert_eq!(next_step(3, 8, &retry, 100), Step::Retry { at: 108, error: "busy".into() });
    assert_eq!(next_step(8, 8, &retry, 100), Step::Failed { error: "busy (gave up after 8 attempts)".into() });
    assert_eq!(next_step(1, 8, &Err(JobError::Permanent("bad".into())), 100), Step::Failed { error: "bad".into() });
    assert_eq!(next_step(1, 8, &Ok(()), 100), Step::Done);
}

#[test]
fn webhooks_toml_mistakes_name_the_file_line_and_service() {
    let builtin = Registry::builtin();
    let parse = |text: &str| WebhookConfig::parse(text, "hooks.toml", &builtin);
    let shipped =
        WebhookConfig::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/webhooks.toml"))).unwrap();
    assert_eq!(shipped.names(), ["valuation-request", "market-value"]);
    assert!(WebhookConfig::load(std::path::Path::new("/nonexistent/webhooks.toml")).unwrap().services.is_empty());

    let err = parse("[[webhook]]\nname = \"valuation\"\nhandler = \"valuation_requets\"\n").unwrap_err();
    assert!(
        err.starts_with("webhooks hooks.toml line 2: webhook `valuation`: unknown handler `valuation_requets`"),
        "{err}"
    );
    assert!(err.contains("valuation_request"), "names the known handlers: {err}");
    let err =
        parse("[[webhook]]\nname = \"a\"\nhandler = \"valuation_request\"\nparameters = \"email\"\n").unwrap_err();
    assert!(err.starts_with("webhooks hooks.toml line 4:"), "{err}");
    let err = parse("[[webhook]]\nname = \"Bad Name\"\nhandler = \"valuation_request\"\n").unwrap_err();
    assert!(err.contains("`Bad Name`") && err.contains("lowercase"), "{err}");
    let twice = "[[webhook]]\nname = \"a\"\nhandler = \"valuation_request\"\n";
    assert!(parse(&format!("{twice}{twice}")).unwrap_err().contains("used twice"));
    assert_eq!(parse(&format!("lock_secs = 5\n{twice}")).unwrap().lock_secs, 5);
    assert!(parse("lock_secs = 0\n").unwrap_err().starts_with("webhooks hooks.toml line 1: `lock_secs`"));
}
