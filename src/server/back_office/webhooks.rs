//! The webhook deliveries and jobs on the provider's page, and "retry now".

use crate::contract::back_office::webhooks::{Requeued, WebhookFilter, WebhookRow};
use crate::contract::errors::AppError;
use crate::server::AppState;

/// The newest webhook deliveries.
pub async fn webhooks(state: &AppState, filter: &WebhookFilter) -> Result<Vec<WebhookRow>, AppError> {
    crate::server::store::jobs::recent(&state.db, 200, filter).await
}

/// "Retry now" on a failed delivery; recorded with the client's address.
pub async fn retry_webhook(state: &AppState, id: &str, seen_round: i64) -> Result<Requeued, AppError> {
    let requeued = crate::server::store::jobs::retry(
        &state.db,
        &id.into(),
        seen_round,
        &crate::server::call::client().to_string(),
        crate::server::clock::now(),
    )
    .await?;
    state.jobs.wake();
    Ok(requeued)
}
