//! Orders over real HTTP: server-side pricing, idempotency, the signed order, the payment
//! callback (signed, once), and the provider's list.

use crate::common::*;
use marktstand::contract::back_office::orders::OrderPage;
use marktstand::contract::orders::{OrderResult, PlacedOrder};
use serde_json::{json, Value};

#[tokio::test]
async fn the_server_prices_the_order_and_signs_it() {
    let server = start().await;
    let token = launch_token(&server, PARAMS).await;
    let request = products(json!([
        {"product_id": "floor-plan-2d", "quantity": 2, "circle": "group"},
        {"product_id": "energy-certificate", "quantity": 1, "circle": null}
    ]));
    let res = order(&server, &token, request, "k1").await;
    assert_eq!(res.status(), 200);
    let placed: Value = decode::<PlacedOrder>(res).await;
    assert_eq!(placed["total_cents"], 2 * 4900 + 550);
    let message: Value = serde_json::from_str(placed["message"].as_str().unwrap()).unwrap();
    signing::message::verify_message(&[SECRET.as_bytes().to_vec()], &message).expect("signed with the JSON scheme");
    assert_eq!(message["totalprice"], "103.50");
    assert_eq!(message["parametercacheid"], "pc42");
    // UserLanguage=ENG in PARAMS: names in English.
    assert_eq!(
        message["products"][0],
        json!({"name": "2D floor plan", "price": "49.00", "quantity": 2, "circleofusers": "group"})
    );
    assert_eq!(message["products"][1]["circleofusers"], Value::Null);
    let id = placed["order_id"].as_str().unwrap();
    assert_eq!(message["callbackurl"], format!("http://shop.test:8443/orders/callback?order={id}"));
}

