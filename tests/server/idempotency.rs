//! Idempotency keys and the error view, as a user would hit them: a key means one cart of
//! one user, a key reused for another cart is refused, a failed payment is recorded with
//! enterprise's message, and two replicas' worth of simultaneous requests with one key make
//! one order — on SQLite and on PostgreSQL.

use crate::common::*;
use serde_json::json;

fn cart(product: &str, quantity: u32) -> serde_json::Value {
    products(json!([{"product_id": product, "quantity": quantity, "circle": null}]))
}

async fn orders_with_key_suffix(server: &TestServer, key: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM orders WHERE idempotency_key LIKE $1")
        .bind(format!("%:{key}"))
        .fetch_one(&server.state.db)
        .await
        .unwrap()
}

async fn keys_and_error_view(db: &str) {
    let server = start_with(args(db)).await;
    let key = format!("k-{}", marktstand::server::ids::new_id());
    let anna = launch_token(&server, PARAMS).await;
    let ben = launch_token(&server, &PARAMS.replace("userId=17", "userId=18")).await;

    let first =
        decode::<marktstand::contract::orders::PlacedOrder>(order(&server, &anna, cart("expose-text", 1), &key).await)
            .await;
    // Another cart under the same key: refused, saying why, and nothing new stored.
    let res = order(&server, &anna, cart("expose-text", 2), &key).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("different cart"));
    // The same key from another user is that user's own order.
    let other =
        decode::<marktstand::contract::orders::PlacedOrder>(order(&server, &ben, cart("expose-text", 1), &key).await)
            .await;
    assert_ne!(first["order_id"], other["order_id"]);
    assert_eq!(orders_with_key_suffix(&server, &key).await, 2);

    // A failed payment: the order is `error` with enterprise's message, and the view says so.
    let id = first["order_id"].as_str().unwrap();
    let path = callback(id, "status=error&message=Karte%20abgelehnt%20%3Cb%3E", now());
    let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    let stored = marktstand::server::store::orders::order(&server.state.db, &id.into()).await.unwrap().unwrap();
    assert_eq!((stored.status.code(), stored.message.as_deref()), ("error", Some("Karte abgelehnt <b>")));
    let query = path.split_once('?').unwrap().1;
    let view = decode::<marktstand::contract::orders::OrderResult>(
        post_form(&server.base, "/api/callback_result", &[("query", query)], None).await,
    )
    .await;
    assert_eq!((view["status"].as_str(), view["message"].as_str()), (Some("error"), Some("Karte abgelehnt <b>")));
}

/// Sixteen simultaneous requests with one key (a double click, a retry, two replicas).
async fn one_key_at_once(db: &str) {
    let server = start_with(args(db)).await;
    let key = format!("c-{}", marktstand::server::ids::new_id());
    let token = launch_token(&server, PARAMS).await;
    let answers =
        futures::future::join_all((0..16).map(|_| order(&server, &token, cart("energy-certificate", 3), &key))).await;
    let mut ids = std::collections::HashSet::new();
    for res in answers {
        assert_eq!(res.status(), 200);
        ids.insert(
            decode::<marktstand::contract::orders::PlacedOrder>(res).await["order_id"].as_str().unwrap().to_string(),
        );
    }
    assert_eq!(ids.len(), 1, "one order for one key: {ids:?}");
    assert_eq!(orders_with_key_suffix(&server, &key).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_sqlite() {
    let db = temp_db();
    keys_and_error_view(&db).await;
    one_key_at_once(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres() {
    if let Some(url) = postgres() {
        keys_and_error_view(&url).await;
        one_key_at_once(&url).await;
    }
}
