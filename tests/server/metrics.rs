//! `GET /metrics`: off without a token, refused with a wrong one, and with the right one the
//! counters a provider alerts on move with what happened: launches by outcome, orders by
//! status, callbacks, deliveries by host and service, request times per route, and the queue.

use crate::common::*;
use marktstand::server::config::Config;

/// The value of the sample of `name` that has all of `labels` (0 when there is none).
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn scrape(server: &TestServer, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(format!("{}/metrics", server.base));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn metrics_follow_what_happened_and_need_their_token() {
    let off = start().await;
    assert_eq!(scrape(&off, Some("anything")).await.0, 404, "no token configured: no route");

    let mut a = args(&temp_db());
    a.metrics_token = Some("metrics-token".into());
    let server = start_config(Config::from_args(a).unwrap()).await;
    assert_eq!(scrape(&server, None).await.0, 401);
    assert_eq!(scrape(&server, Some("wrong")).await.0, 401);
    let (_, before) = scrape(&server, Some("metrics-token")).await;

    let id = placed_order(&server).await; // a launch and an order
    let tampered = signed_query(PARAMS, SECRET, now()).replace("userId=17", "userId=18");
    assert_eq!(post_launch(&server.base, &tampered).await.status(), 401);
    let paid = callback(&id, "status=success&transactionid=T-1", now());
    assert_eq!(reqwest::get(format!("{}{paid}", server.base)).await.unwrap().status(), 200);
    let hook = signing::url::sign_url(
        SECRET.as_bytes(),
        "http://shop.test:8443/webhooks/valuation-request?customerWebId=4711&estateid=1",
        now(),
    )
    .unwrap();
    let path = hook.split_once("8443").unwrap().1;
    assert_eq!(reqwest::get(format!("{}{path}", server.base)).await.unwrap().status(), 200);

    let (status, after) = scrape(&server, Some("metrics-token")).await;
    assert_eq!(status, 200);
    let grew = |name: &str, labels: &[&str]| sample(&after, name, labels) - sample(&before, name, labels);
    assert!(grew("marktstand_signed_requests_total", &["kind=\"launch\"", "outcome=\"verified\""]) >= 1.0, "{after}");
    assert!(grew("marktstand_signed_requests_total", &["kind=\"launch\"", "outcome=\"signature_mismatch\""]) >= 1.0);
    assert!(grew("marktstand_orders_total", &["status=\"pending\""]) >= 1.0);
    assert!(grew("marktstand_orders_total", &["status=\"success\""]) >= 1.0);
    assert!(grew("marktstand_payment_callbacks_total", &["outcome=\"applied\""]) >= 1.0);
    assert!(
        grew(
            "marktstand_deliveries_total",
            &["host=\"onoffice\"", "service=\"valuation-request\"", "status=\"received\""]
        ) >= 1.0
    );
    // The launch has its own route, so its latency is told apart from the other calls'.
    assert!(sample(&after, "marktstand_request_duration_seconds_count", &["route=\"/api/launch\""]) >= 2.0, "{after}");
    assert!(
        sample(&after, "marktstand_request_duration_seconds_count", &["route=\"/api/{*fn_name}\""]) >= 1.0,
        "{after}"
    );
    assert!(after.contains("marktstand_deliveries_waiting{status=\"queued\"}"), "{after}");
    assert!(after.contains("marktstand_deliveries_oldest_waiting_seconds{status=\"retry\"}"));
    for secret in [SECRET, "metrics-token", "claim-abc-123"] {
        assert!(!after.contains(secret), "{secret} in the metrics");
    }
}
