//! Authenticated encryption, one way for everything the server seals: session tokens and
//! customers' API credentials at rest. XChaCha20-Poly1305 with a random 24-byte nonce, so
//! no nonce bookkeeping is needed across replicas. A sealed value is `nonce ‖ ciphertext`.
//! The nonce comes from `rand`'s thread-local CSPRNG (ChaCha, seeded and reseeded from the
//! operating system): one system call per launch less than asking the kernel each time.

use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

pub struct Sealer(XChaCha20Poly1305);

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Sealer(XChaCha20Poly1305::new(key.into()))
    }

    /// Encrypts `plain`, bound to `aad` (associated data that must match when opening).
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = XNonce::default();
        rand::thread_rng().fill_bytes(&mut nonce);
        // One buffer, encrypted in place after the nonce: `nonce ‖ ciphertext ‖ tag`.
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let tag = self
            .0
            .encrypt_in_place_detached(&nonce, aad, &mut out[NONCE_LEN..])
            .expect("encryption of a slice cannot fail");
        out.extend_from_slice(&tag);
        out
    }

    /// The plaintext, or `None` when the value was altered, sealed under another key or
    /// bound to other associated data.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.0.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad }).ok()
    }
}

/// Whether `given` is the secret `expected`, compared as SHA-256 digests in constant time: a
/// comparison of the texts themselves would stop at a length that differs, and so tell it.
pub fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let (given, expected) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    bool::from(given.as_slice().ct_eq(expected.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_its_key_and_associated_data() {
        let sealer = Sealer::new(&[1; 32]);
        let sealed = sealer.seal(b"plain", b"customer-1");
        assert!(!sealed.windows(5).any(|w| w == b"plain"));
        assert_eq!(sealer.open(&sealed, b"customer-1").as_deref(), Some(&b"plain"[..]));
        assert_eq!(sealer.open(&sealed, b"customer-2"), None);
        assert_eq!(Sealer::new(&[2; 32]).open(&sealed, b"customer-1"), None);
        assert_eq!(sealer.open(&sealed[..10], b"customer-1"), None);
    }

    #[test]
    fn secrets_compare_as_digests() {
        assert!(super::same_secret("admin token", "admin token"));
        assert!(!super::same_secret("admin toke", "admin token"));
        assert!(!super::same_secret("", "admin token"));
    }
}
