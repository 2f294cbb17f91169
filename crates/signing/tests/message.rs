//! The JSON scheme for parent-window messages and orders.

use serde_json::json;
use signing::{message_signature, sign_message, verify_message, Rejection};

#[test]
fn sign_then_verify_with_rotation() {
    let msg = json!({"onOfficeType": "onOffice.service.refreshParent", "parametercacheid": "abc", "timestamp": 17});
    let signed = sign_message(b"new", msg.clone());
    assert_eq!(signed["signature"], message_signature(b"new", &msg));
    let secrets = [b"old".to_vec(), b"new".to_vec()];
    assert_eq!(verify_message(&secrets, &signed), Ok(()));
    assert_eq!(verify_message(&[b"other".to_vec()], &signed), Err(Rejection::SignatureMismatch));
    let mut changed = signed.clone();
    changed["timestamp"] = json!(18);
    assert_eq!(verify_message(&secrets, &changed), Err(Rejection::SignatureMismatch));
}

#[test]
fn key_order_and_signature_field_do_not_matter() {
    let a = json!({"b": 1, "a": {"y": "2", "x": "1"}, "signature": "ignored"});
    let b = json!({"a": {"x": "1", "y": "2"}, "b": 1});
    assert_eq!(message_signature(b"k", &a), message_signature(b"k", &b));
}

#[test]
fn missing_or_malformed_signature() {
    let s = [b"k".to_vec()];
    assert_eq!(verify_message(&s, &json!({"a": 1})), Err(Rejection::MissingSignature));
    assert_eq!(verify_message(&s, &json!({"signature": null})), Err(Rejection::MissingSignature));
    assert_eq!(verify_message(&s, &json!({"signature": 5})), Err(Rejection::MalformedSignature));
    assert_eq!(verify_message(&s, &json!({"signature": "abc"})), Err(Rejection::MalformedSignature));
    assert_eq!(verify_message(&s, &json!("text")), Err(Rejection::MissingSignature));
}

#[test]
fn upper_case_signature_does_not_match() {
    let signed = sign_message(b"k", json!({"a": {"y": "2", "x": "1"}}));
    let secrets = [b"k".to_vec()];
    assert_eq!(verify_message(&secrets, &signed), Ok(()));
    let mut upper = signed.clone();
    upper["signature"] = json!(signed["signature"].as_str().unwrap().to_ascii_uppercase());
    assert_ne!(upper, signed);
    assert_eq!(verify_message(&secrets, &upper), Err(Rejection::SignatureMismatch));
}
