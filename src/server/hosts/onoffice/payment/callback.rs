//! enterprise's payment callback: a signed one moves the order along its state machine once
//! (`store::orders::transition`); one without any signature is a report ([`super::reports`]); a
//! wrongly signed one changes nothing. Then the result page's data.

use super::{AppliedCallback, CallbackValues};
use crate::contract::back_office::CallbackOutcome;
use crate::contract::errors::AppError;
use crate::contract::orders::OrderResult;
use crate::server::store::{self, orders::Transition};
use crate::server::AppState;
use sha2::{Digest, Sha256};

/// Verifies a payment callback and moves the order along the state machine once. A wrongly
/// signed one changes nothing; an unsigned one is kept as a report ([`super::reports`]).
pub async fn apply_callback(state: &AppState, query: &str, now: i64) -> Result<AppliedCallback, AppError> {
    let verified = match crate::server::hosts::onoffice::signed_request::verify(
        &state.verifiers.callback,
        query,
        now,
        "payment callback",
    ) {
        Ok(verified) => verified,
        // No `signature` at all, as the signing core reads the query: a report, not a forgery.
        Err(AppError::LaunchRejected { reason }) if reason == signing::Rejection::MissingSignature.code() => {
            return super::reports::report(state, query, now).await;
        }
        Err(refused) => {
            crate::server::orders::log::record_refused(&state.db, query, now, &refused).await;
            return Err(refused);
        }
    };
    let CallbackValues { id, status, reference, message } =
        CallbackValues::read(|k| verified.get(k).filter(|s| !s.is_empty()).map(str::to_string))?;
    let key = hex::encode(Sha256::digest(verified.canonical().as_bytes()));
    let step = Transition {
        to: status,
        reference: reference.as_deref(),
        message: message.as_deref(),
        callback_key: &key,
        at: now,
    };
    let order = store::orders::order(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let outcome = match store::orders::transition(&state.db, &id, &step).await? {
        Some(from) => {
            tracing::info!(order = %id, from = from.code(), to = status.code(), "payment callback applied");
            crate::server::metrics::order(status.code());
            CallbackOutcome::Applied
        }
        None if order.status != status => {
            tracing::warn!(order = %id, status = order.status.code(), asked = status.code(), "payment callback ignored: not allowed from here");
            CallbackOutcome::Ignored
        }
        None => CallbackOutcome::Repeated,
    };
    crate::server::metrics::callback(outcome.code());
    crate::server::orders::log::record(&state.db, query, &id, now, outcome, status.code()).await;
    let order = store::orders::order(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    // On every view of a paid order's callback: queued once, so a failure here is retried
    // by the next view instead of being lost.
    crate::server::hosts::oneflow::contracts::queue_if_needed(state, &order).await?;
    Ok(AppliedCallback { order, key })
}

/// The callback view's data. The session for the refresh/close buttons is issued once per
/// signed callback that moved the order; a replay shows the result without one.
pub async fn callback_result(state: &AppState, query: &str, now: i64) -> Result<OrderResult, AppError> {
    let AppliedCallback { order, key } = apply_callback(state, query, now).await?;
    let session = if store::orders::claim_result_session(&state.db, &order.id, &key).await? {
        Some(crate::server::hosts::onoffice::launch::resume_session(state, &order, now))
    } else {
        None
    };
    Ok(OrderResult {
        order_id: order.id.to_string(),
        status: order.status,
        kind: order.kind,
        reference: order.transaction_id.clone().or_else(|| order.reported_reference.clone()),
        message: order.message.clone(),
        session,
    })
}
