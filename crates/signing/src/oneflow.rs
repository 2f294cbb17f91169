//! Oneflow's webhook signature: lowercase hex SHA-1 of `callback_id + sign_key` (a plain
//! digest, not an HMAC). One definition for the server that checks it and the simulator
//! that makes it.

use sha1::{Digest, Sha1};

pub fn signature(callback_id: &str, sign_key: &str) -> String {
    hex::encode(Sha1::digest(format!("{callback_id}{sign_key}").as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_sha1_hex_of_callback_id_and_key() {
        // printf 'abc123secret' | sha1sum
        assert_eq!(super::signature("abc123", "secret"), "b67adbb9f7287b8f2d9c809b39a804b2123fc4c0");
    }
}
