//! Secret rotation: every configured provider secret verifies, only the first one signs.
//! Outgoing signatures are checked with an HMAC computed here from the documented JSON
//! scheme (flat message: keys sorted, RFC 3986, HMAC-SHA256 hex), not with the signing crate.

use crate::common::*;
use hmac::{Hmac, Mac};
use marktstand::server::config::Config;
use serde_json::Value;
use sha2::Sha256;

const NEW: &str = "the new provider secret";
const OLD: &str = "the old provider secret";

fn hmac_hex(secret: &str, text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn both_secrets_verify_and_only_the_first_signs() {
    let mut a = args(&temp_db());
    a.provider_secret = format!("{NEW}\n{OLD}");
    let server = start_config(Config::from_args(a).unwrap()).await;
    let launch = |secret: &'static str| {
        let base = server.base.clone();
        async move { post_launch(&base, &signed_query(PARAMS, secret, now())).await }
    };
    assert_eq!(launch(OLD).await.status(), 200, "a link signed before the rotation still opens");
    assert_eq!(launch("another secret").await.status(), 401);
    let token =
        decode::<marktstand::contract::launch::Launch>(launch(NEW).await).await["token"].as_str().unwrap().to_string();

    let res = post_form(&server.base, "/api/parent_message", &[("action", "CloseProviderWindow")], Some(&token)).await;
    let text: String = res.json().await.unwrap();
    let message: Value = serde_json::from_str(&text).unwrap();
    let signed = format!(
        "onOfficeType={}&parametercacheid={}&timestamp={}",
        message["onOfficeType"].as_str().unwrap(),
        message["parametercacheid"].as_str().unwrap(),
        message["timestamp"].as_i64().unwrap()
    );
    assert_eq!(message["onOfficeType"], "onOffice.service.closeProviderWindow");
    assert_eq!(message["signature"].as_str().unwrap(), hmac_hex(NEW, &signed), "signed with the first secret");
    assert_ne!(message["signature"].as_str().unwrap(), hmac_hex(OLD, &signed));
}

/// A server restarted with a new session key in front of the old one: sessions issued
/// before the rotation keep working, new ones are sealed with the new key only.
#[tokio::test]
async fn a_new_session_key_logs_nobody_out() {
    let (old_key, new_key) = ("11".repeat(32), "22".repeat(32));
    let db = temp_db();
    let mut before = args(&db);
    before.session_key = Some(old_key.clone());
    let before = start_with(before).await;
    let old_session = launch_token(&before, PARAMS).await;

    let mut rotated = args(&db);
    rotated.session_key = Some(format!("{new_key} {old_key}"));
    let rotated = start_with(rotated).await;
    let catalogue = |server: &TestServer, token: String| {
        let base = server.base.clone();
        async move { post_form(&base, "/api/catalogue", &[], Some(&token)).await.status() }
    };
    assert_eq!(catalogue(&rotated, old_session.clone()).await, 200, "a session from before the rotation");
    let new_session = launch_token(&rotated, PARAMS).await;
    assert_eq!(catalogue(&rotated, new_session.clone()).await, 200);
    assert_eq!(catalogue(&before, new_session).await, 401, "sealed with the new key, not the old one");

    let mut retired = args(&db);
    retired.session_key = Some(new_key);
    let retired = start_with(retired).await;
    assert_eq!(catalogue(&retired, old_session).await, 401, "the old key removed: its sessions end");
}
