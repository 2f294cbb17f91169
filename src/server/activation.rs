//! Server side of activation (unlocking the provider) and of reading the launch's property.

use super::hosts::onoffice::api::{ApiError, Credentials, Problem};
use super::session::Session;
use super::signed_request::{required, verify};
use super::text;
use super::{credentials, AppState};
use crate::contract::activation::{ActivationStart, PropertyInfo};
use crate::contract::errors::AppError;
use crate::contract::launch::LaunchContext;

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
    let active = credentials::load(state, &context.customer_web_id).await?.is_some();
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
    let creds = Credentials { token: api_token, secret: api_key.to_string() };
    let ctx = &session.context;
    state.api.unlock_provider(&creds, &ctx.parameter_cache_id, &session.api_claim).await.map_err(|e| {
        tracing::info!(customer = %ctx.customer_web_id, error = %e, "activation refused by onOffice");
        upstream(e)
    })?;
    credentials::store(state, &ctx.customer_web_id, &creds, now).await?;
    tracing::info!(customer = %ctx.customer_web_id, "provider activated");
    Ok(())
}

fn upstream(e: ApiError) -> AppError {
    AppError::Upstream { message: e.to_string() }
}

fn join(parts: &[String]) -> String {
    parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(" ")
}

/// The launch's property or address, read with the customer's stored credentials and the
/// launch's `apiClaim`. Never fails the storefront: problems become a notice.
pub async fn property_info(state: &AppState, session: &Session) -> PropertyInfo {
    let ctx = &session.context;
    if ctx.estate_id.is_none() && ctx.address_id.is_none() {
        return PropertyInfo::NoContext;
    }
    // A session resumed after payment carries no apiClaim: onOffice would refuse the read.
    if session.api_claim.is_empty() {
        return PropertyInfo::NeedsFreshLaunch;
    }
    let creds = match credentials::load(state, &ctx.customer_web_id).await {
        Ok(Some(creds)) => creds,
        Ok(None) => return PropertyInfo::NotActivated,
        Err(e) => return PropertyInfo::Unavailable { message: e.to_string() },
    };
    let result = if let Some(id) = &ctx.estate_id {
        state.api.read_estate(&creds, id, &session.api_claim, ctx.language.as_deref()).await.map(|e| {
            PropertyInfo::Estate {
                id: id.clone(),
                title: text(&e["objekttitel"]),
                address: join(&[
                    text(&e["strasse"]),
                    text(&e["hausnummer"]),
                    ",".into(),
                    text(&e["plz"]),
                    text(&e["ort"]),
                ])
                .replace(" ,", ","),
                number: text(&e["objektnr_extern"]),
            }
        })
    } else {
        let id = ctx.address_id.clone().unwrap_or_default();
        state.api.read_address(&creds, &id, &session.api_claim).await.map(|a| PropertyInfo::Address {
            id: id.clone(),
            name: join(&[text(&a["Vorname"]), text(&a["Name"])]),
            address: join(&[text(&a["Strasse"]), ",".into(), text(&a["Plz"]), text(&a["Ort"])]).replace(" ,", ","),
        })
    };
    credentials::note_api_use(state, &ctx.customer_web_id, &result, super::now()).await;
    result.unwrap_or_else(|e| {
        tracing::warn!(customer = %ctx.customer_web_id, error = %e, "property read failed");
        match e.problem() {
            Some(Problem::Claim) => PropertyInfo::ClaimOutdated,
            Some(Problem::Permission) => PropertyInfo::NoPermission,
            Some(Problem::UnknownRecord) => PropertyInfo::UnknownRecord,
            Some(Problem::Authentication) => PropertyInfo::KeyRefused,
            _ => PropertyInfo::Unavailable { message: e.to_string() },
        }
    })
}
