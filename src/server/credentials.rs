//! Customers' onOffice API credentials, encrypted at rest. The key comes from configuration
//! and never touches the database; each ciphertext is bound to its customer, so rows cannot
//! be swapped between customers.

use super::onoffice_api::Credentials;
use super::AppState;
use crate::errors::AppError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Sealed {
    token: String,
    secret: String,
}

fn cipher(state: &AppState) -> Result<XChaCha20Poly1305, AppError> {
    let key = state.config.credentials_key.ok_or_else(|| AppError::Unavailable {
        message: "activation is switched off: the provider has not set MARKTSTAND_CREDENTIALS_KEY".into(),
    })?;
    Ok(XChaCha20Poly1305::new(&key.into()))
}

/// Errs (503, saying which setting is missing) when credentials cannot be stored.
pub fn ensure_configured(state: &AppState) -> Result<(), AppError> {
    cipher(state).map(|_| ())
}

fn db_error(e: sqlx::Error) -> AppError {
    tracing::error!(error = %e, "database");
    AppError::Internal
}

/// Stores (or replaces, after a re-activation) the customer's credentials.
pub async fn store(state: &AppState, customer_web_id: &str, creds: &Credentials, now: i64) -> Result<(), AppError> {
    let cipher = cipher(state)?;
    let plain = serde_json::to_vec(&Sealed { token: creds.token.clone(), secret: creds.secret.clone() })
        .expect("credentials serialise");
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: &plain, aad: customer_web_id.as_bytes() })
        .map_err(|_| AppError::Internal)?;
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    sqlx::query(
        "INSERT INTO customers (customer_web_id, credentials, activated_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (customer_web_id) DO UPDATE SET credentials = excluded.credentials, \
         activated_at = excluded.activated_at, updated_at = excluded.updated_at",
    )
    .bind(customer_web_id)
    .bind(STANDARD.encode(bytes))
    .bind(now)
    .execute(&state.db)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// The customer's credentials, or `None` when the provider was never activated for them.
pub async fn load(state: &AppState, customer_web_id: &str) -> Result<Option<Credentials>, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT credentials FROM customers WHERE customer_web_id = $1")
        .bind(customer_web_id)
        .fetch_optional(&state.db)
        .await
        .map_err(db_error)?;
    let Some((text,)) = row else { return Ok(None) };
    let bytes = STANDARD.decode(text).map_err(|_| AppError::Internal)?;
    if bytes.len() <= 24 {
        return Err(AppError::Internal);
    }
    let (nonce, sealed) = bytes.split_at(24);
    let plain = cipher(state)?
        .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: customer_web_id.as_bytes() })
        .map_err(|_| {
            tracing::error!(customer = customer_web_id, "stored credentials do not open: wrong MARKTSTAND_CREDENTIALS_KEY?");
            AppError::Internal
        })?;
    let sealed: Sealed = serde_json::from_slice(&plain).map_err(|_| AppError::Internal)?;
    Ok(Some(Credentials { token: sealed.token, secret: sealed.secret }))
}
