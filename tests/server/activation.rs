//! Activation and the property context over real HTTP, with the simulator's stand-in for the
//! onOffice API checking every HMAC and recording every call.

use crate::common::*;
use serde_json::Value;

struct Stack {
    server: TestServer,
    api: String,
    db_file: std::path::PathBuf,
}

async fn stack() -> Stack {
    let mut config =
        marktstand_simulator::SimConfig::new("http://shop.test:8443/", SECRET.as_bytes().to_vec()).unwrap();
    // A second API user, as after a customer blocks the provider and activates it again.
    config.api_users.push(("second-token".into(), "second-secret".into()));
    let api = marktstand_simulator::spawn_on_loopback(config).await;
    let db = temp_db();
    let db_file = std::path::PathBuf::from(db.trim_start_matches("sqlite://").trim_end_matches("?mode=rwc"));
    let mut a = args(&db);
    a.api_endpoint = format!("{api}/api/stable/api.php");
    Stack { server: start_with(a).await, api, db_file }
}

const ACTIVATION: &str = "customerName=Musterfirma&customerWebId=4711&userId=17&apiClaim=claim-xyz&apiToken=demo-token&parameterCacheId=pc-act";

fn activation_query(params: &str) -> String {
    let url = format!("http://shop.test:8443/activate?{params}");
    signing::url::sign_url(SECRET.as_bytes(), &url, now()).unwrap().split_once('?').unwrap().1.to_string()
}

async fn start_activation(s: &Stack, params: &str) -> Value {
    let res = post_form(&s.server.base, "/api/activation_start", &[("query", &activation_query(params))], None).await;
    decode::<marktstand::contract::activation::ActivationStart>(res).await
}

async fn activate(s: &Stack, token: &str, key: &str, consent: bool) -> reqwest::Response {
    post_form(
        &s.server.base,
        "/api/activate",
        &[("api_key", key), ("consent", if consent { "true" } else { "false" })],
        Some(token),
    )
    .await
}

async fn recorded(s: &Stack) -> Vec<Value> {
    reqwest::get(format!("{}/api/_recorded", s.api)).await.unwrap().json().await.unwrap()
}

async fn stored_token(s: &Stack) -> Option<String> {
    marktstand::server::hosts::onoffice::credentials::load(&s.server.state, &"4711".into())
        .await
        .unwrap()
        .map(|c| c.token)
}

#[tokio::test]
async fn activation_unlocks_the_provider_with_nothing_but_unlock_provider() {
    let s = stack().await;
    let start = start_activation(&s, ACTIVATION).await;
    assert_eq!(start["customer_name"], "Musterfirma");
    assert_eq!(start["active"], false);
    let res = activate(&s, start["token"].as_str().unwrap(), "demo-secret", true).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let calls = recorded(&s).await;
    assert_eq!(calls.len(), 1, "exactly one API call during activation: {calls:?}");
    assert_eq!(calls[0]["resourcetype"], "unlockProvider");
    assert_eq!(calls[0]["hmac_valid"], true);
    assert_eq!(calls[0]["parameters"]["parameterCacheId"], "pc-act");
    assert_eq!(calls[0]["parameters"]["extendedclaim"], "claim-xyz");
    assert_eq!(stored_token(&s).await.as_deref(), Some("demo-token"));
    assert_eq!(start_activation(&s, ACTIVATION).await["active"], true);
}

#[tokio::test]
async fn a_wrong_key_shows_onoffice_error_and_stores_nothing() {
    let s = stack().await;
    let start = start_activation(&s, ACTIVATION).await;
    let res = activate(&s, start["token"].as_str().unwrap(), "not-the-secret", true).await;
    assert_eq!(res.status(), 502);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "upstream");
    assert!(body["message"].as_str().unwrap().to_lowercase().contains("hmac"), "{body}");
    assert_eq!(stored_token(&s).await, None);
    // Without consent nothing is even tried.
    let res = activate(&s, start["token"].as_str().unwrap(), "demo-secret", false).await;
    assert_eq!(res.status(), 400);
    assert_eq!(recorded(&s).await.len(), 1);
}

