//! The host's PHP-made vectors through the real server, not only through the signing crate:
//! every URL vector is sent to `/api/launch` of a server configured for its URL and secret,
//! with the server's clock set to the vector's time; outgoing messages are checked against a
//! signature PHP computed (hard-coded) and against an HMAC built here from the documented
//! JSON scheme, never with the crate that made them.
//!
//! One test per binary: the clock is shifted for the whole process.
#![cfg(feature = "ssr")]

#[path = "server/common.rs"]
mod common;
use common::*;
use hmac::{Hmac, Mac};
use marktstand::server::config::Config;
use serde_json::Value;
use sha2::Sha256;
use std::collections::HashMap;

fn vectors(file: &str) -> Vec<Value> {
    let dir = std::env::var_os("MARKTSTAND_VECTORS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors")));
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; set MARKTSTAND_VECTORS to the vectors folder", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// `http_build_query($sorted, '', '&', PHP_QUERY_RFC3986)` after a recursive `ksort`, as the
/// protocol notes describe it (null left out, nested keys bracketed and encoded).
fn query(prefix: &str, value: &Value, out: &mut Vec<String>) {
    let key = |k: &str| if prefix.is_empty() { urlencode(k) } else { format!("{prefix}%5B{}%5D", urlencode(k)) };
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().filter(|k| prefix.len() + k.len() > 0).collect();
            keys.sort();
            for k in keys {
                if !(prefix.is_empty() && k == "signature") {
                    query(&key(k), &map[k], out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                query(&format!("{prefix}%5B{i}%5D"), v, out);
            }
        }
        Value::Null => {}
        Value::Bool(b) => out.push(format!("{prefix}={}", u8::from(*b))),
        Value::Number(n) => out.push(format!("{prefix}={n}")),
        Value::String(s) => out.push(format!("{prefix}={}", urlencode(s))),
    }
}

fn json_signature(secret: &str, message: &Value) -> String {
    let mut parts = Vec::new();
    query("", message, &mut parts);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(parts.join("&").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn php_vectors_through_the_server_and_messages_php_would_accept() {
    // The builder above agrees with PHP on a nested order (computed with php-cli).
    let sample: Value = serde_json::json!({"parametercacheid": "p", "callbackurl": "https://a/b?order=1", "timestamp": 5,
        "totalprice": "5.50", "products": [{"name": "Ä b~c", "price": "5.50", "quantity": 1, "circleofusers": null}]});
    assert_eq!(json_signature("x", &sample), "f4bd96c49eb946ae82e25c344e6808aed9e2ec01d5a1ef485864a24cac75ce9d");

    let mut servers: HashMap<(String, String), TestServer> = HashMap::new();
    let (mut valid, mut refused) = (0, 0);
    for v in vectors("onoffice-url-signatures.json") {
        let (url, secret) = (v["url"].as_str().unwrap(), v["secret"].as_str().unwrap());
        let (base, q) = url.split_once('?').unwrap();
        let key = (base.to_string(), secret.to_string());
        if !servers.contains_key(&key) {
            let mut a = args(&temp_db());
            a.public_url = base.into();
            a.provider_secret = secret.into();
            servers.insert(key.clone(), start_config(Config::from_args(a).unwrap()).await);
        }
        let server = &servers[&key];
        let at =
            url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "timestamp").and_then(|(_, t)| t.parse().ok());
        marktstand::server::clock::set_clock_for_tests(at.unwrap_or(1_763_900_000));
        let res = post_launch(&server.base, q).await;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or_default();
        let note = v["note"].as_str().unwrap_or("");
        if v["valid"] == true {
            valid += 1;
            assert_eq!(status, 200, "host-signed URL refused ({note}): {body}\n  {url}");
        } else {
            refused += 1;
            assert_eq!(status, 401, "altered URL accepted ({note}): {url}");
            let reason = body["reason"].as_str().unwrap_or("");
            assert!(["signature_mismatch", "malformed_timestamp"].contains(&reason), "{note}: {body}");
        }
    }
    assert_eq!((valid, refused), (40, 157));

    // A parent message at the vector's time: exactly what PHP signs.
    let first = &vectors("onoffice-url-signatures.json")[0];
    let (base, q) = first["url"].as_str().unwrap().split_once('?').unwrap();
    let server = &servers[&(base.to_string(), "x".to_string())];
    marktstand::server::clock::set_clock_for_tests(1_763_984_293);
    let launch = post_launch(&server.base, q).await;
    let token = decode::<marktstand::contract::launch::Launch>(launch).await["token"].as_str().unwrap().to_string();
    let res = post_form(&server.base, "/api/parent_message", &[("action", "RefreshParent")], Some(&token)).await;
    let message: Value = serde_json::from_str(&res.json::<String>().await.unwrap()).unwrap();
    assert_eq!(
        message,
        serde_json::json!({"onOfficeType": "onOffice.service.refreshParent", "parametercacheid": "e99f40067f2c",
            "timestamp": 1_763_984_293, "signature": "ec1708bc031ceb75ae8aa3f93c432cc7a9f7092b2dbfb96e525f0915b49bba6b"})
    );

    // An order with nested products, and a subscription: the scheme rebuilt here agrees.
    let cart = products(serde_json::json!([
        {"product_id": "floor-plan-2d", "quantity": 2, "circle": "user"},
        {"product_id": "expose-text", "quantity": 1, "circle": null}
    ]));
    let subscription = serde_json::json!({"Subscription": {"id": "valuation-abo", "circle": "customer"}});
    for (request, key) in [(cart, "v1"), (subscription, "v2")] {
        let placed =
            decode::<marktstand::contract::orders::PlacedOrder>(order(server, &token, request, key).await).await;
        let message: Value = serde_json::from_str(placed["message"].as_str().unwrap()).unwrap();
        assert_eq!(message["timestamp"], 1_763_984_293);
        assert_eq!(message["signature"].as_str().unwrap(), json_signature("x", &message), "{message}");
    }
}
