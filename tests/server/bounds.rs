//! Bounds, so one session cannot hurt everyone: cart and quantity limits, orders per user,
//! failed admin tokens, body sizes, the session lifetime, and HSTS over https.

use crate::common::*;
use marktstand::contract::orders::{PlacedOrder, MAX_CART_LINES};
use marktstand::server::config::{Config, MAX_SESSION_TTL_SECS};
use serde_json::{json, Value};

fn lines(n: usize) -> Value {
    // The catalogue has few products: lines differ by product and circle, up to `n`.
    let ids = ["expose-text", "energy-certificate"];
    Value::Array((0..n).map(|i| json!({"product_id": ids[i % 2], "quantity": 1, "circle": null})).collect())
}

#[tokio::test]
async fn a_cart_holds_fifty_lines_and_ninety_nine_of_each() {
    let server = start().await;
    let token = launch_token(&server, PARAMS).await;
    // The same product and circle merge: 60 lines of two products are two lines of 30.
    let merged = decode::<PlacedOrder>(order(&server, &token, products(lines(60)), "merge").await).await;
    let message: Value = serde_json::from_str(merged["message"].as_str().unwrap()).unwrap();
    assert_eq!(message["products"].as_array().unwrap().len(), 2);
    assert_eq!(message["products"][0]["quantity"], 30);

    let distinct: Vec<Value> =
        (0..=MAX_CART_LINES).map(|i| json!({"product_id": format!("p{i}"), "quantity": 1, "circle": null})).collect();
    let res = order(&server, &token, products(Value::Array(distinct)), "many").await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("at most 50 lines"), "{body}");

    for (quantity, key) in [(100, "q100"), (0, "q0")] {
        let request = products(json!([{"product_id": "expose-text", "quantity": quantity, "circle": null}]));
        let res = order(&server, &token, request, key).await;
        assert_eq!(res.status(), 400, "{quantity}");
        let body: Value = res.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("1 to 99"), "{body}");
    }
    // Two lines of 50 of the same product merge to 100: over the limit too.
    let split = json!([{"product_id": "expose-text", "quantity": 50, "circle": null}, {"product_id": "expose-text", "quantity": 50, "circle": null}]);
    assert_eq!(order(&server, &token, products(split), "split").await.status(), 400);
}

#[tokio::test]
async fn one_user_may_place_twenty_orders_in_ten_minutes() {
    let server = start().await;
    let token = launch_token(&server, PARAMS).await;
    let one = products(json!([{"product_id": "expose-text", "quantity": 1, "circle": null}]));
    for i in 0..20 {
        assert_eq!(order(&server, &token, one.clone(), &format!("k{i}")).await.status(), 200, "order {i}");
    }
    let res = order(&server, &token, one.clone(), "k20").await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("at most 20 orders per user in 10 minutes"), "{body}");
    // A retry of an order already made is no new order: still answered.
    assert_eq!(order(&server, &token, one.clone(), "k3").await.status(), 200);
    // Another user of the same customer is not held back.
    let other = launch_token(&server, &PARAMS.replace("userId=17", "userId=18")).await;
    assert_eq!(order(&server, &other, one, "k0").await.status(), 200);
}

#[tokio::test]
async fn wrong_admin_tokens_are_limited_per_client() {
    let server = start().await;
    let attempt = |token: &'static str| {
        let base = server.base.clone();
        async move { post_form(&base, "/api/admin_orders", &[("admin_token", token), ("page", "0")], None).await }
    };
    for _ in 0..5 {
        assert_eq!(attempt("guess").await.status(), 401);
    }
    let res = attempt("guess").await;
    assert_eq!(res.status(), 429);
    // Even the right token waits now: a guesser cannot tell when it was right.
    assert_eq!(attempt(ADMIN_TOKEN).await.status(), 429);
    assert_eq!(
        post_form(&server.base, "/api/admin_webhooks", &[("admin_token", ADMIN_TOKEN)], None).await.status(),
        429
    );
}

#[tokio::test]
async fn bodies_larger_than_a_route_accepts_are_refused() {
    let server = start().await;
    let token = launch_token(&server, PARAMS).await;
    let huge = json!({"request": products(json!([])), "idempotency_key": "x".repeat(20_000)});
    let res = post_json(&server.base, "/api/create_order", huge, Some(&token)).await;
    assert_eq!(res.status(), 413);
    let res = reqwest::Client::new()
        .post(format!("{}/webhooks/valuation-request", server.base))
        .body("a=".to_string() + &"b".repeat(10_000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn the_session_lifetime_has_a_maximum() {
    let mut args = args(&temp_db());
    args.session_ttl_secs = MAX_SESSION_TTL_SECS + 1;
    let err = Config::from_args(args.clone()).expect_err("refused");
    assert!(err.contains("MARKTSTAND_SESSION_TTL_SECS") && err.contains("14400"), "{err}");
    args.session_ttl_secs = MAX_SESSION_TTL_SECS;
    assert!(Config::from_args(args).is_ok());
}

#[tokio::test]
async fn https_public_urls_get_strict_transport_security() {
    let plain = start().await;
    let res = reqwest::get(format!("{}/", plain.base)).await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
    let mut args = args(&temp_db());
    args.public_url = "https://shop.test/service/".into();
    let tls = start_with(args).await;
    let res = reqwest::get(format!("{}/", tls.base)).await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn ready_means_the_database_answers_with_the_expected_schema() {
    let server = start().await;
    let res = reqwest::get(format!("{}/readyz", server.base)).await.unwrap();
    assert_eq!((res.status().as_u16(), res.text().await.unwrap()), (200, "ready".to_string()));
    // A schema from a newer build: this one must not take traffic.
    sqlx::query(
        "UPDATE _sqlx_migrations SET version = 999 WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(&server.state.db)
    .await
    .unwrap();
    let res = reqwest::get(format!("{}/readyz", server.base)).await.unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("migration 999"));
    server.state.db.close().await;
    let res = reqwest::get(format!("{}/readyz", server.base)).await.unwrap();
    assert_eq!(res.status(), 503, "a closed database is not ready");
    assert_eq!(res.text().await.unwrap(), "database unavailable", "no driver internals in the answer");
    assert_eq!(
        reqwest::get(format!("{}/healthz", server.base)).await.unwrap().status(),
        200,
        "but the process is alive"
    );
}
