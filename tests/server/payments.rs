//! Nobody can mark an order paid but the host: every callback is verified from its parsed
//! parameters, the status moves only along the state machine, a paid order is never signed
//! again, and a callback's result opens a session once.

use crate::common::*;
use marktstand::contract::back_office::TimelineEntry;
use marktstand::contract::orders::{OrderResult, PlacedOrder};
use serde_json::json;

async fn get(server: &TestServer, path: &str) -> u16 {
    reqwest::get(format!("{}{path}", server.base)).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_callback_without_a_valid_signature_never_changes_an_order() {
    let server = start().await;
    let id = placed_order(&server).await;
    let signed = callback(&id, "status=success&transactionid=T-1", now());
    let signature = signed.rsplit_once("signature=").unwrap().1.to_string();
    // No signature at all (the buyer calling the callback for their own order): kept as a
    // report the provider settles, the order unchanged.
    assert_eq!(get(&server, &format!("/orders/callback?order={id}&status=success&transactionid=T")).await, 200);
    assert_eq!(status_of(&server, &id).await, "pending");
    for path in [
        // The key written another way is still the signature PHP sees, and still checked.
        format!("/orders/callback?order={id}&status=success&timestamp={}&%73ignature=00", now()),
        signed.replace("signature=", "%73ignature=").replace(&signature, &"0".repeat(64)),
        // An upper-case copy of a valid signature is not the signature PHP compares.
        signed.replace(&signature, &signature.to_uppercase()),
    ] {
        assert_eq!(get(&server, &path).await, 401, "{path}");
        assert_eq!(status_of(&server, &id).await, "pending", "{path}");
    }
    // The same valid signature under the encoded key name is what PHP sees too.
    assert_eq!(get(&server, &signed.replace("signature=", "%73ignature=")).await, 200);
    assert_eq!(status_of(&server, &id).await, "success");
}

#[tokio::test]
async fn sepa_settles_later_and_final_states_stay_final() {
    let server = start().await;
    let id = placed_order(&server).await;
    assert_eq!(get(&server, &callback(&id, "status=inprocess", now())).await, 200);
    assert_eq!(status_of(&server, &id).await, "inprocess");
    assert_eq!(get(&server, &callback(&id, "status=success&transactionid=T-7", now())).await, 200);
    assert_eq!(status_of(&server, &id).await, "success");
    assert_eq!(get(&server, &callback(&id, "status=error&message=late", now())).await, 200);
    assert_eq!(status_of(&server, &id).await, "success", "success is final");
    let events = marktstand::server::store::orders::order_events(&server.state.db, &id.as_str().into()).await.unwrap();
    let steps: Vec<_> =
        events.iter().map(|(_, from, to, reference)| (from.as_str(), to.as_str(), reference.as_deref())).collect();
    assert_eq!(steps, vec![("pending", "inprocess", None), ("inprocess", "success", Some("T-7"))]);
    assert!(events.iter().all(|(at, ..)| (now() - at).abs() < 60), "each step carries its time");

    let bounced = placed_order(&server).await;
    assert_eq!(get(&server, &callback(&bounced, "status=inprocess", now())).await, 200);
    assert_eq!(get(&server, &callback(&bounced, "status=error&message=returned", now())).await, 200);
    assert_eq!(get(&server, &callback(&bounced, "status=success", now())).await, 200);
    assert_eq!(status_of(&server, &bounced).await, "error", "error is final");
    assert_eq!(get(&server, &callback(&bounced, "status=pending", now())).await, 400, "pending is no answer");
    assert_eq!(get(&server, &callback("no-such-order", "status=success", now())).await, 404);
}

#[tokio::test]
async fn a_reused_key_of_a_paid_order_signs_nothing() {
    let server = start().await;
    let token = launch_token(&server, PARAMS).await;
    let request = products(json!([{"product_id": "expose-text", "quantity": 1, "circle": null}]));
    let placed = decode::<PlacedOrder>(order(&server, &token, request.clone(), "cart-1").await).await;
    let id = placed["order_id"].as_str().unwrap();
    // While pending, a retry gets the same signed order (the popup may not have opened).
    let again = decode::<PlacedOrder>(order(&server, &token, request.clone(), "cart-1").await).await;
    assert_eq!(again["order_id"], id);
    assert_eq!(get(&server, &callback(id, "status=success&transactionid=T-1", now())).await, 200);
    let res = order(&server, &token, request, "cart-1").await;
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("already success"), "{body}");
    assert!(body.get("order_id").is_none() && !body.to_string().contains("signature"), "{body}");
}

#[tokio::test]
async fn a_callback_opens_the_result_session_once() {
    let server = start().await;
    let id = placed_order(&server).await;
    let path = callback(&id, "status=success&transactionid=T-1", now());
    assert_eq!(get(&server, &path).await, 200);
    let query = path.split_once('?').unwrap().1;
    let result = |server: &TestServer| {
        let base = server.base.clone();
        let query = query.to_string();
        async move {
            decode::<OrderResult>(post_form(&base, "/api/callback_result", &[("query", &query)], None).await).await
        }
    };
    let first = result(&server).await;
    assert_eq!(first["session"]["context"]["customer_web_id"], "4711");
    let replay = result(&server).await;
    assert_eq!(replay["status"], "success");
    assert_eq!(replay["reference"], "T-1");
    assert!(replay["session"].is_null(), "a replay shows the result without a session: {replay}");
}

#[tokio::test]
async fn one_callback_sent_in_many_spellings_is_one_line_of_the_orders_history() {
    let server = start().await;
    let id = placed_order(&server).await;
    let signed = callback(&id, "status=success&transactionid=T-1", now());
    let spellings = [
        signed.clone(),
        format!("{signed}&"),
        signed.replace("?order=", "?&order="),
        signed.replace("&status=", "&&status="),
        format!("{signed}&=x"),
        signed.replace("status=success", "%73tatus=success"),
        signed.replace("T-1", "T%2D1"),
        signed.replace("status=success&transactionid=T-1", "transactionid=T-1&status=success"),
    ];
    for path in &spellings {
        assert_eq!(get(&server, path).await, 200, "{path}");
    }
    assert_eq!(status_of(&server, &id).await, "success");
    let (kept,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM order_callbacks WHERE order_id = $1")
        .bind(&id)
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(kept, 1, "eight spellings of one callback are one callback");
    let order = id.as_str().into();
    let created = marktstand::server::store::orders::order(&server.state.db, &order).await.unwrap().unwrap().created_at;
    let timeline = marktstand::server::orders::log::timeline(&server.state.db, &order, created).await.unwrap();
    let callbacks = timeline.iter().filter(|e| matches!(e, TimelineEntry::Callback { .. })).count();
    assert_eq!(callbacks, 1, "{timeline:?}");
}
