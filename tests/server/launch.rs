//! The launch and parent-message server functions over real HTTP.

use crate::common::*;
use serde_json::Value;

async fn launch(base: &str, query: &str) -> reqwest::Response {
    post_launch(base, query).await
}

#[tokio::test]
async fn a_signed_launch_opens_a_session_without_revealing_secrets() {
    let server = start().await;
    let res = launch(&server.base, &signed_query(PARAMS, SECRET, now())).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("set-cookie").is_none());
    // The answer carries a session token: no browser or proxy cache may keep it.
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.bytes().await.unwrap();
    for secret in ["claim-abc-123", SECRET] {
        assert!(!body.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} must stay server-side");
    }
    let launch: Value =
        serde_json::to_value(postcard::from_bytes::<marktstand::contract::launch::Launch>(&body).unwrap()).unwrap();
    let ctx = &launch["context"];
    assert_eq!(ctx["customer_name"], "Musterfirma Immobilien");
    assert_eq!(ctx["customer_web_id"], "4711");
    assert_eq!(ctx["group_id"], "3");
    assert_eq!(ctx["estate_id"], "815");
    assert_eq!(ctx["user_language"], "ENG");
    assert_eq!(ctx["image_ids"], serde_json::json!(["5", "9"]));
    assert!(launch["token"].as_str().unwrap().len() > 40);
    assert_eq!(
        launch["allowed_origins"],
        serde_json::json!(["https://crm.onoffice.de", "https://crm-beta.onoffice.de"])
    );
}

#[tokio::test]
async fn a_query_encoded_differently_on_the_wire_still_verifies() {
    let server = start().await;
    // Same parameters, %20 instead of +, another order: onOffice signs the canonical form.
    // PHP's check sorts the top level only: the entries of a list keep their order.
    let signed = signed_query(PARAMS, SECRET, now());
    let (lists, mut pairs): (Vec<&str>, Vec<&str>) = signed.split('&').partition(|p| p.starts_with("imageIds"));
    pairs.reverse();
    pairs.splice(1..1, lists.iter().copied());
    let reordered = pairs.join("&").replace('+', "%20");
    assert_eq!(launch(&server.base, &reordered).await.status(), 200);
    // The list's own entries swapped: PHP builds another string, so the signature fails.
    let swapped = signed.replace("imageIds%5B0%5D=5&imageIds%5B1%5D=9", "imageIds%5B1%5D=9&imageIds%5B0%5D=5");
    assert_ne!(swapped, signed);
    let (status, body) = rejection(&server, &swapped).await;
    assert_eq!((status, body["reason"].as_str()), (401, Some("signature_mismatch")));
}

