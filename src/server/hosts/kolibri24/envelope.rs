//! Kolibri24's webhook envelope, read as loosely as documented:
//! `{"items":[{…,"data":{"messages":[{"id","name","timestamp","data":"<JSON string>"}]}}]}`.
//! Only `items[].data.messages[]` is relied upon; everything else may change and is ignored.
//! Each message's `data` is itself JSON: an announcement with a `category`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Why a body is not a Kolibri24 envelope at all (answered 400; nothing stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body has no `items` list")]
    NoItems,
}

/// One message, ready to become a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Kolibri24's message id; deduplication uses it. A message without one gets a digest
    /// of its content instead, so a repeat of it is still stored once.
    pub id: String,
    pub name: String,
    /// The announcement's `category` (`Entity`, `Notification`, …); empty when unreadable.
    pub category: String,
    /// The agency the announcement is about, when it names one (`realEstateAgencyId`).
    /// An assumption: Kolibri24 documents the category but not the announcement's fields.
    pub agency_id: String,
    /// What is stored: `id`, `name`, `timestamp` and the announcement.
    pub params: Map<String, Value>,
    /// Why the message cannot be processed; stored as a failed delivery with this reason.
    pub defect: Option<String>,
}

/// Reads every `items[].data.messages[]` of `body`, in order.
pub fn parse(body: &[u8]) -> Result<Vec<Message>, EnvelopeError> {
    let envelope: Value = serde_json::from_slice(body).map_err(|e| EnvelopeError::NotJson(e.to_string()))?;
    let items = envelope.get("items").and_then(Value::as_array).ok_or(EnvelopeError::NoItems)?;
    let messages =
        items.iter().filter_map(|item| item.get("data")?.get("messages")?.as_array()).flatten().map(message).collect();
    Ok(messages)
}

fn message(raw: &Value) -> Message {
    let text = |v: Option<&Value>| v.map(crate::server::hosts::json::text).unwrap_or_default();
    let mut defect = None;
    let mut id = text(raw.get("id"));
    if id.is_empty() {
        id = format!("sha256:{}", hex::encode(Sha256::digest(raw.to_string().as_bytes())));
        defect = Some("the message has no `id`".to_string());
    }
    let announcement = match raw.get("data") {
        Some(Value::String(s)) => serde_json::from_str::<Value>(s).map_err(|e| format!("`data` is not JSON: {e}")),
        // Tolerated: an announcement sent as an object rather than a JSON string.
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        Some(_) => Err("`data` is not a JSON string".to_string()),
        None => Err("the message has no `data`".to_string()),
    };
    let (category, agency_id, announcement) = match announcement {
        Ok(a) => {
            let category = text(a.get("category"));
            if category.is_empty() && defect.is_none() {
                defect = Some("the announcement has no `category`".to_string());
            }
            (category, text(a.get("realEstateAgencyId")), a)
        }
        Err(reason) => {
            defect = defect.or(Some(reason));
            (String::new(), String::new(), raw.get("data").cloned().unwrap_or(Value::Null))
        }
    };
    let mut params = Map::new();
    params.insert("id".into(), Value::String(id.clone()));
    params.insert("name".into(), Value::String(text(raw.get("name"))));
    params.insert("timestamp".into(), raw.get("timestamp").cloned().unwrap_or(Value::Null));
    params.insert("announcement".into(), announcement);
    Message { id, name: text(raw.get("name")), category, agency_id, params, defect }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(messages: Value) -> Vec<u8> {
        serde_json::json!({"version": 3, "items": [{"type": "x", "data": {"messages": messages, "more": 1}}]})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn reads_messages_and_their_announcements() {
        let body = envelope(serde_json::json!([
            {"id": "m-1", "name": "EntityChanged", "timestamp": "2026-11-24T10:00:00Z",
             "data": "{\"category\":\"Entity\",\"realEstateAgencyId\":\"A7\",\"entityId\":\"E1\"}"},
            {"id": 42, "name": "Hello", "data": {"category": "Notification"}},
        ]));
        let messages = parse(&body).unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(
            (messages[0].id.as_str(), messages[0].category.as_str(), messages[0].agency_id.as_str()),
            ("m-1", "Entity", "A7")
        );
        assert_eq!(messages[0].params["announcement"]["entityId"], "E1");
        assert_eq!((messages[1].id.as_str(), messages[1].category.as_str()), ("42", "Notification"));
        assert!(messages.iter().all(|m| m.defect.is_none()));
    }

    #[test]
    fn a_broken_message_is_kept_with_its_reason() {
        let body = envelope(serde_json::json!([
            {"id": "m-2", "name": "x", "data": "{not json"},
            {"name": "no id", "data": "{\"category\":\"Entity\"}"},
            {"id": "m-3", "data": "{\"no\":\"category\"}"},
        ]));
        let messages = parse(&body).unwrap();
        assert!(messages[0].defect.as_deref().unwrap().starts_with("`data` is not JSON"));
        assert_eq!(messages[0].params["announcement"], "{not json");
        assert_eq!(messages[1].defect.as_deref(), Some("the message has no `id`"));
        assert!(messages[1].id.starts_with("sha256:"));
        assert_eq!(parse(&body).unwrap()[1].id, messages[1].id, "the same message, the same id");
        assert_eq!(messages[2].defect.as_deref(), Some("the announcement has no `category`"));
    }

    #[test]
    fn tolerates_what_it_does_not_rely_on_and_refuses_what_is_no_envelope() {
        assert_eq!(parse(br#"{"items": [{"data": {}}, {"nothing": 1}, 5]}"#).unwrap(), vec![]);
        assert_eq!(parse(b"{\"items\": 1}"), Err(EnvelopeError::NoItems));
        assert_eq!(parse(b"[]"), Err(EnvelopeError::NoItems));
        assert!(matches!(parse(b"items="), Err(EnvelopeError::NotJson(_))));
    }
}
