//! `POST /api/verify-message`: what enterprise makes of a message the
//! storefront posted to its parent window.
//!
//! The page forwards every `message` event here, so the rules (origin, shape,
//! signature) live in Rust in one place instead of being re-implemented in JS.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::SimConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MessageKind {
    RefreshParent,
    RefreshParentAndClose,
    CloseProviderWindow,
    Order,
    Active,
    Unknown,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VerifyRequest {
    /// `event.data` as received; the storefront posts strings.
    pub data: Value,
    /// `event.origin`; when given it must be the storefront's origin.
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: MessageKind,
    pub valid: bool,
    /// Why it was refused: a signing rejection code or one of ours.
    pub reason: Option<String>,
}

impl Verdict {
    fn ok(kind: MessageKind) -> Self {
        Self { kind, valid: true, reason: None }
    }

    fn refuse(kind: MessageKind, reason: &str) -> Self {
        Self { kind, valid: false, reason: Some(reason.to_owned()) }
    }
}

pub async fn handler(State(config): crate::State, Json(request): Json<VerifyRequest>) -> Json<Verdict> {
    let verdict = judge(&config, &request);
    tracing::info!(?verdict, origin = ?request.origin, "message from the service");
    Json(verdict)
}

/// Classifies the message, then checks origin and signature.
pub fn judge(config: &SimConfig, request: &VerifyRequest) -> Verdict {
    let (kind, message) = classify(&request.data);
    if let Some(origin) = &request.origin {
        if *origin != config.storefront_origin() {
            return Verdict::refuse(kind, "wrong_origin");
        }
    }
    let message = match message {
        Ok(message) => message,
        Err(reason) => return Verdict::refuse(kind, reason),
    };
    let Some(message) = message else {
        // `active` carries no signature: it only tells the admin the unlock worked.
        return Verdict::ok(kind);
    };
    if kind == MessageKind::Order {
        if let Err(reason) = check_order_shape(&message) {
            return Verdict::refuse(kind, reason);
        }
    }
    let secrets = [config.secret.clone()];
    match signing::message::verify_message(&secrets, &Value::Object(message)) {
        Ok(()) => Verdict::ok(kind),
        Err(rejection) => Verdict::refuse(kind, rejection.code()),
    }
}

type Parsed = Result<Option<Map<String, Value>>, &'static str>;

/// Decides what the message is meant to be; `Ok(None)` means nothing to verify.
fn classify(data: &Value) -> (MessageKind, Parsed) {
    let Value::String(text) = data else {
        return (MessageKind::Unknown, Err("not_a_string"));
    };
    if text == "active" {
        return (MessageKind::Active, Ok(None));
    }
    let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
        return (MessageKind::Unknown, Err("not_json_object"));
    };
    if let Some(kind) = message.get("onOfficeType") {
        let kind = match kind.as_str() {
            Some("onOffice.service.refreshParent") => MessageKind::RefreshParent,
            Some("onOffice.service.refreshParentAndClose") => MessageKind::RefreshParentAndClose,
            Some("onOffice.service.closeProviderWindow") => MessageKind::CloseProviderWindow,
            _ => return (MessageKind::Unknown, Err("unknown_type")),
        };
        return (kind, Ok(Some(message)));
    }
    if ["callbackurl", "products", "abo", "totalprice"].iter().any(|k| message.contains_key(*k)) {
        return (MessageKind::Order, Ok(Some(message)));
    }
    (MessageKind::Unknown, Err("unknown_message"))
}

/// The fields the payment popup needs; a signed order without them is still
/// unusable, so enterprise could not show it.
fn check_order_shape(order: &Map<String, Value>) -> Result<(), &'static str> {
    let text = |key: &str| order.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    if text("parametercacheid").is_none() {
        return Err("missing_parametercacheid");
    }
    let callback = text("callbackurl").ok_or("missing_callbackurl")?;
    let callback = url::Url::parse(callback).map_err(|_| "invalid_callbackurl")?;
    if !matches!(callback.scheme(), "http" | "https") {
        return Err("invalid_callbackurl");
    }
    let has_products = order.get("products").is_some_and(|p| p.as_array().is_some_and(|a| !a.is_empty()));
    let has_abo = order.get("abo").is_some_and(Value::is_object);
    match (has_products, has_abo) {
        (true, false) if text("totalprice").is_some() => Ok(()),
        (true, false) => Err("missing_totalprice"),
        (false, true) => Ok(()),
        _ => Err("order_needs_products_or_abo"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> SimConfig {
        SimConfig::new("http://127.0.0.1:3000/", "s").unwrap()
    }

    fn request(data: Value, origin: &str) -> VerifyRequest {
        VerifyRequest { data, origin: Some(origin.to_owned()) }
    }

    #[test]
    fn active_needs_no_signature_but_the_right_origin() {
        let v = judge(&config(), &request(json!("active"), "http://127.0.0.1:3000"));
        assert_eq!(v, Verdict { kind: MessageKind::Active, valid: true, reason: None });
        let v = judge(&config(), &request(json!("active"), "http://evil.test"));
        assert_eq!(v.reason.as_deref(), Some("wrong_origin"));
        assert!(!v.valid);
    }

    #[test]
    fn objects_and_garbage_are_unknown() {
        let v = judge(&config(), &request(json!({"a": 1}), "http://127.0.0.1:3000"));
        assert_eq!((v.kind, v.reason.as_deref()), (MessageKind::Unknown, Some("not_a_string")));
        let v = judge(&config(), &request(json!("{nope"), "http://127.0.0.1:3000"));
        assert_eq!(v.kind, MessageKind::Unknown);
    }

    #[test]
    fn signed_parent_message_is_accepted() {
        let config = config();
        let msg = signing::message::sign_message(
            &config.secret,
            json!({"onOfficeType": "onOffice.service.refreshParent", "parametercacheid": "abc", "timestamp": 1}),
        );
        let v = judge(&config, &request(json!(msg.to_string()), "http://127.0.0.1:3000"));
        assert_eq!(v, Verdict { kind: MessageKind::RefreshParent, valid: true, reason: None });
    }
}
