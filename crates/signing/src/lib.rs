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
pub mod oneflow;
pub mod php;
pub mod url;

pub use api::api_action_hmac;
pub use error::Rejection;
pub use message::{message_signature, sign_message, verify_message};
pub use url::{
    canonical_query, sign_url, url_signature, Inspection, UrlVerifier, Verified, DEFAULT_WINDOW_SECS, MAX_QUERY_BYTES,
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

/// True when any secret signs `msg` as `given`, the signature text exactly
/// as sent. Like PHP's `hash_equals` on the host's lowercase hex, this
/// compares strings: upper-case hex is another string and does not match.
/// Every secret is tried and compared in constant time, so timing reveals
/// neither which secret matched nor how much of the signature was right.
pub(crate) fn matches_any<S: AsRef<[u8]>>(secrets: &[S], msg: &[u8], given: &[u8]) -> bool {
    let mut ok = Choice::from(0);
    for secret in secrets {
        ok |= lower_hex(&hmac_sha256(secret.as_ref(), msg)).ct_eq(given);
    }
    ok.into()
}

/// A signature as sent must be 64 hex digits; anything else is malformed.
/// Either case passes here: the case is judged by [`matches_any`].
pub(crate) fn is_signature_text(text: &[u8]) -> bool {
    text.len() == 64 && text.iter().all(u8::is_ascii_hexdigit)
}

/// Lowercase hex without table lookups or branches on the (secret) bytes.
fn lower_hex(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = hex_digit(b >> 4);
        pair[1] = hex_digit(b & 0x0f);
    }
    out
}

/// `0..=15` to `0-9a-f`: `9 - n` borrows exactly when `n > 9`, and the
/// borrow selects the distance from `:` to `a` (39).
fn hex_digit(n: u8) -> u8 {
    let above_nine = 9u8.wrapping_sub(n) >> 7;
    b'0' + n + (above_nine.wrapping_neg() & 39)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_matches_the_hex_crate() {
        for start in (0..=255u8).step_by(32) {
            let bytes: [u8; 32] = std::array::from_fn(|i| start.wrapping_add(i as u8));
            assert_eq!(lower_hex(&bytes).as_slice(), hex::encode(bytes).as_bytes());
        }
    }

    #[test]
    fn case_is_part_of_the_signature() {
        let lower = hex::encode(hmac_sha256(b"k", b"m"));
        assert!(matches_any(&[b"k"], b"m", lower.as_bytes()));
        let upper = lower.to_ascii_uppercase();
        assert!(is_signature_text(upper.as_bytes()));
        assert!(!matches_any(&[b"k"], b"m", upper.as_bytes()));
        assert!(!is_signature_text(&lower.as_bytes()[1..]));
        assert!(!is_signature_text("g".repeat(64).as_bytes()));
    }
}
