//! Oneflow's webhook notification. Documented (Oneflow's webhook reference): a JSON body
//! with `callback_id` and `signature` = lowercase hex SHA-1 of `callback_id + sign_key`
//! (a plain digest, not an HMAC), the contract as `contract.id`, and `events[].type`.
//! Everything else is tolerated and kept as received.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use subtle::ConstantTimeEq;

/// Why a notification is refused before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// Answered 400.
    #[error("the body is not a JSON object: {0}")]
    NotJson(String),
    /// Answered 401: without these there is nothing to check the signature against.
    #[error("the notification has no `callback_id`")]
    NoCallbackId,
    #[error("the notification has no `signature`")]
    NoSignature,
    #[error("the signature does not match any configured sign key")]
    BadSignature,
}

/// A notification whose signature matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub callback_id: String,
    /// `contract.id`, as text (Oneflow sends a number).
    pub contract_id: String,
    /// `events[].type`, in order, e.g. `contract:sign`, `contract:decline`.
    pub events: Vec<String>,
    /// The whole body, stored as received.
    pub body: Value,
}

pub use signing::oneflow::signature;

/// Parses `body` and checks its signature against every key (several during a rotation).
pub fn verify(body: &[u8], sign_keys: &[SecretString]) -> Result<Notification, NotificationError> {
    let body: Value = serde_json::from_slice(body).map_err(|e| NotificationError::NotJson(e.to_string()))?;
    if !body.is_object() {
        return Err(NotificationError::NotJson("not an object".into()));
    }
    let text = |v: Option<&Value>| v.map(crate::server::hosts::json::text).unwrap_or_default();
    let callback_id = text(body.get("callback_id"));
    if callback_id.is_empty() {
        return Err(NotificationError::NoCallbackId);
    }
    let given = match body.get("signature") {
        Some(Value::String(s)) if !s.is_empty() => s.as_bytes(),
        _ => return Err(NotificationError::NoSignature),
    };
    // Every key is compared, so the time taken does not tell which one (or none) matched.
    let matched = sign_keys.iter().fold(subtle::Choice::from(0), |any, key| {
        any | signature(&callback_id, key.expose_secret()).as_bytes().ct_eq(given)
    });
    if !bool::from(matched) {
        return Err(NotificationError::BadSignature);
    }
    let contract_id = text(body.get("contract").and_then(|c| c.get("id")));
    let events = body
        .get("events")
        .and_then(Value::as_array)
        .map(|events| events.iter().map(|e| text(e.get("type"))).filter(|t| !t.is_empty()).collect())
        .unwrap_or_default();
    Ok(Notification { callback_id, contract_id, events, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(callback_id: &str, key: &str) -> Vec<u8> {
        json!({"callback_id": callback_id, "signature": signature(callback_id, key),
               "contract": {"id": 4711, "name": "x"}, "events": [{"type": "contract:sign", "id": 1}], "extra": true})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn signature_is_sha1_hex_of_callback_id_and_key() {
        // echo -n 'abc123secret' | sha1sum
        assert_eq!(signature("abc123", "secret"), "b67adbb9f7287b8f2d9c809b39a804b2123fc4c0");
    }

    #[test]
    fn verifies_with_any_current_key_and_reads_contract_and_events() {
        let keys: Vec<SecretString> = vec!["old".into(), "new".into()];
        let n = verify(&body("cb-1", "new"), &keys).unwrap();
        assert_eq!((n.callback_id.as_str(), n.contract_id.as_str()), ("cb-1", "4711"));
        assert_eq!(n.events, vec!["contract:sign"]);
        assert!(verify(&body("cb-1", "old"), &keys).is_ok());
        assert_eq!(verify(&body("cb-1", "other"), &keys), Err(NotificationError::BadSignature));
        assert_eq!(verify(&body("cb-1", "new"), &[]), Err(NotificationError::BadSignature));
    }

    #[test]
    fn refuses_what_cannot_be_checked() {
        let keys: Vec<SecretString> = vec!["k".into()];
        assert_eq!(verify(br#"{"signature":"00"}"#, &keys), Err(NotificationError::NoCallbackId));
        assert_eq!(verify(br#"{"callback_id":"c"}"#, &keys), Err(NotificationError::NoSignature));
        assert!(matches!(verify(b"callback_id=c", &keys), Err(NotificationError::NotJson(_))));
        assert!(matches!(verify(b"[1]", &keys), Err(NotificationError::NotJson(_))));
        let upper = signature("c", "k").to_uppercase();
        let body = json!({"callback_id": "c", "signature": upper}).to_string();
        assert_eq!(verify(body.as_bytes(), &keys), Err(NotificationError::BadSignature), "hex is compared as sent");
    }
}
