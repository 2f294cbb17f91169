//! Customers' onOffice API credentials, encrypted at rest. The key comes from configuration
//! and never touches the database; each ciphertext is bound to its customer, so rows cannot
//! be swapped between customers.

use super::hosts::onoffice::api::Credentials;
use super::sealing::Sealer;
use super::AppState;
use crate::errors::AppError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
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
pub async fn store(state: &AppState, customer_web_id: &str, creds: &Credentials, now: i64) -> Result<(), AppError> {
    let plain = serde_json::to_vec(&Sealed { token: creds.token.clone(), secret: creds.secret.clone() })
        .expect("credentials serialise");
    let sealed = sealer(state)?.seal(&plain, customer_web_id.as_bytes());
    sqlx::query(
        "INSERT INTO customers (customer_web_id, credentials, activated_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (customer_web_id) DO UPDATE SET credentials = excluded.credentials, \
         activated_at = excluded.activated_at, updated_at = excluded.updated_at",
    )
    .bind(customer_web_id)
    .bind(STANDARD.encode(sealed))
    .bind(now)
    .execute(&state.db)
    .await?;
    Ok(())
}

/// The customer's credentials, or `None` when the provider was never activated for them.
pub async fn load(state: &AppState, customer_web_id: &str) -> Result<Option<Credentials>, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT credentials FROM customers WHERE customer_web_id = $1")
        .bind(customer_web_id)
        .fetch_optional(&state.db)
        .await?;
    let Some((text,)) = row else { return Ok(None) };
    let bytes = STANDARD.decode(text).map_err(|_| AppError::Internal)?;
    let plain = sealer(state)?.open(&bytes, customer_web_id.as_bytes()).ok_or_else(|| {
        tracing::error!(
            customer = customer_web_id,
            "stored credentials do not open: wrong MARKTSTAND_CREDENTIALS_KEY?"
        );
        AppError::Internal
    })?;
    let sealed: Sealed = serde_json::from_slice(&plain).map_err(|_| AppError::Internal)?;
    Ok(Some(Credentials { token: sealed.token, secret: sealed.secret }))
}
