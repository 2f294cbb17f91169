//! The Kolibri24 and Oneflow stand-ins keep the contracts the storefront relies on:
//! `validateSignature` says yes only to calls the simulator signed and still valid (and
//! fails or hangs when switched), the contract API wants Oneflow's two headers, and a
//! notification carries `sha1(callback_id + sign_key)`.

use marktstand_simulator::{oneflow, spawn_on_loopback, SimConfig, DEMO_ONEFLOW_API_TOKEN, DEMO_ONEFLOW_USER_EMAIL};
use serde_json::{json, Value};

async fn simulator() -> String {
    spawn_on_loopback(SimConfig::new("http://127.0.0.1:9/", b"secret".to_vec()).unwrap()).await
}

/// The six values of the widget URL the Kolibri24 page frames for `validity`.
async fn widget_call(base: &str, validity: &str) -> Value {
    let page = reqwest::get(format!(
        "{base}/kolibri24?entityId=E-1&realEstateAgencyId=A-1&entityType=RealEstate&validity={validity}"
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let src = page
        .split("id=\"widget\" src=\"")
        .nth(1)
        .expect("a widget frame")
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let signature = src.split("signature=").nth(1).unwrap().split('&').next().unwrap();
    assert!(!signature.contains('%'), "the signature is printed unencoded, as Kolibri24 does: {signature}");
    // A `+` in the query is base64's, not a space: read as Kolibri24 means it.
    let url = url::Url::parse(&src.replace('+', "%2B")).unwrap();
    assert_eq!(url.path(), "/kolibri24/widget");
    let mut call = serde_json::Map::new();
    for (k, v) in url.query_pairs() {
        call.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    Value::Object(call)
}

async fn validate(base: &str, call: &Value) -> (u16, Value) {
    let res =
        reqwest::Client::new().post(format!("{base}/kolibri24/v1/validateSignature")).json(call).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn validate_signature_answers_honestly_and_fails_when_switched() {
    let base = simulator().await;
    let valid = widget_call(&base, "valid").await;
    assert_eq!(valid.as_object().unwrap().len(), 6, "{valid}");
    assert_eq!(validate(&base, &valid).await, (200, json!({"isValid": true})));
    assert_eq!(validate(&base, &widget_call(&base, "invalid").await).await, (200, json!({"isValid": false})));
    let mut altered = valid.clone();
    altered["entityId"] = json!("E-2");
    assert_eq!(validate(&base, &altered).await, (200, json!({"isValid": false})), "another entity");
    let expired = widget_call(&base, "expired").await;
    assert!(
        expired["validUntil"].as_str().unwrap().parse::<i64>().unwrap()
            < valid["validUntil"].as_str().unwrap().parse::<i64>().unwrap()
    );

    let client = reqwest::Client::new();
    let switch = |mode: &'static str| client.post(format!("{base}/kolibri24/mode")).form(&[("mode", mode)]).send();
    assert_eq!(switch("error").await.unwrap().status(), 200);
    assert_eq!(validate(&base, &valid).await.0, 500);
    assert_eq!(switch("hang").await.unwrap().status(), 200);
    let hung = reqwest::Client::new()
        .post(format!("{base}/kolibri24/v1/validateSignature"))
        .json(&valid)
        .timeout(std::time::Duration::from_millis(500))
        .send()
        .await;
    assert!(hung.is_err(), "no answer while hanging");
    assert_eq!(switch("honest").await.unwrap().status(), 200);
    assert_eq!(validate(&base, &valid).await, (200, json!({"isValid": true})));
}

#[tokio::test]
async fn contracts_need_oneflow_s_headers_and_are_listed() {
    let base = simulator().await;
    let client = reqwest::Client::new();
    let create = |token: &str, email: &str| {
        client
            .post(format!("{base}/oneflow/v1/contracts/create"))
            .header("x-oneflow-api-token", token)
            .header("x-oneflow-user-email", email)
            .json(
                &json!({"template_id": "brokerage-agreement", "parties": [{"name": "Muster GmbH"}], "data_fields": []}),
            )
            .send()
    };
    assert_eq!(create("wrong", DEMO_ONEFLOW_USER_EMAIL).await.unwrap().status(), 401);
    assert_eq!(create(DEMO_ONEFLOW_API_TOKEN, "other@example.com").await.unwrap().status(), 401);
    let created: Value = create(DEMO_ONEFLOW_API_TOKEN, DEMO_ONEFLOW_USER_EMAIL).await.unwrap().json().await.unwrap();
    let id = created["id"].as_u64().unwrap();
    let publish = client
        .post(format!("{base}/oneflow/v1/contracts/{id}/publish"))
        .header("x-oneflow-api-token", DEMO_ONEFLOW_API_TOKEN)
        .header("x-oneflow-user-email", DEMO_ONEFLOW_USER_EMAIL)
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), 200);
    let page = reqwest::get(format!("{base}/oneflow")).await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&format!("data-contract=\"{id}\"")) && page.contains("Muster GmbH") && page.contains(">sent<"),
        "{page}"
    );
}

#[test]
fn notifications_are_signed_as_oneflow_documents() {
    // printf 'abc123secret' | sha1sum
    assert_eq!(oneflow::signature("abc123", "secret"), "b67adbb9f7287b8f2d9c809b39a804b2123fc4c0");
}
