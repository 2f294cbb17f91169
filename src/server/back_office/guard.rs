//! The back office's door: the admin token checked in constant time with failed attempts
//! limited per client address, sign-ins sealed for a working day, and [`with_admin`], which
//! every back-office server function goes through.

use crate::contract::back_office::BackOfficeSignIn;
use crate::contract::errors::AppError;
use crate::server::call::handle;
use crate::server::session::Sessions;
use crate::server::AppState;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Mutex;

/// How long a back-office sign-in lasts: a working day.
pub const SIGN_IN_SECS: i64 = 8 * 3600;
/// Names what a sign-in token is sealed for, so no other sealed value passes as one.
const SIGN_IN_AAD: &[u8] = b"marktstand back-office sign-in";

/// What a sign-in token carries: its expiry, and which admin token it was made with (a
/// fingerprint), so changing `MARKTSTAND_ADMIN_TOKEN` signs everybody out.
#[derive(Serialize, Deserialize)]
struct SignIn {
    expires_at: i64,
    admin: String,
}

fn fingerprint(admin_token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(admin_token.as_bytes())[..16])
}

/// Failed attempts a client address may make within [`FAILURE_WINDOW_SECS`]; after that
/// every attempt from it is refused with 429 until the window has passed.
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW_SECS: i64 = 300;

/// Failed admin-token attempts per client address, in this process (each replica keeps its
/// own count, which bounds guessing at replicas × [`MAX_FAILURES`] per window).
#[derive(Default)]
pub struct AdminGuard {
    failures: Mutex<HashMap<IpAddr, (u32, i64)>>,
}

impl AdminGuard {
    /// Checks `token` for `client` at `now`.
    pub fn check(&self, expected: Option<&str>, token: &str, client: IpAddr, now: i64) -> Result<(), AppError> {
        let Some(expected) = expected else { return Err(AppError::NotFound) };
        let mut failures = self.failures.lock().expect("admin guard lock");
        failures.retain(|_, (_, since)| now - *since < FAILURE_WINDOW_SECS);
        if failures.get(&client).is_some_and(|(count, _)| *count >= MAX_FAILURES) {
            return Err(AppError::TooManyRequests {
                message: format!(
                    "too many wrong admin tokens from this address: wait {} minutes",
                    FAILURE_WINDOW_SECS / 60
                ),
            });
        }
        if crate::server::sealing::same_secret(token, expected) {
            return Ok(());
        }
        failures.entry(client).or_insert((0, now)).0 += 1;
        tracing::warn!(client = %client, "wrong admin token");
        Err(AppError::Unauthorized)
    }
}

/// Checks a credential: the admin token itself (wrong ones limited per address), or a
/// sign-in made with the current admin token that has not expired.
pub fn authorize(state: &AppState, credential: &str, client: IpAddr, now: i64) -> Result<(), AppError> {
    let Some(expected) = state.config.admin_token.as_ref().map(|t| t.expose_secret()) else {
        return Err(AppError::NotFound);
    };
    match open_sign_in(&state.sessions, expected, credential, now) {
        Some(verdict) => verdict,
        None => state.admin_guard.check(Some(expected), credential, client, now),
    }
}

/// A sign-in for the back office, for the admin token itself only: a sign-in cannot be
/// traded for a longer one.
pub fn sign_in(state: &AppState, admin_token: &str, client: IpAddr, now: i64) -> Result<BackOfficeSignIn, AppError> {
    let Some(expected) = state.config.admin_token.as_ref().map(|t| t.expose_secret()) else {
        return Err(AppError::NotFound);
    };
    state.admin_guard.check(Some(expected), admin_token, client, now)?;
    Ok(seal_sign_in(&state.sessions, expected, now))
}

