//! Session tokens: the launch context sealed with XChaCha20-Poly1305 under a server key.
//! Stateless (any replica opens them), unreadable and unforgeable in the browser, and the
//! `apiClaim` inside never reaches JavaScript in the clear.

use crate::contract::errors::AppError;
use crate::contract::launch::LaunchContext;
use crate::server::sealing::Sealer;
use crate::server::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// A [`Session`] borrowed for sealing: the same fields in the same order, so postcard writes
/// the same bytes without copying the launch context (a test holds that they open equal).
#[derive(Serialize)]
struct SessionRef<'a> {
    context: &'a LaunchContext,
    api_claim: &'a str,
    expires_at: i64,
    api_token: Option<&'a str>,
    widget: Option<&'a str>,
}

/// What a token carries.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    pub context: LaunchContext,
    pub api_claim: String,
    pub expires_at: i64,
    /// Set only for an activation session: the `apiToken` of the activation iframe.
    #[serde(default)]
    pub api_token: Option<String>,
    /// Set only for a Kolibri24 widget session: the entity's type. The agency is the
    /// context's `customer_web_id`, the entity its `estate_id`.
    #[serde(default)]
    pub widget: Option<String>,
}

pub struct Sessions {
    /// The first seals; all open, so a rotated-out key keeps its sessions until they expire.
    sealers: Vec<Sealer>,
    ttl_secs: i64,
}

/// Associated data of session tokens, so no other sealed value can pass as a session.
const AAD: &[u8] = b"marktstand session";

/// First byte of a session's plaintext: postcard follows. Tokens sealed before it carried
/// JSON (which starts with `{`); they open until they expire. Postcard made the token ~40 %
/// shorter and sealing and opening cheaper: both happen on every launch and every call.
/// Postcard does not name its fields: a change to [`Session`] needs a new first byte, with
/// this one still read, or replicas of two versions refuse each other's tokens.
const POSTCARD: u8 = 1;

impl Sessions {
    /// `keys` must not be empty; the first is the current one.
    pub fn new(keys: &[[u8; 32]], ttl_secs: i64) -> Self {
        assert!(!keys.is_empty(), "at least one session key");
        Sessions { sealers: keys.iter().map(Sealer::new).collect(), ttl_secs }
    }

    /// Seals a new session; returns the token and its expiry.
    pub fn issue(&self, context: &LaunchContext, api_claim: &str, now: i64) -> (String, i64) {
        self.seal(SessionRef { context, api_claim, expires_at: now + self.ttl_secs, api_token: None, widget: None })
    }

    /// A session for a Kolibri24 widget whose call Kolibri24 confirmed: no API claim, so it
    /// can read nothing from onOffice and place no onOffice order.
    pub fn issue_widget(&self, context: &LaunchContext, entity_type: &str, now: i64) -> (String, i64) {
        let expires_at = now + self.ttl_secs;
        self.seal(SessionRef { context, api_claim: "", expires_at, api_token: None, widget: Some(entity_type) })
    }

    /// A session for the activation iframe, which alone may call `unlockProvider`.
    pub fn issue_activation(
        &self,
        context: &LaunchContext,
        api_claim: &str,
        api_token: &str,
        now: i64,
    ) -> (String, i64) {
        let expires_at = now + self.ttl_secs;
        self.seal(SessionRef { context, api_claim, expires_at, api_token: Some(api_token), widget: None })
    }

    /// Seals `plain` for another purpose, named by `aad` so it can never pass as a session.
    pub fn seal_other(&self, plain: &[u8], aad: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.sealers[0].seal(plain, aad))
    }

    /// Opens what [`seal_other`](Self::seal_other) sealed for `aad`, under any of the keys.
    pub fn open_other(&self, token: &str, aad: &[u8]) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        self.sealers.iter().find_map(|s| s.open(&bytes, aad))
    }

    fn seal(&self, session: SessionRef) -> (String, i64) {
        let mut plain = Vec::with_capacity(256);
        plain.push(POSTCARD);
        let plain = postcard::to_extend(&session, plain).expect("session serialises");
        (URL_SAFE_NO_PAD.encode(self.sealers[0].seal(&plain, AAD)), session.expires_at)
    }

    /// Opens a token; a forged or foreign one is `Unauthorized`, an old one `SessionExpired`.
    pub fn open(&self, token: &str, now: i64) -> Result<Session, AppError> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| AppError::Unauthorized)?;
        let plain = self.sealers.iter().find_map(|s| s.open(&bytes, AAD)).ok_or(AppError::Unauthorized)?;
        let session = read(&plain).ok_or(AppError::Unauthorized)?;
        if session.expires_at <= now {
            return Err(AppError::SessionExpired);
        }
        Ok(session)
    }
}

/// A session's plaintext: postcard after its first byte, or (sealed before) JSON.
fn read(plain: &[u8]) -> Option<Session> {
    match plain.split_first()? {
        (&POSTCARD, rest) => postcard::from_bytes(rest).ok(),
        (b'{', _) => serde_json::from_slice(plain).ok(),
        _ => None,
    }
}

