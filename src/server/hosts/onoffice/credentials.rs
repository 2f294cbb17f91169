//! Customers' onOffice API credentials, encrypted at rest. The key comes from configuration
//! and never touches the database; each ciphertext is bound to its customer, so rows cannot
//! be swapped between customers.

use crate::contract::errors::AppError;
use crate::server::hosts::onoffice::api::{ApiError, Credentials, Problem};
use crate::server::ids::CustomerWebId;
use crate::server::sealing::Sealer;
use crate::server::store;
use crate::server::AppState;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Sealed {
    token: String,
    secret: String,
}

fn sealer(state: &AppState) -> Result<&Sealer, AppError> {
    state.credentials_sealer.as_ref().ok_or_else(|| AppError::Unavailable {
        message: "activation is switched off: the provider has not set MARKTSTAND_CREDENTIALS_KEY".into(),
    })
}

/// Errs (503, saying which setting is missing) when credentials cannot be stored.
pub fn ensure_configured(state: &AppState) -> Result<(), AppError> {
    sealer(state).map(|_| ())
}

/// Stores (or replaces, after a re-activation) the customer's credentials.
pub async fn store(
    state: &AppState,
    customer_web_id: &CustomerWebId,
    creds: &Credentials,
    now: i64,
) -> Result<(), AppError> {
    let plain =
        serde_json::to_vec(&Sealed { token: creds.token.clone(), secret: creds.secret.expose_secret().to_string() })
            .expect("credentials serialise");
    let sealed = sealer(state)?.seal(&plain, customer_web_id.as_bytes());
    store::customers::store_credentials(&state.db, customer_web_id, &STANDARD.encode(sealed), now).await?;
    Ok(())
}

/// The customer's credentials, or `None` when the provider was never activated for them.
pub async fn load(state: &AppState, customer_web_id: &CustomerWebId) -> Result<Option<Credentials>, AppError> {
    let Some(text) = store::customers::sealed_credentials(&state.db, customer_web_id).await? else { return Ok(None) };
    let bytes = STANDARD.decode(text).map_err(|_| AppError::Internal)?;
    let plain = sealer(state)?.open(&bytes, customer_web_id.as_bytes()).ok_or_else(|| {
        tracing::error!(
            customer = %customer_web_id,
            "stored credentials do not open: wrong MARKTSTAND_CREDENTIALS_KEY?"
        );
        AppError::Internal
    })?;
    let sealed: Sealed = serde_json::from_slice(&plain).map_err(|_| AppError::Internal)?;
    Ok(Some(Credentials { token: sealed.token, secret: sealed.secret.into() }))
}

/// What an API call says about the credentials it was made with: `Some(Err)` when onOffice
/// refused them (token or HMAC: the customer must activate again), `Some(Ok)` when onOffice
/// answered otherwise (a record not found, a missing permission, an outdated claim and a
/// clock it refused all say the key works), `None` when the API could not be reached or
/// failed on its side (that says nothing about the credentials).
pub fn verdict<T>(result: &Result<T, ApiError>) -> Option<Result<(), String>> {
    match result.as_ref().err().map(|e| (e, e.problem())) {
        None | Some((ApiError::Unexpected(_), _)) => Some(Ok(())),
        Some((e, Some(Problem::Authentication))) => Some(Err(e.to_string())),
        Some((_, Some(Problem::Server) | None)) => None,
        Some((_, Some(_))) => Some(Ok(())),
    }
}

/// Notes the verdict of a call with the customer's credentials, for the back office.
pub async fn note_api_use<T>(
    state: &AppState,
    customer_web_id: &CustomerWebId,
    result: &Result<T, ApiError>,
    now: i64,
) {
    let Some(verdict) = verdict(result) else { return };
    let noted = store::customers::note_api_check(&state.db, customer_web_id, now, verdict.err().as_deref()).await;
    if let Err(e) = noted {
        tracing::warn!(customer = %customer_web_id, error = %e, "API check not recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refused_token_or_hmac_counts_against_the_credentials() {
        assert_eq!(verdict(&Ok::<(), ApiError>(())), Some(Ok(())));
        assert_eq!(verdict::<()>(&Err(ApiError::Unexpected("estate 9 not found".into()))), Some(Ok(())));
        let hmac = ApiError::Action { errorcode: 137, message: "The HMAC is invalid.".into() };
        assert!(matches!(verdict::<()>(&Err(hmac)), Some(Err(m)) if m.contains("HMAC is invalid")));
        let token = ApiError::Status { code: 400, errorcode: 22, message: "Not authenticated".into() };
        assert!(matches!(verdict::<()>(&Err(token)), Some(Err(m)) if m.contains("activate the service again")));
        for (errorcode, what) in
            [(201, "claim outdated"), (149, "no read permission"), (293, "unknown record"), (136, "clock")]
        {
            let refused = ApiError::Action { errorcode, message: what.into() };
            assert_eq!(verdict::<()>(&Err(refused)), Some(Ok(())), "{what} is no fault of the key");
        }
        assert_eq!(verdict::<()>(&Err(ApiError::Transport("refused".into()))), None);
        assert_eq!(verdict::<()>(&Err(ApiError::Http { status: 502 })), None);
        let maintenance = ApiError::Status { code: 500, errorcode: 0, message: "maintenance".into() };
        assert_eq!(verdict::<()>(&Err(maintenance)), None, "a fault at onOffice says nothing about the key");
    }
}
