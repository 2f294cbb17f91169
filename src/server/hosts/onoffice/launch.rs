//! Server side of the launch: verify the query with the signing core, read the parameters,
//! seal a session.

use crate::contract::errors::AppError;
use crate::contract::launch::{Launch, LaunchContext};
use crate::server::hosts::onoffice::signed_request::{optional, required, verify};
use crate::server::store::orders::StoredOrder;
use crate::server::AppState;
use signing::url::Verified;

/// Verifies `query` (exactly as it arrived) and issues a session for it.
pub fn open_session(state: &AppState, query: &str, now: i64) -> Result<Launch, AppError> {
    let mut verified = verify(&state.verifiers.launch, query, now, "launch")?;
    let (context, api_claim) = read_context(&mut verified)?;
    tracing::info!(customer = %context.customer_web_id, user = %context.user_id, "launch verified");
    let (token, expires_at) = state.sessions.issue(&context, &api_claim, now);
    let catalogue = Some(state.catalogue.clone());
    Ok(Launch { token, expires_at, context, allowed_origins: state.config.allowed_origins.clone(), catalogue })
}

/// A session for the page enterprise loads after payment (a new page has no token in memory).
/// Only the stored, verified context is used; the apiClaim is not kept with orders, so this
/// session cannot read from the onOffice API.
pub fn resume_session(state: &AppState, order: &StoredOrder, now: i64) -> Launch {
    let context = LaunchContext {
        customer_name: order.customer_name.clone(),
        customer_web_id: order.customer_web_id.to_string(),
        user_id: order.user_id.to_string(),
        group_id: order.group_id.clone(),
        estate_id: order.estate_id.clone(),
        address_id: order.address_id.clone(),
        language: None,
        user_language: order.user_language.clone(),
        image_ids: serde_json::from_str(&order.image_ids).unwrap_or_default(),
        parameter_cache_id: order.parameter_cache_id.clone(),
    };
    let (token, expires_at) = state.sessions.issue(&context, "", now);
    Launch { token, expires_at, context, allowed_origins: state.config.allowed_origins.clone(), catalogue: None }
}

/// The service-iframe parameters, moved out of `v`; missing required ones reject the launch.
pub fn read_context(v: &mut Verified) -> Result<(LaunchContext, String), AppError> {
    let context = LaunchContext {
        customer_name: v.take("customerName").unwrap_or_default(),
        customer_web_id: required(v, "customerWebId")?,
        user_id: required(v, "userId")?,
        group_id: optional(v, "groupId"),
        estate_id: optional(v, "estateid"),
        address_id: optional(v, "addressid"),
        language: optional(v, "language"),
        user_language: optional(v, "UserLanguage"),
        image_ids: v.list("imageIds"),
        parameter_cache_id: required(v, "parameterCacheId")?,
    };
    Ok((context, required(v, "apiClaim")?))
}