/// The storefront session of the current server-function call, from its
/// `Authorization: Bearer` header. Activation and widget sessions are refused here.
pub fn require(state: &crate::server::AppState) -> Result<Session, AppError> {
    let session = require_any(state)?;
    if session.api_token.is_some() || session.widget.is_some() {
        return Err(AppError::Unauthorized);
    }
    Ok(session)
}

/// A Kolibri24 widget session, and the entity type it is for.
pub fn require_widget(state: &crate::server::AppState) -> Result<(Session, String), AppError> {
    let session = require_any(state)?;
    match session.widget.clone() {
        Some(entity_type) => Ok((session, entity_type)),
        None => Err(AppError::Unauthorized),
    }
}

/// Any session, storefront or activation.
pub fn require_any(state: &crate::server::AppState) -> Result<Session, AppError> {
    let authorization = crate::server::call::authorization();
    let value = authorization.as_ref().and_then(|v| v.to_str().ok()).ok_or(AppError::Unauthorized)?;
    let token = value.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)?;
    state.sessions.open(token, crate::server::clock::now())
}

/// [`crate::server::call::handle`] for calls made inside a storefront session (the `Authorization` header).
pub async fn with_session<T, F, Fut>(body: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, Session) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    crate::server::call::handle(|state| async move {
        let session = require(&state)?;
        body(state, session).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> LaunchContext {
        LaunchContext::customer("Muster GmbH".into(), "1".into(), "2".into(), "p".into())
    }

    #[test]
    fn token_round_trips_and_expires() {
        let sessions = Sessions::new(&[[7; 32]], 60);
        let (token, expires) = sessions.issue(&context(), "claim", 1000);
        assert_eq!(expires, 1060);
        assert_eq!(sessions.open(&token, 1059).unwrap().api_claim, "claim");
        assert_eq!(sessions.open(&token, 1060).unwrap_err(), AppError::SessionExpired);
    }

    #[test]
    fn token_hides_the_claim_and_resists_tampering() {
        let sessions = Sessions::new(&[[7; 32]], 60);
        let (token, _) = sessions.issue(&context(), "secret-claim", 1000);
        let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert!(!raw.windows(12).any(|w| w == b"secret-claim"));
        let mut flipped = raw.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(sessions.open(&URL_SAFE_NO_PAD.encode(flipped), 1000).unwrap_err(), AppError::Unauthorized);
        let other = Sessions::new(&[[8; 32]], 60);
        assert_eq!(other.open(&token, 1000).unwrap_err(), AppError::Unauthorized);
    }

    #[test]
    fn a_token_sealed_as_json_still_opens_and_new_ones_are_shorter() {
        let sessions = Sessions::new(&[[7; 32]], 60);
        let session =
            Session { context: context(), api_claim: "claim".into(), expires_at: 1060, api_token: None, widget: None };
        let json = serde_json::to_vec(&session).unwrap();
        let before = URL_SAFE_NO_PAD.encode(sessions.sealers[0].seal(&json, AAD));
        let opened = sessions.open(&before, 1000).unwrap();
        assert_eq!((opened.context, opened.api_claim), (context(), "claim".to_string()));
        let (now, _) = sessions.issue(&context(), "claim", 1000);
        assert!(now.len() * 10 < before.len() * 7, "{} vs {} characters", now.len(), before.len());
        // Neither format nor anything else: refused.
        let other = URL_SAFE_NO_PAD.encode(sessions.sealers[0].seal(b"\x02garbage", AAD));
        assert_eq!(sessions.open(&other, 1000).unwrap_err(), AppError::Unauthorized);
    }

    #[test]
    fn every_kind_of_session_opens_as_it_was_sealed() {
        let sessions = Sessions::new(&[[7; 32]], 60);
        let opened = |token: String| {
            let s = sessions.open(&token, 1000).unwrap();
            (s.context, s.api_claim, s.api_token, s.widget, s.expires_at)
        };
        let storefront = opened(sessions.issue(&context(), "claim", 1000).0);
        assert_eq!(storefront, (context(), "claim".into(), None, None, 1060));
        let activation = opened(sessions.issue_activation(&context(), "claim", "api-token", 1000).0);
        assert_eq!(activation, (context(), "claim".into(), Some("api-token".into()), None, 1060));
        let widget = opened(sessions.issue_widget(&context(), "estate", 1000).0);
        assert_eq!(widget, (context(), String::new(), None, Some("estate".into()), 1060));
    }

    #[test]
    fn a_rotated_key_keeps_its_sessions_and_the_new_key_seals() {
        let old = Sessions::new(&[[7; 32]], 60);
        let (before, _) = old.issue(&context(), "claim", 1000);
        let rotated = Sessions::new(&[[8; 32], [7; 32]], 60);
        assert_eq!(rotated.open(&before, 1001).unwrap().api_claim, "claim");
        let (after, _) = rotated.issue(&context(), "claim", 1000);
        // Sealed with the new key: the old key alone cannot open it.
        assert_eq!(old.open(&after, 1001).unwrap_err(), AppError::Unauthorized);
        assert!(Sessions::new(&[[8; 32]], 60).open(&after, 1001).is_ok());
    }
}