#[tokio::test]
async fn a_storefront_session_cannot_activate_and_a_tampered_url_is_refused() {
    let s = stack().await;
    let token = launch_token(&s.server, PARAMS).await;
    assert_eq!(activate(&s, &token, "demo-secret", true).await.status(), 401);
    let tampered = activation_query(ACTIVATION).replace("apiToken=demo-token", "apiToken=other");
    let res = post_form(&s.server.base, "/api/activation_start", &[("query", &tampered)], None).await;
    assert_eq!(res.status(), 401);
    assert!(recorded(&s).await.is_empty());
}

#[tokio::test]
async fn re_activation_replaces_the_stored_credentials_and_the_file_hides_them() {
    let s = stack().await;
    let first = start_activation(&s, ACTIVATION).await;
    assert_eq!(activate(&s, first["token"].as_str().unwrap(), "demo-secret", true).await.status(), 200);
    let again = start_activation(&s, &ACTIVATION.replace("demo-token", "second-token")).await;
    assert_eq!(activate(&s, again["token"].as_str().unwrap(), "second-secret", true).await.status(), 200);
    assert_eq!(stored_token(&s).await.as_deref(), Some("second-token"));
    let mut bytes = std::fs::read(&s.db_file).unwrap();
    bytes.extend(std::fs::read(s.db_file.with_extension("db-wal")).unwrap_or_default());
    for secret in ["demo-secret", "second-secret", "second-token", "demo-token"] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} readable in the database file");
    }
}

#[tokio::test]
async fn the_storefront_names_the_property_once_activated() {
    let s = stack().await;
    let token = launch_token(&s.server, &format!("{PARAMS}&language=ENG")).await;
    let read = |token: String| {
        let base = s.server.base.clone();
        async move {
            decode::<marktstand::contract::activation::PropertyInfo>(
                post_form(&base, "/api/property_info", &[], Some(&token)).await,
            )
            .await
        }
    };
    assert_eq!(read(token.clone()).await, Value::String("NotActivated".into()));
    let start = start_activation(&s, ACTIVATION).await;
    assert_eq!(activate(&s, start["token"].as_str().unwrap(), "demo-secret", true).await.status(), 200);
    let info = read(token.clone()).await;
    let estate = &info["Estate"];
    assert_eq!(estate["id"], "815");
    assert!(!estate["title"].as_str().unwrap().is_empty(), "{info}");
    let calls = recorded(&s).await;
    let last = calls.last().unwrap();
    assert_eq!((last["resourcetype"].as_str(), last["resourceid"].as_str()), (Some("estate"), Some("815")));
    assert_eq!(last["parameters"]["extendedclaim"], "claim-abc-123", "the launch's apiClaim");
    assert_eq!(last["parameters"]["estatelanguage"], "ENG");
    // onOffice failing: the storefront says so and keeps working.
    reqwest::Client::new()
        .post(format!("{}/api/_fail", s.api))
        .json(&serde_json::json!({"status_code": 500, "message": "maintenance", "times": 1}))
        .send()
        .await
        .unwrap();
    assert!(read(token).await.get("Unavailable").is_some());
}

#[tokio::test]
async fn a_session_resumed_after_payment_reads_nothing_from_onoffice() {
    let s = stack().await;
    let start = start_activation(&s, ACTIVATION).await;
    assert_eq!(activate(&s, start["token"].as_str().unwrap(), "demo-secret", true).await.status(), 200);
    let calls_before = recorded(&s).await.len();
    let id = placed_order(&s.server).await;
    let path = callback(&id, "status=success&transactionid=T-1", now());
    let query = path.split_once('?').unwrap().1;
    let result = decode::<marktstand::contract::orders::OrderResult>(
        post_form(&s.server.base, "/api/callback_result", &[("query", query)], None).await,
    )
    .await;
    let resumed = result["session"]["token"].as_str().expect("the first view gets a session").to_string();
    let res = post_form(&s.server.base, "/api/property_info", &[], Some(&resumed)).await;
    let info = decode::<marktstand::contract::activation::PropertyInfo>(res).await;
    assert_eq!(info, Value::String("NeedsFreshLaunch".into()));
    assert_eq!(recorded(&s).await.len(), calls_before, "no onOffice call without an apiClaim");
}

