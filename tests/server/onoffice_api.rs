//! The onOffice API client against the simulator's stand-in API, in-process over real HTTP.

use marktstand::server::hosts::onoffice::api::{ApiClient, ApiError, Credentials};
use marktstand_simulator::onoffice::api::{API_PATH, ERR_HMAC};
use marktstand_simulator::{SimConfig, DEMO_API_SECRET, DEMO_API_TOKEN};
use serde_json::{json, Value};

/// Starts the simulator on a free loopback port; returns its base URL.
async fn start() -> String {
    let config = SimConfig::new("http://127.0.0.1:3000/", b"provider secret".to_vec()).unwrap();
    marktstand_simulator::spawn_on_loopback(config).await
}

fn client(base: &str) -> ApiClient {
    ApiClient::new(format!("{base}{API_PATH}"))
}

fn creds(secret: &str) -> Credentials {
    Credentials { token: DEMO_API_TOKEN.into(), secret: secret.into() }
}

async fn recorded(base: &str) -> Vec<Value> {
    let body: Value = reqwest::get(format!("{base}/api/_recorded")).await.unwrap().json().await.unwrap();
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn unlock_succeeds_with_the_right_secret_only() {
    let base = start().await;
    let api = client(&base);
    api.unlock_provider(&creds(DEMO_API_SECRET), "cache-1", "claim-1").await.unwrap();

    match api.unlock_provider(&creds("pasted the wrong key"), "cache-1", "claim-1").await {
        Err(ApiError::Action { errorcode, message }) => {
            assert_eq!(errorcode, ERR_HMAC);
            assert_eq!(message, "The HMAC is invalid.", "onOffice's own message is kept");
        }
        other => panic!("expected an action error, got {other:?}"),
    }

    let actions = recorded(&base).await;
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["hmac_valid"], true);
    assert_eq!(actions[0]["parameters"], json!({ "extendedclaim": "claim-1", "parameterCacheId": "cache-1" }));
    assert_eq!(actions[1]["hmac_valid"], false);
}

#[tokio::test]
async fn read_estate_carries_extendedclaim_and_estatelanguage() {
    let base = start().await;
    let api = client(&base);
    let estate = api.read_estate(&creds(DEMO_API_SECRET), "815", "claim-7", Some("ENG")).await.unwrap();
    assert_eq!(estate["objekttitel"], "Helle 3-Zimmer-Wohnung am Park");
    assert_eq!(estate["objektnr_extern"], "HH-815");
    assert_eq!(estate["language"], "ENG");

    let address = api.read_address(&creds(DEMO_API_SECRET), "42", "claim-7").await.unwrap();
    assert_eq!(address["Name"], "Mustermann");

    let actions = recorded(&base).await;
    assert_eq!(actions[0]["resourcetype"], "estate");
    assert_eq!(actions[0]["resourceid"], "815");
    assert_eq!(actions[0]["parameters"]["extendedclaim"], "claim-7");
    assert_eq!(actions[0]["parameters"]["estatelanguage"], "ENG");
    assert_eq!(actions[1]["resourcetype"], "address");
    assert_eq!(actions[1]["parameters"]["extendedclaim"], "claim-7");
    assert!(actions.iter().all(|a| a["hmac_valid"] == true));
}

#[tokio::test]
async fn a_server_error_at_onoffice_is_a_status_error() {
    let base = start().await;
    let script = json!({ "status_code": 500, "errorcode": 97, "message": "server error", "times": 1 });
    let res = reqwest::Client::new().post(format!("{base}/api/_fail")).json(&script).send().await.unwrap();
    assert!(res.status().is_success());

    let error = client(&base).read_estate(&creds(DEMO_API_SECRET), "815", "claim-7", None).await.unwrap_err();
    match &error {
        ApiError::Status { code: 500, message, .. } => assert_eq!(message, "server error"),
        ApiError::Http { status: 500 } => {}
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(error.to_string().contains("retry later"), "{error}");
}

#[tokio::test]
async fn an_unknown_token_and_an_unreachable_endpoint_are_typed() {
    let base = start().await;
    let stranger = Credentials { token: "not-a-user".into(), secret: "x".into() };
    let error = client(&base).read_address(&stranger, "42", "claim").await.unwrap_err();
    assert!(matches!(error, ApiError::Status { code: 400, .. }), "{error:?}");

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let error = ApiClient::new(format!("http://{closed}{API_PATH}"))
        .unlock_provider(&creds(DEMO_API_SECRET), "c", "claim")
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Transport(_)), "{error:?}");
}
