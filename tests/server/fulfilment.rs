//! Across hosts over real HTTP: a Kolibri24 widget session requests products (and can do
//! nothing onOffice-only); a product with a Oneflow template gets its contract created and
//! sent once after payment, and Oneflow's signed notifications move it to signed.

use crate::common::*;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Json;
use marktstand::contract::orders::{Fulfilment, OrderStatus};
use marktstand::server::config::Config;
use marktstand::server::hosts::oneflow::notification::signature;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A Kolibri24 `validateSignature` that says yes, and a Oneflow API that records its calls.
struct StandIns {
    kolibri: String,
    oneflow: String,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn stand_ins() -> StandIns {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let (create, publish) = (calls.clone(), calls.clone());
    let app = axum::Router::new()
        .route("/v1/validateSignature", post(|| async { Json(json!({"isValid": true})) }))
        .route(
            "/oneflow/contracts/create",
            post(move |headers: axum::http::HeaderMap, Json(body): Json<Value>| {
                let calls = create.clone();
                async move {
                    if headers.get("x-oneflow-api-token").map(|v| v.as_bytes()) != Some(b"of-token") {
                        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "token"})));
                    }
                    calls.lock().unwrap().push(("create".into(), body));
                    (StatusCode::OK, Json(json!({"id": 9001, "state": "draft"})))
                }
            }),
        )
        .route(
            "/oneflow/contracts/{id}/publish",
            post(move |Path(id): Path<String>| {
                let calls = publish.clone();
                async move {
                    calls.lock().unwrap().push(("publish".into(), json!(id)));
                    Json(json!({}))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    StandIns { kolibri: format!("{base}/v1/validateSignature"), oneflow: format!("{base}/oneflow"), calls }
}

async fn start_with_hosts(s: &StandIns) -> TestServer {
    let mut a = args(&temp_db());
    a.kolibri24.validate_url = s.kolibri.clone();
    a.oneflow.sign_key = Some("of-sign".into());
    a.oneflow.api_url = s.oneflow.clone();
    a.oneflow.api_token = Some("of-token".into());
    a.oneflow.user_email = Some("shop@example.com".into());
    start_config(Config::from_args(a).unwrap()).await
}

async fn order_of(server: &TestServer, id: &str) -> marktstand::server::store::orders::StoredOrder {
    marktstand::server::store::orders::order(&server.state.db, &id.into()).await.unwrap().unwrap()
}

/// Waits until `check` holds for order `id`.
async fn until(server: &TestServer, id: &str, check: impl Fn(&marktstand::server::store::orders::StoredOrder) -> bool) {
    for _ in 0..200 {
        if check(&order_of(server, id).await) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("order {id} never got there: {:?}", order_of(server, id).await);
}

#[tokio::test]
async fn a_widget_session_requests_products_for_its_entity_and_nothing_else() {
    let s = stand_ins().await;
    let server = start_with_hosts(&s).await;
    let until_ts = now() + 600;
    let page = reqwest::get(format!(
        "{}/kolibri24/widget?entityId=E-17&realEstateAgencyId=A-4&entityType=RealEstate&validUntil={until_ts}&signature=x%3D&keyVersion=1",
        server.base
    ))
    .await
    .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let token =
        html.split("name=\"marktstand-session\" content=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    let opened = decode::<marktstand::contract::widget::WidgetContext>(
        post_form(&server.base, "/api/open_widget", &[], Some(&token)).await,
    )
    .await;
    assert_eq!((opened["agency_id"].as_str(), opened["entity_id"].as_str()), (Some("A-4"), Some("E-17")));
    assert_eq!(post_form(&server.base, "/api/catalogue", &[], Some(&token)).await.status(), 200);

    let ask = |key: &str, product: &str| {
        post_json(
            &server.base,
            "/api/widget_request",
            json!({"product_id": product, "idempotency_key": key}),
            Some(&token),
        )
    };
    let first = decode::<marktstand::contract::widget::RequestRow>(ask("k1", "energy-certificate").await).await;
    assert_eq!(first["status"], "requested");
    let again = decode::<marktstand::contract::widget::RequestRow>(ask("k1", "energy-certificate").await).await;
    assert_eq!(again["order_id"], first["order_id"], "the same key is the same request");
    // A product sold only per user cannot be requested for a whole agency.
    assert_eq!(ask("k2", "valuation").await.status(), 400);

    let listed = decode::<Vec<marktstand::contract::widget::RequestRow>>(
        post_form(&server.base, "/api/widget_requests", &[], Some(&token)).await,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let stored = order_of(&server, first["order_id"].as_str().unwrap()).await;
    assert_eq!(
        (stored.status, stored.customer_web_id.as_str(), stored.estate_id.as_deref()),
        (OrderStatus::Requested, "A-4", Some("E-17"))
    );
    assert_eq!(stored.entity_type.as_deref(), Some("RealEstate"));

    // onOffice-only functions refuse a widget session.
    let request = products(json!([{"product_id": "expose-text", "quantity": 1, "circle": null}]));
    assert_eq!(order(&server, &token, request, "k3").await.status(), 401);
    assert_eq!(
        post_form(&server.base, "/api/parent_message", &[("action", "RefreshParentAndClose")], Some(&token))
            .await
            .status(),
        401
    );
    // And a storefront session is no widget session.
    let shop = launch_token(&server, PARAMS).await;
    assert_eq!(post_form(&server.base, "/api/widget_requests", &[], Some(&shop)).await.status(), 401);
}

#[tokio::test]
async fn a_paid_contract_product_gets_one_contract_that_oneflow_events_move_to_signed() {
    let s = stand_ins().await;
    let server = start_with_hosts(&s).await;
    let token = launch_token(&server, PARAMS).await;
    let request = products(json!([{"product_id": "brokerage-agreement", "quantity": 1, "circle": null}]));
    let placed = decode::<marktstand::contract::orders::PlacedOrder>(order(&server, &token, request, "c1").await).await;
    let id = placed["order_id"].as_str().unwrap().to_string();
    assert!(s.calls.lock().unwrap().is_empty(), "nothing before payment");

    let paid = callback(&id, "status=success&transactionid=T-9", now());
    for _ in 0..2 {
        let res = reqwest::get(format!("{}{paid}", server.base)).await.unwrap();
        assert_eq!(res.status(), 200);
    }
    until(&server, &id, |o| o.fulfilment.as_deref() == Some("sent")).await;
    let o = order_of(&server, &id).await;
    assert_eq!(o.contract_id.as_deref(), Some("9001"));
    let calls = s.calls.lock().unwrap().clone();
    assert_eq!(calls.iter().filter(|(c, _)| c == "create").count(), 1, "created once: {calls:?}");
    assert_eq!(calls.iter().filter(|(c, _)| c == "publish").count(), 1);
    let created = &calls[0].1;
    assert_eq!(created["template_id"], "brokerage-agreement");
    let fields = created["data_fields"].as_array().unwrap();
    assert!(fields.contains(&json!({"custom_id": "order_id", "value": id})), "{created}");
    assert!(fields.contains(&json!({"custom_id": "property_id", "value": "815"})), "{created}");

    let notify = |callback_id: &str, event: &str| {
        let body = json!({"callback_id": callback_id, "signature": signature(callback_id, "of-sign"),
                          "contract": {"id": 9001}, "events": [{"type": event}]});
        reqwest::Client::new().post(format!("{}/oneflow/webhook", server.base)).json(&body).send()
    };
    assert_eq!(notify("cb-1", "contract:sign").await.unwrap().status(), 200);
    until(&server, &id, |o| o.fulfilment.as_deref() == Some(Fulfilment::Signed.code())).await;
    // Signed is final: a later decline changes nothing.
    assert_eq!(notify("cb-2", "contract:decline").await.unwrap().status(), 200);
    deliveries_settled(&server).await;
    assert_eq!(order_of(&server, &id).await.fulfilment.as_deref(), Some("signed"));

    // The agent sees it among their orders in the storefront.
    let mine = decode::<Vec<marktstand::contract::orders::MyOrder>>(
        post_form(&server.base, "/api/my_orders", &[], Some(&token)).await,
    )
    .await;
    let listed = mine.as_array().unwrap().iter().find(|o| o["id"] == id.as_str()).expect("listed").clone();
    assert_eq!(
        (listed["status"].as_str(), listed["fulfilment"].as_str()),
        (Some("success"), Some("signed")),
        "{listed}"
    );
    // Another user of the same office does not see it.
    let other = launch_token(&server, &PARAMS.replace("userId=17", "userId=18")).await;
    let theirs = decode::<Vec<marktstand::contract::orders::MyOrder>>(
        post_form(&server.base, "/api/my_orders", &[], Some(&other)).await,
    )
    .await;
    assert!(theirs.as_array().unwrap().iter().all(|o| o["id"] != id.as_str()));
}
