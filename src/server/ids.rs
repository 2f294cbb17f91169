//! Fresh ids for what the server creates (orders, jobs).

/// A fresh random id (orders, webhook deliveries): 24 hex characters.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}