async fn rejection(server: &TestServer, query: &str) -> (u16, Value) {
    let res = launch(&server.base, query).await;
    let status = res.status().as_u16();
    assert!(res.headers().get("set-cookie").is_none());
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn rejected_launches_answer_401_with_a_reason() {
    let server = start().await;
    let good = signed_query(PARAMS, SECRET, now());
    let tampered = good.replace("userId=17", "userId=18");
    let stale = signed_query(PARAMS, SECRET, now() - 3600);
    let future = signed_query(PARAMS, SECRET, now() + 3600);
    let other_secret = signed_query(PARAMS, "not the secret", now());
    let repeated = format!("userId=99&{good}");
    let huge = signed_query(&format!("{PARAMS}&pad={}", "x".repeat(9000)), SECRET, now());
    let bad_hex = format!("{}signature={}", good.split("signature=").next().unwrap(), "zz".repeat(32));
    let unsigned = good.split("&signature=").next().unwrap().to_string();
    for (query, reason) in [
        (tampered, "signature_mismatch"),
        (stale, "expired"),
        (future, "not_yet_valid"),
        (other_secret, "signature_mismatch"),
        (repeated, "repeated_parameter"),
        (huge, "query_too_large"),
        (bad_hex, "malformed_signature"),
        (unsigned, "missing_signature"),
    ] {
        let (status, body) = rejection(&server, &query).await;
        assert_eq!(status, 401, "{reason}");
        assert_eq!(body["error"], "launch_rejected", "{reason}");
        assert_eq!(body["reason"], reason);
    }
}

#[tokio::test]
async fn a_launch_without_required_parameters_is_refused() {
    let server = start().await;
    let query = signed_query("customerName=X&customerWebId=1&userId=2&parameterCacheId=p", SECRET, now());
    let (status, body) = rejection(&server, &query).await;
    assert_eq!(status, 401);
    assert_eq!(body["reason"], "missing_api_claim");
}

#[tokio::test]
async fn a_rotated_secret_is_still_accepted() {
    let mut args = args(&temp_db());
    args.provider_secret = "new secret\nold secret".into();
    let server = start_with(args).await;
    for secret in ["new secret", "old secret"] {
        assert_eq!(launch(&server.base, &signed_query(PARAMS, secret, now())).await.status(), 200);
    }
    assert_eq!(launch(&server.base, &signed_query(PARAMS, SECRET, now())).await.status(), 401);
}

async fn token(server: &TestServer) -> String {
    let launch: Value = decode::<marktstand::contract::launch::Launch>(
        launch(&server.base, &signed_query(PARAMS, SECRET, now())).await,
    )
    .await;
    launch["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn parent_messages_are_signed_for_the_session_only() {
    let server = start().await;
    let token = token(&server).await;
    let res =
        post_form(&server.base, "/api/parent_message", &[("action", "RefreshParentAndClose")], Some(&token)).await;
    assert_eq!(res.status(), 200);
    let text: String = res.json().await.unwrap();
    let message: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(message["onOfficeType"], "onOffice.service.refreshParentAndClose");
    assert_eq!(message["parametercacheid"], "pc42");
    assert!((message["timestamp"].as_i64().unwrap() - now()).abs() < 5);
    signing::message::verify_message(&[SECRET.as_bytes().to_vec()], &message).expect("valid signature");

    let res = post_form(&server.base, "/api/parent_message", &[("action", "RefreshParent")], None).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unauthorized");
    let res = post_form(&server.base, "/api/parent_message", &[("action", "RefreshParent")], Some("forged")).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn an_expired_session_is_told_to_reopen() {
    let server = start().await;
    let launch: Value = decode::<marktstand::contract::launch::Launch>(
        launch(&server.base, &signed_query(PARAMS, SECRET, now())).await,
    )
    .await;
    let context: marktstand::contract::launch::LaunchContext =
        serde_json::from_value(launch["context"].clone()).unwrap();
    let (old, _) = server.state.sessions.issue(&context, "claim", now() - 3600);
    let res = post_form(&server.base, "/api/parent_message", &[("action", "RefreshParent")], Some(&old)).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "session_expired");
}

#[tokio::test]
async fn pages_carry_frame_ancestors_for_exactly_the_allowed_hosts() {
    let server = start().await;
    for path in ["/", "/orders/callback", "/healthz", "/no-such-file.js"] {
        let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert!(res.headers().get("set-cookie").is_none(), "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("frame-ancestors https://crm.onoffice.de https://crm-beta.onoffice.de"), "{csp}");
        assert!(!csp.contains('*'), "{csp}");
    }
    let res = reqwest::get(format!("{}/", server.base)).await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    let hash = marktstand::server::headers::inline_script_hashes(INDEX).remove(0);
    assert!(csp.contains(&format!("'sha256-{hash}'")), "inline bootstrap allowed by hash: {csp}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.text().await.unwrap(), INDEX);
    // The provider's pages come from the back-office bundle, allowed by its own hash.
    let back_office_hash = marktstand::server::headers::inline_script_hashes(BACK_OFFICE).remove(0);
    assert!(csp.contains(&format!("'sha256-{back_office_hash}'")), "{csp}");
    for path in ["/admin", "/activate"] {
        let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(res.text().await.unwrap(), BACK_OFFICE, "{path}");
    }
}

#[test]
fn a_wildcard_origin_is_refused_at_start() {
    let mut args = args(&temp_db());
    args.allowed_origins = "https://crm.onoffice.de *".into();
    let err = marktstand::server::config::Config::from_args(args).unwrap_err();
    assert!(err.contains("MARKTSTAND_ALLOWED_ORIGINS"), "{err}");
}

#[tokio::test]
async fn a_launch_body_that_is_not_text_is_a_bad_request() {
    let server = start().await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/launch", server.base))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(&b"customerWebId=1&signature=\xff"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request", "{body}");
    assert!(body["message"].as_str().unwrap().contains("cannot be read"), "{body}");
}
