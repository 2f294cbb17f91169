//! Server side of the launch: verify the query with the signing core, read the parameters,
//! seal a session.

use super::AppState;
use crate::errors::AppError;
use crate::launch::{Launch, LaunchContext};
use signing::url::Verified;

/// Verifies `query` (exactly as it arrived) and issues a session for it.
pub fn open_session(state: &AppState, query: &str, now: i64) -> Result<Launch, AppError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let verified = state.verifier.verify(query, now).map_err(|rejection| {
        tracing::info!(reason = rejection.code(), "launch rejected");
        AppError::LaunchRejected { reason: rejection.code().to_string() }
    })?;
    let (context, api_claim) = read_context(&verified)?;
    tracing::info!(customer = %context.customer_web_id, user = %context.user_id, "launch verified");
    let (token, expires_at) = state.sessions.issue(context.clone(), api_claim, now);
    Ok(Launch { token, expires_at, context, allowed_origins: state.config.allowed_origins.clone() })
}

/// A session for the page enterprise loads after payment (a new page has no token in memory).
/// Only the stored, verified context is used; the apiClaim is not kept with orders.
pub fn resume_session(state: &AppState, order: &super::storage::StoredOrder, now: i64) -> Launch {
    let context = LaunchContext {
        customer_name: order.customer_name.clone(),
        customer_web_id: order.customer_web_id.clone(),
        user_id: order.user_id.clone(),
        group_id: order.group_id.clone(),
        estate_id: order.estate_id.clone(),
        address_id: order.address_id.clone(),
        language: None,
        user_language: order.user_language.clone(),
        image_ids: serde_json::from_str(&order.image_ids).unwrap_or_default(),
        parameter_cache_id: order.parameter_cache_id.clone(),
    };
    let (token, expires_at) = state.sessions.issue(context.clone(), String::new(), now);
    Launch { token, expires_at, context, allowed_origins: state.config.allowed_origins.clone() }
}

/// A parameter that must be present and not empty; its absence rejects the call with
/// `missing_<name in snake case>`.
pub fn required(v: &Verified, name: &str) -> Result<String, AppError> {
    v.get(name)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| AppError::LaunchRejected { reason: format!("missing_{}", snake(name)) })
}

/// The service-iframe parameters; missing required ones reject the launch.
pub fn read_context(v: &Verified) -> Result<(LaunchContext, String), AppError> {
    let required = |name: &str| required(v, name);
    let optional = |name: &str| v.get(name).filter(|s| !s.is_empty()).map(str::to_string);
    let context = LaunchContext {
        customer_name: v.get("customerName").unwrap_or_default().to_string(),
        customer_web_id: required("customerWebId")?,
        user_id: required("userId")?,
        group_id: optional("groupId"),
        estate_id: optional("estateid"),
        address_id: optional("addressid"),
        language: optional("language"),
        user_language: optional("UserLanguage"),
        image_ids: v.list("imageIds"),
        parameter_cache_id: required("parameterCacheId")?,
    };
    Ok((context, required("apiClaim")?))
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