#[tokio::test]
async fn stored_credentials_open_only_for_their_customer_and_with_their_key() {
    let s = stack().await;
    let start = start_activation(&s, ACTIVATION).await;
    assert_eq!(activate(&s, start["token"].as_str().unwrap(), "demo-secret", true).await.status(), 200);
    let (column,): (String,) = sqlx::query_as("SELECT credentials FROM customers WHERE customer_web_id = '4711'")
        .fetch_one(&s.server.state.db)
        .await
        .unwrap();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(&column).unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err(), "the column is not the JSON");
    assert!(!bytes.windows(11).any(|w| w == b"demo-secret"));

    // The same ciphertext copied to another customer does not open.
    sqlx::query(
        "INSERT INTO customers (customer_web_id, credentials, activated_at, updated_at) VALUES ('9999', $1, 0, 0)",
    )
    .bind(&column)
    .execute(&s.server.state.db)
    .await
    .unwrap();
    assert!(marktstand::server::hosts::onoffice::credentials::load(&s.server.state, &"9999".into()).await.is_err());
    assert!(marktstand::server::hosts::onoffice::credentials::load(&s.server.state, &"4711".into())
        .await
        .unwrap()
        .is_some());

    // Another key on the same database opens nothing; no key switches activation off (503).
    let db = format!("sqlite://{}?mode=rwc", s.db_file.display());
    let mut other = args(&db);
    other.credentials_key = Some("99".repeat(32));
    let other = start_with(other).await;
    assert!(marktstand::server::hosts::onoffice::credentials::load(&other.state, &"4711".into()).await.is_err());
    let mut none = args(&db);
    none.credentials_key = None;
    let none = start_with(none).await;
    let res = post_form(&none.base, "/api/activation_start", &[("query", &activation_query(ACTIVATION))], None).await;
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("MARKTSTAND_CREDENTIALS_KEY"));
}

#[tokio::test]
async fn the_back_office_lists_activated_customers_and_whether_their_credentials_work() {
    let s = stack().await;
    let customers = || {
        let base = s.server.base.clone();
        async move {
            let res = post_form(&base, "/api/admin_customers", &[("admin_token", ADMIN_TOKEN)], None).await;
            decode::<Vec<marktstand::contract::back_office::CustomerRow>>(res).await
        }
    };
    assert_eq!(customers().await, serde_json::json!([]));
    let start = start_activation(&s, ACTIVATION).await;
    assert_eq!(activate(&s, start["token"].as_str().unwrap(), "demo-secret", true).await.status(), 200);
    let listed = customers().await;
    assert_eq!(
        (listed[0]["customer_web_id"].as_str(), listed[0]["api_checked_at"].clone()),
        (Some("4711"), Value::Null)
    );

    // The storefront reads the property with the stored credentials: they work.
    let token = launch_token(&s.server, PARAMS).await;
    let read = || post_form(&s.server.base, "/api/property_info", &[], Some(&token));
    assert_eq!(read().await.status(), 200);
    let listed = customers().await;
    assert!(listed[0]["api_checked_at"].as_i64().is_some(), "{listed}");
    assert_eq!(listed[0]["api_error"], Value::Null);

    // A fault at onOffice (5xx) says nothing about the key; a refusal (4xx) does.
    let fail = |code: u16, message: &'static str| {
        let api = s.api.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{api}/api/_fail"))
                .json(&serde_json::json!({"status_code": code, "message": message, "times": 1}))
                .send()
                .await
                .unwrap()
        }
    };
    fail(500, "maintenance").await;
    read().await;
    assert_eq!(customers().await[0]["api_error"], Value::Null);
    fail(400, "the API token is not valid").await;
    read().await;
    let refused = customers().await;
    assert!(refused[0]["api_error"].as_str().unwrap().contains("the API token is not valid"), "{refused}");
}
