//! The onOffice API action signature (hmac_version 2).

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use signing::api_action_hmac;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const READ: &str = "urn:onoffice-de-ns:smart:2.5:smartml:action:read";

#[test]
fn matches_an_independent_computation() {
    let mut mac = Hmac::<Sha256>::new_from_slice(b"api-secret-123").unwrap();
    mac.update(format!("1763984293{TOKEN}estate{READ}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(api_action_hmac(b"api-secret-123", 1763984293, TOKEN, "estate", READ), expected);
}

#[test]
fn pinned_value() {
    // python3: base64.b64encode(hmac.new(b"api-secret-123",
    //   b"1763984293" + token + b"estate" + actionid, hashlib.sha256).digest())
    assert_eq!(
        api_action_hmac(b"api-secret-123", 1763984293, TOKEN, "estate", READ),
        "m8e1Kp5eJ3q8jjq34L74WNvtvEgcs2umjGS6Zng8ZPQ="
    );
}

#[test]
fn every_input_counts() {
    let base = api_action_hmac(b"s", 1, "t", "estate", READ);
    assert_ne!(base, api_action_hmac(b"s2", 1, "t", "estate", READ));
    assert_ne!(base, api_action_hmac(b"s", 2, "t", "estate", READ));
    assert_ne!(base, api_action_hmac(b"s", 1, "u", "estate", READ));
    assert_ne!(base, api_action_hmac(b"s", 1, "t", "address", READ));
    assert_ne!(base, api_action_hmac(b"s", 1, "t", "estate", "urn:x"));
}