#[tokio::test]
async fn the_same_idempotency_key_makes_one_order() {
    let server = start().await;
    let token = launch_token(&server, PARAMS).await;
    let request = products(json!([{"product_id": "expose-text", "quantity": 1, "circle": null}]));
    let (a, b) =
        tokio::join!(order(&server, &token, request.clone(), "same"), order(&server, &token, request.clone(), "same"));
    let (a, b) = (decode::<PlacedOrder>(a).await, decode::<PlacedOrder>(b).await);
    assert_eq!(a["order_id"], b["order_id"]);
    let other = decode::<PlacedOrder>(order(&server, &token, request, "other").await).await;
    assert_ne!(other["order_id"], a["order_id"]);
    let all = marktstand::server::store::orders::list(&server.state.db, &Default::default(), 100, 0).await.unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn orders_the_storefront_would_not_offer_are_refused() {
    let server = start().await;
    let no_estate = PARAMS.replace("&estateid=815", "");
    let token = launch_token(&server, &no_estate).await;
    for (request, needle) in [
        (products(json!([{"product_id": "floor-plan-2d", "quantity": 1, "circle": "user"}])), "property"),
        (products(json!([{"product_id": "valuation", "quantity": 1, "circle": "user"}])), "address"),
        (products(json!([{"product_id": "expose-text", "quantity": 0, "circle": null}])), "quantity"),
        (products(json!([{"product_id": "expose-text", "quantity": 1, "circle": "user"}])), "circle"),
        (products(json!([{"product_id": "nope", "quantity": 1, "circle": null}])), "unknown product"),
        (products(json!([])), "empty"),
    ] {
        let res = order(&server, &token, request, "k").await;
        assert_eq!(res.status(), 400, "{needle}");
        let body: Value = res.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains(needle), "{body}");
    }
    let res = order(&server, "forged", products(json!([])), "k").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_signed_callback_finishes_the_order_exactly_once() {
    let server = start().await;
    let id = placed_order(&server).await;
    let path = callback(&id, "status=success&transactionid=T-1&message=OK&referenceid=r1", now());
    let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors"));
    assert_eq!(status_of(&server, &id).await, "success");
    // A repeat, even with another status, changes nothing and still answers fine.
    let again = callback(&id, "status=error&message=late", now());
    assert_eq!(reqwest::get(format!("{}{again}", server.base)).await.unwrap().status(), 200);
    let stored =
        marktstand::server::store::orders::order(&server.state.db, &id.as_str().into()).await.unwrap().unwrap();
    assert_eq!((stored.status.code(), stored.transaction_id.as_deref()), ("success", Some("T-1")));

    // The result view's server function re-verifies and opens a session for refresh/close.
    let query = path.split_once('?').unwrap().1;
    let res = post_form(&server.base, "/api/callback_result", &[("query", query)], None).await;
    let result = decode::<OrderResult>(res).await;
    assert_eq!(result["status"], "success");
    assert_eq!(result["reference"], "T-1");
    assert_eq!(result["session"]["context"]["parameter_cache_id"], "pc42");
}

#[tokio::test]
async fn tampered_or_stale_callbacks_are_refused_and_change_nothing() {
    let server = start().await;
    let id = placed_order(&server).await;
    let tampered = callback(&id, "status=error&message=x", now()).replace("status=error", "status=success");
    let stale = callback(&id, "status=success", now() - 3600);
    for path in [tampered, stale] {
        let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        assert_eq!(status_of(&server, &id).await, "pending");
    }
}

#[tokio::test]
async fn an_unsigned_callback_is_kept_as_reported_and_the_provider_settles_it() {
    // The demo shop's result page checks no signature, and nothing says enterprise signs it.
    let server = start().await;
    let id = placed_order(&server).await;
    let unsigned = format!("order={id}&status=success&transactionid=T-77&message=ok");
    let res = reqwest::get(format!("{}/orders/callback?{unsigned}", server.base)).await.unwrap();
    assert_eq!(res.status(), 200, "not an error page");
    assert_eq!(status_of(&server, &id).await, "pending", "never paid on the browser's word");
    let res = post_form(&server.base, "/api/callback_result", &[("query", &unsigned)], None).await;
    let result = decode::<OrderResult>(res).await;
    assert_eq!((result["status"].as_str(), result["reference"].as_str()), (Some("pending"), Some("T-77")));
    assert_eq!(result["session"], serde_json::Value::Null, "a report earns no session");

    let detail = |id: String| {
        let base = server.base.clone();
        async move {
            let res = post_form(&base, "/api/admin_order", &[("admin_token", ADMIN_TOKEN), ("id", &id)], None).await;
            decode::<marktstand::contract::back_office::OrderDetail>(res).await
        }
    };
    let shown = detail(id.clone()).await;
    assert_eq!(
        (shown["reported"]["status"].as_str(), shown["reported"]["reference"].as_str()),
        (Some("success"), Some("T-77"))
    );
    let outcomes: Vec<_> =
        shown["timeline"].as_array().unwrap().iter().filter_map(|e| e["Callback"]["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["Reported"]);

    let settle = |confirm: &'static str| {
        let (base, id) = (server.base.clone(), id.clone());
        async move {
            post_form(
                &base,
                "/api/admin_settle_reported",
                &[("admin_token", ADMIN_TOKEN), ("id", &id), ("confirm", confirm)],
                None,
            )
            .await
        }
    };
    let settled = decode::<marktstand::contract::back_office::OrderDetail>(settle("true").await).await;
    assert_eq!(
        (settled["row"]["status"].as_str(), settled["row"]["reference"].as_str()),
        (Some("success"), Some("T-77"))
    );
    assert_eq!(settled["reported"], serde_json::Value::Null);
    let last =
        settled["timeline"].as_array().unwrap().iter().rev().find(|e| e["Callback"].is_object()).unwrap().clone();
    assert_eq!(last["Callback"]["outcome"], "Confirmed");
    assert!(!last["Callback"]["detail"].as_str().unwrap().is_empty(), "who confirmed it is recorded");
    assert_eq!(settle("false").await.status(), 409, "a paid order has nothing left to settle");

    // Cancelled: the order fails; a signed callback still works as before on another order.
    let other = placed_order(&server).await;
    let report = format!("/orders/callback?order={other}&status=success");
    assert_eq!(reqwest::get(format!("{}{report}", server.base)).await.unwrap().status(), 200);
    let res = post_form(
        &server.base,
        "/api/admin_settle_reported",
        &[("admin_token", ADMIN_TOKEN), ("id", &other), ("confirm", "false")],
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status_of(&server, &other).await, "error");
    // Anyone who knows an order's id can report: what that stores is bounded.
    for i in 0..30 {
        let path = format!("/orders/callback?order={other}&status=success&transactionid=X{i}");
        reqwest::get(format!("{}{path}", server.base)).await.unwrap();
    }
    let kept: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM order_callbacks WHERE order_id = $1 AND outcome = 'reported'")
            .bind(&other)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!(kept.0, marktstand::server::orders::log::MAX_PER_OUTCOME);
    let wrong = post_form(
        &server.base,
        "/api/admin_settle_reported",
        &[("admin_token", "guess"), ("id", &other), ("confirm", "true")],
        None,
    )
    .await;
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn the_provider_list_needs_the_admin_token() {
    let server = start().await;
    placed_order(&server).await;
    let res = post_form(&server.base, "/api/admin_orders", &[("admin_token", "wrong"), ("page", "0")], None).await;
    assert_eq!(res.status(), 401);
    let res = post_form(&server.base, "/api/admin_orders", &[("admin_token", ADMIN_TOKEN), ("page", "0")], None).await;
    let page = decode::<OrderPage>(res).await;
    assert_eq!(page["more"], false);
    let rows = &page["rows"];
    assert_eq!(rows[0]["customer_name"], "Musterfirma Immobilien");
    assert_eq!(rows[0]["products"][0], "1 × Exposé ~ text & images");
    assert_eq!(rows[0]["status"], "pending");
}
