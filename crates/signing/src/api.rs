//! The onOffice API's per-action signature (`hmac_version` 2).

use base64::Engine;

/// `actionid` of reads (estates, addresses). Part of every action's signed string.
pub const ACTION_READ: &str = "urn:onoffice-de-ns:smart:2.5:smartml:action:read";
/// `actionid` of writes to a record (`modify` on `estate`).
pub const ACTION_MODIFY: &str = "urn:onoffice-de-ns:smart:2.5:smartml:action:modify";
/// `actionid` of `do` actions such as `unlockProvider`.
pub const ACTION_DO: &str = "urn:onoffice-de-ns:smart:2.5:smartml:action:do";

/// `hmac` field of an API action: standard base64 (padded) of HMAC-SHA256
/// under the API secret over `timestamp + token + resourcetype + actionid`,
/// concatenated as strings.
pub fn api_action_hmac(secret: &[u8], timestamp: i64, token: &str, resourcetype: &str, actionid: &str) -> String {
    let msg = format!("{timestamp}{token}{resourcetype}{actionid}");
    base64::engine::general_purpose::STANDARD.encode(crate::hmac_sha256(secret, msg.as_bytes()))
}
