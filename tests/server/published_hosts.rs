//! The hosts as they publish themselves, not as our simulator agrees with us: each test feeds
//! the server an example or shape from a host's own material (`tests/fixtures/hosts/…`, with
//! its source in each folder's SOURCES.md) or a host's documented behaviour, over real HTTP.

use crate::common::*;
use axum::routing::post;
use axum::Json;
use marktstand::server::config::Config;
use marktstand::server::hosts::onoffice::api::Credentials;
use marktstand_simulator::{SimConfig, DEMO_API_SECRET, DEMO_API_TOKEN};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn fixture(path: &str) -> String {
    let file = format!("{}/tests/fixtures/hosts/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

/// A `validateSignature` stand-in that says yes to the signature `valid` and keeps every body.
async fn kolibri24(valid: &'static str) -> (String, Arc<Mutex<Vec<Value>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let app = axum::Router::new().route(
        "/v1/validateSignature",
        post(move |Json(body): Json<Value>| {
            let seen = seen.clone();
            async move {
                let ok = body["signature"] == valid;
                seen.lock().unwrap().push(body);
                Json(json!({ "isValid": ok }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/validateSignature", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, bodies)
}

/// The server with Kolibri24 checked by `validate_url`, and the simulator's onOffice API.
async fn server(validate_url: &str) -> (TestServer, String) {
    let sim = SimConfig::new("http://shop.test:8443/", SECRET.as_bytes().to_vec()).unwrap();
    let api = marktstand_simulator::spawn_on_loopback(sim).await;
    let mut a = args(&temp_db());
    a.api_endpoint = format!("{api}/api/stable/api.php");
    a.kolibri24.validate_url = validate_url.into();
    a.kolibri24.webhook_tokens = Some("hook-token".into());
    (start_config(Config::from_args(a).unwrap()).await, api)
}

const AGENCY: &str = "5f0a2b4c-1d2e-4f30-8a41-52b6c7d8e9f0";

fn widget_path(signature_raw: &str) -> String {
    // As Kolibri24 prints it: `signature={value}=`, not percent-encoded.
    format!(
        "/kolibri24/widget?entityId=8d7c6b5a&realEstateAgencyId={AGENCY}&entityType=RealEstateProperty\
         &validUntil=2099-01-01T00:00:00Z&signature={signature_raw}&keyVersion=1"
    )
}

async fn status(server: &TestServer, path: &str) -> (u16, String) {
    let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_kolibri24_signature_printed_unencoded_reaches_validate_signature_byte_for_byte() {
    let signature = "q83v+EjRW/eJq8+3vEjRWeJq83vEjRWeJo=";
    let (url, bodies) = kolibri24(signature).await;
    let (server, _) = server(&url).await;
    let (code, page) = status(&server, &widget_path(signature)).await;
    assert_eq!(code, 200, "{page}");
    assert_eq!(bodies.lock().unwrap()[0]["signature"], signature, "`+` is base64, not a space");
    // Percent-encoded, it is the same signature.
    let encoded = signature.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    assert_eq!(status(&server, &widget_path(&encoded).replace("keyVersion=1", "keyVersion=2")).await.0, 200);
    assert_eq!(bodies.lock().unwrap()[1]["signature"], signature);
}

async fn post_envelope(server: &TestServer, body: String) -> Value {
    let (status, answer) = post_to(server, "/kolibri24/webhook/hook-token", body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// An envelope around `announcements` (each sent as a JSON string, as documented).
fn envelope_of(announcements: &[Value]) -> String {
    let mut envelope = fixture_json("kolibri24/webhook-envelope.json");
    let messages: Vec<Value> = announcements
        .iter()
        .map(|a| json!({"id": format!("m-{}", a["id"]), "name": "x", "timestamp": 1, "data": a.to_string()}))
        .collect();
    envelope["items"] = json!([{"webhookId": "w", "data": {"channelId": "c", "messages": messages}}]);
    envelope.to_string()
}

#[tokio::test]
async fn kolibri24_s_documented_envelope_and_details_objects_are_read() {
    let (url, _) = kolibri24("good=").await;
    let (server, _) = server(&url).await;
    // The page's own envelope: two items, three messages (Entity, Authorization, Notification).
    let answer = post_envelope(&server, fixture("kolibri24/webhook-envelope.json")).await;
    assert_eq!(answer["accepted"], 3, "{answer}");
    deliveries_settled(&server).await;
    let rows = marktstand::server::store::jobs::recent(&server.state.db, 10, &Default::default()).await.unwrap();
    assert!(
        rows.iter().all(|r| r.status == marktstand::contract::back_office::webhooks::DeliveryStatus::Done),
        "{rows:?}"
    );
    let entity = fixture_json("kolibri24/announcement-entity.json");
    let (id, kind): (String, String) =
        sqlx::query_as("SELECT entity_id, entity_type FROM entity_changes WHERE agency_id = $1")
            .bind(AGENCY)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!((json!(id), json!(kind)), (entity["entityDetails"]["entityId"].clone(), json!("RealEstateProperty")));
    // The envelope carried a revocation: this agency's widget calls say so.
    let (code, page) = status(&server, &widget_path("good=")).await;
    assert_eq!(code, 401);
    assert!(page.contains("access_revoked") && page.contains("entzogen") && page.contains("revoked"), "{page}");
}

#[tokio::test]
async fn a_grant_restores_access_and_an_older_announcement_arriving_late_changes_nothing() {
    let (url, _) = kolibri24("good=").await;
    let (server, _) = server(&url).await;
    let revoked = fixture_json("kolibri24/announcement-authorization.json"); // 09:21
    let older_grant = fixture_json("kolibri24/announcement-authorization-granted.json"); // 09:00
    post_envelope(&server, envelope_of(std::slice::from_ref(&revoked))).await;
    deliveries_settled(&server).await;
    assert_eq!(status(&server, &widget_path("good=")).await.0, 401);
    post_envelope(&server, envelope_of(std::slice::from_ref(&older_grant))).await;
    deliveries_settled(&server).await;
    assert_eq!(status(&server, &widget_path("good=")).await.0, 401, "the older grant does not undo the revocation");
    let mut newer_grant = older_grant;
    (newer_grant["id"], newer_grant["timeStamp"]) = (json!("g-2"), json!("2024-03-01T10:00:00Z"));
    post_envelope(&server, envelope_of(&[newer_grant])).await;
    deliveries_settled(&server).await;
    assert_eq!(status(&server, &widget_path("good=")).await.0, 200);
}

/// A storefront launch's session, once the customer's credentials are stored.
async fn activated_launch(server: &TestServer) -> String {
    let creds = Credentials { token: DEMO_API_TOKEN.into(), secret: DEMO_API_SECRET.into() };
    marktstand::server::hosts::onoffice::credentials::store(&server.state, &"4711".into(), &creds, now())
        .await
        .unwrap();
    launch_token(server, PARAMS).await
}

async fn switch(api: &str, problem: &str) {
    let script = json!({"problem": problem, "times": 1});
    let res = reqwest::Client::new().post(format!("{api}/api/_fail")).json(&script).send().await.unwrap();
    assert!(res.status().is_success(), "{problem}");
}

#[tokio::test]
async fn onoffice_s_refusals_reach_the_agent_in_plain_words_and_only_token_or_hmac_blame_the_key() {
    let (server, api) = server("http://127.0.0.1:9/unused").await;
    let token = activated_launch(&server).await;
    let read = || async {
        let res = post_form(&server.base, "/api/property_info", &[], Some(&token)).await;
        decode::<marktstand::contract::activation::PropertyInfo>(res).await
    };
    let api_error = || async {
        let row: (Option<String>,) = sqlx::query_as("SELECT api_error FROM customers WHERE customer_web_id = '4711'")
            .fetch_one(&server.state.db)
            .await
            .unwrap();
        row.0
    };
    for (problem, shown) in
        [("claim", "ClaimOutdated"), ("permission", "NoPermission"), ("unknown_record", "UnknownRecord")]
    {
        switch(&api, problem).await;
        assert_eq!(read().await, json!(shown), "{problem}");
        assert_eq!(api_error().await, None, "{problem} is no fault of the customer's key");
    }
    switch(&api, "timestamp").await;
    let clock = read().await;
    assert!(clock["Unavailable"]["message"].as_str().unwrap().contains("clock"), "{clock}");
    assert_eq!(api_error().await, None);
    switch(&api, "hmac").await;
    assert_eq!(read().await, json!("KeyRefused"));
    assert!(api_error().await.unwrap().contains("activate the service again"));
    assert!(read().await["Estate"]["id"] == "815", "the key works again, as the next read shows");
}

#[tokio::test]
async fn the_market_value_webhook_enters_its_result_in_the_property() {
    let (server, api) = server("http://127.0.0.1:9/unused").await;
    let hook = |params: &str| {
        let url = format!("http://shop.test:8443/webhooks/market-value?{params}");
        signing::url::sign_url(SECRET.as_bytes(), &url, now()).unwrap().split_once("8443").unwrap().1.to_string()
    };
    let base = server.base.clone();
    let call = |path: String| {
        let url = format!("{base}{path}");
        async move {
            let res = reqwest::get(url).await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let params = "customerWebId=4711&userId=17&apiClaim=claim-9&estateid=815&language=ENG&wohnflaeche=72%2C5";
    // Not activated: enterprise reads a failure that says what to do (and e-mails it).
    let (code, body) = call(hook(params)).await;
    assert_eq!(code, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("activate"), "{body}");

    activated_launch(&server).await;
    let (code, body) = call(hook(&params.replace("claim-9", "claim-10"))).await;
    assert_eq!((code, &body["done"]), (200, &json!(true)), "{body}");
    let estates: Value = reqwest::get(format!("{api}/api/_estates")).await.unwrap().json().await.unwrap();
    assert_eq!(estates["815"]["marktwert_indikativ"], 304_500, "72.5 m² × 4,200 €: {estates}");
    let recorded: Value = reqwest::get(format!("{api}/api/_recorded")).await.unwrap().json().await.unwrap();
    let modify = recorded.as_array().unwrap().iter().find(|a| a["actionid"].as_str().unwrap().ends_with("modify"));
    let modify = modify.expect("a modify action");
    assert_eq!(
        (&modify["resourcetype"], &modify["resourceid"], modify["hmac_valid"].as_bool()),
        (&json!("estate"), &json!("815"), Some(true))
    );
    assert_eq!(modify["parameters"]["extendedclaim"], "claim-10");
    assert_eq!(modify["parameters"]["estatelanguage"], "ENG");
}

#[tokio::test]
async fn a_launch_signed_as_onoffice_s_published_check_does_without_the_port_opens() {
    // The server's public URL is http://shop.test:8443/; the demo shop's `CheckSignature`
    // signs scheme://host + path.
    let (server, _) = server("http://127.0.0.1:9/unused").await;
    let url = format!("http://shop.test/?{PARAMS}");
    let signed = signing::url::sign_url(SECRET.as_bytes(), &url, now()).unwrap();
    let res = post_launch(&server.base, signed.split_once('?').unwrap().1).await;
    assert_eq!(res.status(), 200);
    let elsewhere = signing::url::sign_url(SECRET.as_bytes(), &format!("http://shop.test/other/?{PARAMS}"), now());
    let res = post_launch(&server.base, elsewhere.unwrap().split_once('?').unwrap().1).await;
    assert_eq!(res.status(), 401, "another path is still another URL");
}

#[tokio::test]
async fn a_service_registered_under_a_path_works_under_it() {
    // onOffice lets a provider register any URL, e.g. https://host/mp/shop/; a proxy forwards
    // the prefix as it is.
    let mut a = args(&temp_db());
    a.public_url = "http://shop.test:8443/mp/shop/".into();
    let server = start_with(a).await;
    let at = |path: &str| format!("{}/mp/shop{path}", server.base);
    let page = reqwest::get(at("/")).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = page.text().await.unwrap();
    assert!(html.contains("<html data-base=\"/mp/shop\">"), "{html}");
    assert!(html.contains("import init from '/mp/shop/app.js'"), "{html}");
    // The page's inline script changed with its addresses: the policy allows the new one.
    let script = html.split("<script type=\"module\">").nth(1).unwrap().split("</script>").next().unwrap();
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    };
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");

    let signed = |url: String| signing::url::sign_url(SECRET.as_bytes(), &url, now()).unwrap();
    let launch = signed(format!("http://shop.test:8443/mp/shop/?{PARAMS}"));
    let res = reqwest::Client::new()
        .post(at("/api/launch"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(launch.split_once('?').unwrap().1.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = decode::<marktstand::contract::launch::Launch>(res).await["token"].as_str().unwrap().to_string();
    let request = products(json!([{"product_id": "expose-text", "quantity": 1, "circle": null}]));
    let body = json!({"request": request, "idempotency_key": "sub-path-1"});
    let placed = decode::<marktstand::contract::orders::PlacedOrder>(
        post_json(&server.base, "/mp/shop/api/create_order", body, Some(&token)).await,
    )
    .await;
    let message: Value = serde_json::from_str(placed["message"].as_str().unwrap()).unwrap();
    let callback_url = message["callbackurl"].as_str().unwrap().to_string();
    assert!(callback_url.starts_with("http://shop.test:8443/mp/shop/orders/callback?order="), "{callback_url}");
    let paid = signed(format!("{callback_url}&status=success&transactionid=T-9"));
    let res = reqwest::get(at(paid.split_once("/mp/shop").unwrap().1)).await.unwrap();
    assert_eq!(res.status(), 200);
    let id = placed["order_id"].as_str().unwrap();
    assert_eq!(status_of(&server, id).await, "success");

    let hook = signed("http://shop.test:8443/mp/shop/webhooks/valuation-request?customerWebId=4711&estateid=5".into());
    assert_eq!(reqwest::get(at(hook.split_once("/mp/shop").unwrap().1)).await.unwrap().status(), 200);
    let activation = signed(
        "http://shop.test:8443/mp/shop/activate?customerWebId=4711&userId=1&apiClaim=c&apiToken=t&parameterCacheId=p"
            .into(),
    );
    let res = post_form(
        &server.base,
        "/mp/shop/api/activation_start",
        &[("query", activation.split_once('?').unwrap().1)],
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(reqwest::get(at("/admin")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn oneflow_s_published_notification_is_accepted_once() {
    let mut a = args(&temp_db());
    a.oneflow.sign_key = Some("published-example-key".into());
    let server = start_config(Config::from_args(a).unwrap()).await;
    // The page's example, signed with a key of ours (Oneflow publishes none for it).
    let mut notification = fixture_json("oneflow/notification.json");
    let callback_id = notification["callback_id"].as_str().unwrap().to_string();
    notification["signature"] =
        json!(marktstand::server::hosts::oneflow::notification::signature(&callback_id, "published-example-key"));
    let (_, first) = post_to(&server, "/oneflow/webhook", notification.to_string()).await;
    assert_eq!(first["duplicate"], false, "{first}");
    let (_, again) = post_to(&server, "/oneflow/webhook", notification.to_string()).await;
    assert_eq!((again["duplicate"].clone(), again["id"].clone()), (json!(true), first["id"].clone()));
    deliveries_settled(&server).await;
}