fn seal_sign_in(sessions: &Sessions, admin_token: &str, now: i64) -> BackOfficeSignIn {
    let sign_in = SignIn { expires_at: now + SIGN_IN_SECS, admin: fingerprint(admin_token) };
    let plain = serde_json::to_vec(&sign_in).expect("sign-in serialises");
    BackOfficeSignIn { token: sessions.seal_other(&plain, SIGN_IN_AAD), expires_at: sign_in.expires_at }
}

/// The verdict on `credential` if it is a sign-in sealed by this server; `None` if it is
/// not one (then it may be the admin token itself).
fn open_sign_in(sessions: &Sessions, admin_token: &str, credential: &str, now: i64) -> Option<Result<(), AppError>> {
    let plain = sessions.open_other(credential, SIGN_IN_AAD)?;
    let Ok(sign_in) = serde_json::from_slice::<SignIn>(&plain) else { return Some(Err(AppError::Unauthorized)) };
    Some(if sign_in.admin != fingerprint(admin_token) {
        Err(AppError::Unauthorized)
    } else if sign_in.expires_at <= now {
        Err(AppError::SessionExpired)
    } else {
        Ok(())
    })
}

/// Checks the credential of the current server-function call.
fn check(state: &AppState, credential: &str) -> Result<(), AppError> {
    authorize(state, credential, crate::server::call::client(), crate::server::clock::now())
}

/// [`handle`] for back-office calls: the body runs only with a valid admin token or sign-in.
pub async fn with_admin<T, F, Fut>(credential: String, body: F) -> Result<T, AppError>
where
    F: FnOnce(AppState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    handle(|state| async move {
        check(&state, &credential)?;
        body(state).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_tokens_are_limited_per_address_and_the_limit_passes() {
        let guard = AdminGuard::default();
        let (a, b) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..MAX_FAILURES {
            assert_eq!(guard.check(Some("right"), "wrong", a, 1000), Err(AppError::Unauthorized));
        }
        assert!(matches!(guard.check(Some("right"), "right", a, 1001), Err(AppError::TooManyRequests { .. })));
        assert_eq!(guard.check(Some("right"), "right", b, 1001), Ok(()));
        assert_eq!(guard.check(Some("right"), "right", a, 1000 + FAILURE_WINDOW_SECS), Ok(()));
        assert_eq!(guard.check(None, "right", b, 1001), Err(AppError::NotFound));
    }

    #[test]
    fn a_sign_in_lasts_a_working_day_and_ends_with_the_admin_token() {
        let sessions = Sessions::new(&[[3; 32]], 600);
        let sign_in = seal_sign_in(&sessions, "admin", 1000);
        assert_eq!(sign_in.expires_at, 1000 + SIGN_IN_SECS);
        assert_eq!(open_sign_in(&sessions, "admin", &sign_in.token, 1000 + SIGN_IN_SECS - 1), Some(Ok(())));
        assert_eq!(
            open_sign_in(&sessions, "admin", &sign_in.token, 1000 + SIGN_IN_SECS),
            Some(Err(AppError::SessionExpired))
        );
        // A new admin token signs everybody out.
        assert_eq!(open_sign_in(&sessions, "new admin", &sign_in.token, 1001), Some(Err(AppError::Unauthorized)));
        // Another server key: not a sign-in of ours, so it is checked as a (wrong) admin token.
        assert_eq!(open_sign_in(&Sessions::new(&[[4; 32]], 600), "admin", &sign_in.token, 1001), None);
        // The token is neither the admin token in clear nor usable as a storefront session.
        assert!(!sign_in.token.contains("admin"));
        assert_eq!(sessions.open(&sign_in.token, 1001).unwrap_err(), AppError::Unauthorized);
    }

    #[test]
    fn a_storefront_session_is_not_a_sign_in() {
        let sessions = Sessions::new(&[[3; 32]], 600);
        let context = crate::contract::launch::LaunchContext::customer("M".into(), "1".into(), "2".into(), "p".into());
        let (token, _) = sessions.issue(&context, "claim", 1000);
        assert_eq!(open_sign_in(&sessions, "admin", &token, 1001), None);
    }
}
