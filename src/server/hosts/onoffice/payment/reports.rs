//! Payment callbacks without a signature. Nothing onOffice publishes says enterprise signs the
//! callback (the demo shop's result page checks nothing), so an unsigned one may be genuine,
//! or a browser making it up. It never moves the order; the order keeps what it claimed, the
//! agent and the provider see "reported by the browser, not confirmed", and the provider
//! confirms or cancels it after looking at onOffice's transaction overview (recorded with who
//! did it). A callback with a signature that does not verify is still refused.

use super::{AppliedCallback, CallbackValues};
use crate::contract::back_office::CallbackOutcome;
use crate::contract::errors::AppError;
use crate::contract::orders::OrderStatus;
use crate::server::ids::OrderId;
use crate::server::store::{self, orders::Transition};
use crate::server::AppState;
use sha2::{Digest, Sha256};

/// What an unsigned callback reported for a still pending order.
pub fn reported(order: &store::orders::StoredOrder) -> Option<OrderStatus> {
    let status = order.reported_status.as_deref().and_then(OrderStatus::from_code);
    status.filter(|_| order.status == OrderStatus::Pending)
}

/// Keeps what an unsigned callback claims on its pending order; changes nothing else.
pub async fn report(state: &AppState, query: &str, now: i64) -> Result<AppliedCallback, AppError> {
    let query = query.trim_start_matches('?');
    let CallbackValues { id, status, reference, .. } = CallbackValues::read(|name| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.into_owned())
    })?;
    let order = store::orders::order(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    if order.status == OrderStatus::Pending {
        store::orders::note_reported(&state.db, &id, status, reference.as_deref(), now).await?;
    }
    let detail = match &reference {
        Some(r) => format!("{} ({r})", status.code()),
        None => status.code().to_string(),
    };
    crate::server::orders::log::record(&state.db, query, &id, now, CallbackOutcome::Reported, &detail).await;
    tracing::info!(order = %id, status = status.code(), "unsigned payment callback: reported, not applied");
    let order = store::orders::order(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    // A report is no signed callback: it never earns the result page a session.
    let key = format!("reported:{}", hex::encode(Sha256::digest(query.as_bytes())));
    Ok(AppliedCallback { order, key })
}

/// The provider confirms (the reported status) or cancels (`error`) a reported payment of a
/// pending order; `who` is recorded in the order's timeline.
pub async fn reconcile(state: &AppState, id: &OrderId, confirm: bool, who: &str, now: i64) -> Result<(), AppError> {
    let order = store::orders::order(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let reported = order.reported_status.as_deref().and_then(OrderStatus::from_code);
    let Some(reported) = reported.filter(|_| order.status == OrderStatus::Pending) else {
        return Err(AppError::Conflict {
            message: format!(
                "only a pending order with a reported payment can be settled; this one is {}",
                order.status.code()
            ),
        });
    };
    let to = if confirm { reported } else { OrderStatus::Error };
    let message =
        if confirm { None } else { Some("cancelled by the provider: not in onOffice's transaction overview") };
    let key = format!("provider:{}", crate::server::ids::new_id());
    let step = Transition { to, reference: order.reported_reference.as_deref(), message, callback_key: &key, at: now };
    if store::orders::transition(&state.db, id, &step).await?.is_none() {
        return Err(AppError::Conflict { message: "the order moved meanwhile; reload it".into() });
    }
    let outcome = if confirm { CallbackOutcome::Confirmed } else { CallbackOutcome::Cancelled };
    crate::server::orders::log::record(&state.db, &key, id, now, outcome, who).await;
    tracing::info!(order = %id, to = to.code(), by = %who, "reported payment settled by the provider");
    let order = store::orders::order(&state.db, id).await?.ok_or(AppError::NotFound)?;
    crate::server::hosts::oneflow::contracts::queue_if_needed(state, &order).await?;
    Ok(())
}
