//! Activation: an administrator of the customer opens the signed activation iframe, and the
//! customer's API credentials are checked with onOffice (`unlockProvider`) and stored.

use crate::contract::activation::ActivationStart;
use crate::contract::errors::AppError;
use crate::contract::launch::LaunchContext;
use crate::server::hosts::onoffice::api::{ApiError, Credentials};
use crate::server::hosts::onoffice::credentials;
use crate::server::hosts::onoffice::signed_request::{required, verify};
use crate::server::session::Session;
use crate::server::AppState;

/// Verifies the activation URL (`apiClaim, apiToken, customerName, customerWebId,
/// parameterCacheId, timestamp, userId, signature`) and opens an activation session.
pub async fn start(state: &AppState, query: &str, now: i64) -> Result<ActivationStart, AppError> {
    let mut v = verify(&state.verifiers.activation, query, now, "activation")?;
    let context = LaunchContext::customer(
        v.take("customerName").unwrap_or_default(),
        required(&mut v, "customerWebId")?,
        required(&mut v, "userId")?,
        required(&mut v, "parameterCacheId")?,
    );
    let api_claim = required(&mut v, "apiClaim")?;
    let api_token = required(&mut v, "apiToken")?;
    let active = credentials::load(state, &context.customer_web_id.as_str().into()).await?.is_some();
    let (token, _) = state.sessions.issue_activation(&context, &api_claim, &api_token, now);
    Ok(ActivationStart {
        token,
        customer_name: context.customer_name,
        active,
        allowed_origins: state.config.allowed_origins.clone(),
    })
}

/// Calls `unlockProvider` (and nothing else) with the URL's apiToken and the pasted key;
/// stores both, encrypted, only when onOffice says `success`.
pub async fn activate(
    state: &AppState,
    session: &Session,
    api_key: &str,
    consent: bool,
    now: i64,
) -> Result<(), AppError> {
    let Some(api_token) = session.api_token.clone() else {
        return Err(AppError::Unauthorized);
    };
    if !consent {
        return Err(AppError::bad_request("please agree to the privacy policy first"));
    }
    let api_key = api_key.trim();
    if api_key.is_empty() || api_key.len() > 200 {
        return Err(AppError::bad_request("paste the API key of the customer's API user"));
    }
    // Fail before calling onOffice when the key cannot be stored afterwards.
    credentials::ensure_configured(state)?;
    let creds = Credentials { token: api_token, secret: api_key.into() };
    let ctx = &session.context;
    state.api.unlock_provider(&creds, &ctx.parameter_cache_id, &session.api_claim).await.map_err(|e| {
        tracing::info!(customer = %ctx.customer_web_id, error = %e, "activation refused by onOffice");
        upstream(e)
    })?;
    credentials::store(state, &ctx.customer_web_id.as_str().into(), &creds, now).await?;
    tracing::info!(customer = %ctx.customer_web_id, "provider activated");
    Ok(())
}

fn upstream(e: ApiError) -> AppError {
    AppError::Upstream { message: e.to_string() }
}
