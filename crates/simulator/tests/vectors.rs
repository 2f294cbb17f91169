//! The shared message vectors (signed with PHP) through `/api/verify-message`:
//! the simulator must judge real host-shaped messages exactly as they are marked.

use std::path::PathBuf;

use marktstand_simulator::SimConfig;
use serde_json::{json, Value};

const ORIGIN: &str = "http://127.0.0.1:3000";

fn vectors() -> Vec<Value> {
    // The repository's copies of the PHP-made vectors (tests/vectors); missing ones fail the test.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/onoffice-message-signatures.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("vector file is JSON")
}

async fn start(secret: &str) -> String {
    let config = SimConfig::new("http://127.0.0.1:3000/", secret.as_bytes().to_vec()).unwrap();
    marktstand_simulator::spawn_on_loopback(config).await
}

#[tokio::test]
async fn message_vectors_are_judged_as_marked() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 60, "the whole message vector file");
    let client = reqwest::Client::new();
    let mut servers = std::collections::HashMap::new();
    for (i, vector) in vectors.iter().enumerate() {
        let secret = vector["secret"].as_str().unwrap().to_owned();
        if !servers.contains_key(&secret) {
            let base = start(&secret).await;
            servers.insert(secret.clone(), base);
        }
        let base = &servers[&secret];
        let message = &vector["message"];
        let expected_kind = if message.get("onOfficeType").is_some() {
            match message["onOfficeType"].as_str().unwrap() {
                "onOffice.service.refreshParent" => "refreshParent",
                "onOffice.service.refreshParentAndClose" => "refreshParentAndClose",
                _ => "closeProviderWindow",
            }
        } else {
            "order"
        };
        // The storefront posts a JSON string, as the published example does.
        let body = json!({ "data": message.to_string(), "origin": ORIGIN });
        let verdict: Value =
            client.post(format!("{base}/api/verify-message")).json(&body).send().await.unwrap().json().await.unwrap();
        assert_eq!(verdict["kind"], expected_kind, "vector {i}: {verdict}");
        assert_eq!(verdict["valid"], vector["valid"], "vector {i}: {verdict}");
    }
    assert!(!servers.is_empty());
}
