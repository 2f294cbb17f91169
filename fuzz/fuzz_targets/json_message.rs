//! Arbitrary JSON through the message scheme: signing never panics, and a
//! message signed with `sign_message` verifies, also after a trip through
//! JSON text (as it travels between windows).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use signing::{message_signature, sign_message, verify_message, Rejection};

const SECRETS: [&[u8]; 2] = [b"old", b"fuzz secret"];

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = message_signature(SECRETS[1], &msg);
    let _ = verify_message(&SECRETS, &msg);

    let signed = sign_message(SECRETS[1], msg.clone());
    if !msg.is_object() {
        assert_eq!(signed, msg, "only objects carry a signature");
        assert_eq!(verify_message(&SECRETS, &signed), Err(Rejection::MissingSignature));
        return;
    }
    assert_eq!(verify_message(&SECRETS, &signed), Ok(()), "{msg}");
    let text = serde_json::to_string(&signed).expect("a Value serialises");
    let received: Value = serde_json::from_str(&text).expect("own output parses");
    assert_eq!(verify_message(&SECRETS, &received), Ok(()), "after transport: {text}");
    assert_eq!(verify_message(&[b"other".as_slice()], &signed), Err(Rejection::SignatureMismatch));

    let sig = signed["signature"].as_str().expect("signature is a string");
    if sig.bytes().any(|b| b.is_ascii_lowercase()) {
        let mut upper = signed.clone();
        upper["signature"] = Value::String(sig.to_ascii_uppercase());
        assert_eq!(verify_message(&SECRETS, &upper), Err(Rejection::SignatureMismatch));
    }
});
