//! Signatures exchanged with onOffice enterprise.
//!
//! - [`url`]: the signed URLs the host opens (service iframe, activation,
//!   webhooks, payment callbacks), including freshness checks.
//! - [`message`]: the JSON scheme for parent-window messages and orders.
//! - [`api`]: the per-action HMAC of the onOffice API.
//! - [`php`]: the PHP functions the host builds its signed strings with.
//!
//! Everything here is pure: no I/O, no clock (callers pass `now` in Unix
//! seconds), no randomness, so every rule can be tested with fixed inputs.
//! The host's rules live in this crate only, so a change on its side is a
//! change in one place.

pub mod api;
mod error;
pub mod message;
pub mod php;
pub mod url;

pub use api::api_action_hmac;
pub use error::Rejection;
pub use message::{message_signature, sign_message, verify_message};
pub use url::{
    canonical_query, sign_url, url_signature, Inspection, UrlVerifier, Verified,
    DEFAULT_WINDOW_SECS, MAX_QUERY_BYTES,
};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// True when any secret signs `msg` as `given`. Every secret is tried and
/// compared in constant time, so timing reveals neither which secret matched
/// nor how much of the signature was right.
pub(crate) fn matches_any<S: AsRef<[u8]>>(secrets: &[S], msg: &[u8], given: &[u8; 32]) -> bool {
    let mut ok = Choice::from(0);
    for secret in secrets {
        ok |= hmac_sha256(secret.as_ref(), msg).ct_eq(given);
    }
    ok.into()
}

/// A signature as sent: exactly 64 hex digits (the host sends lower case).
pub(crate) fn decode_signature(text: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}
