//! What happened to an order, for the back office: every payment callback received (also
//! the refused ones, and why) next to the recorded status changes.

use crate::contract::back_office::{CallbackOutcome, TimelineEntry};
use crate::contract::errors::AppError;
use crate::contract::orders::OrderStatus;
use crate::server::ids::OrderId;
use crate::server::store::{order_log, Db};
use sha2::{Digest, Sha256};

/// Callbacks kept per order and outcome: enough to explain any payment, and a bound on what
/// anyone who learns an order's id (or replays a signed callback) can make us store.
pub const MAX_PER_OUTCOME: i64 = 20;

/// Records a callback once per query as PHP reads it (its canonical form: other spellings of
/// the same query, such as an extra `&`, another order or other percent-encoding, are the same
/// callback); later copies change nothing. Each outcome stops being recorded at
/// [`MAX_PER_OUTCOME`] per order.
pub async fn record(db: &Db, query: &str, order_id: &OrderId, at: i64, outcome: CallbackOutcome, detail: &str) {
    let query = query.trim_start_matches('?');
    let canonical = signing::url::canonical_query(query).unwrap_or_else(|_| query.to_string());
    let key = hex::encode(Sha256::digest(canonical.as_bytes()));
    let callback = order_log::Callback { key: &key, order_id, at, outcome: outcome.code(), detail };
    let stored = order_log::record(db, &callback, MAX_PER_OUTCOME).await;
    // The callback's own outcome must not depend on its log line.
    if let Err(e) = stored {
        tracing::warn!(order = %order_id, error = %e, "payment callback not recorded");
    }
}

/// Records a refused callback against the order its (unverified) query names, if that order
/// exists: so the provider sees why an agent's payment did not arrive, and a stranger's junk
/// for made-up orders is not stored.
pub async fn record_refused(db: &Db, query: &str, at: i64, error: &AppError) {
    let query = query.trim_start_matches('?');
    let Some(order_id) = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "order")
        .map(|(_, v)| OrderId::from(v.into_owned()))
    else {
        return;
    };
    if !matches!(crate::server::store::orders::order(db, &order_id).await, Ok(Some(_))) {
        return;
    }
    let reason = match error {
        AppError::LaunchRejected { reason } => reason.clone(),
        other => other.to_string(),
    };
    record(db, query, &order_id, at, CallbackOutcome::Refused, &reason).await;
}

/// The order's timeline, oldest first: created, each callback, each status change.
pub async fn timeline(db: &Db, order_id: &OrderId, created_at: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let mut entries = vec![(created_at, 0, TimelineEntry::Created { at: created_at })];
    let callbacks = order_log::of_order(db, order_id, 7 * MAX_PER_OUTCOME).await?;
    for (at, outcome, detail) in callbacks {
        let outcome = CallbackOutcome::from_code(&outcome).unwrap_or(CallbackOutcome::Refused);
        entries.push((at, 1, TimelineEntry::Callback { at, outcome, detail }));
    }
    for (at, from, to, reference) in crate::server::store::orders::order_events(db, order_id).await? {
        let (Some(from), Some(to)) = (OrderStatus::from_code(&from), OrderStatus::from_code(&to)) else { continue };
        entries.push((at, 2, TimelineEntry::Status { at, from, to, reference }));
    }
    // Same second: the callback before the change it caused.
    entries.sort_by_key(|(at, rank, _)| (*at, *rank));
    Ok(entries.into_iter().map(|(_, _, e)| e).collect())
}
