//! Webhooks as the provider sees them: the delivery list on the provider's page.
//! Receiving, storing and processing deliveries is server-only (`server::webhooks`).

use crate::browser::client::SessionClient;
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// One webhook delivery as listed for the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: String,
    pub host: Host,
    pub service: String,
    pub customer_web_id: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub received_at: i64,
    pub processed_at: Option<i64>,
    /// How often the provider re-queued it after it had failed ("retry now").
    pub retry_round: i64,
    /// The last such re-queue: when, and from which address.
    pub retried_at: Option<i64>,
    pub retried_by: Option<String>,
    /// Every attempt, oldest first.
    pub history: Vec<AttemptRow>,
}

/// One attempt at a delivery: how it ended and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub retry_round: i64,
    pub attempt: i64,
    pub finished_at: i64,
    pub outcome: DeliveryStatus,
    pub error: Option<String>,
}

/// What "retry now" did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requeued {
    /// Queued again by this request.
    Now,
    /// An earlier request (a double click, another tab) had already re-queued that round.
    Already,
}

crate::codes! {
    /// Where a delivery stands. Stored as its [`code`](DeliveryStatus::code); the worker moves it
    /// `queued → working → done | retry | failed`, and `retry → working` when it is due again.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum DeliveryStatus ("delivery status") {
        /// Stored, not yet tried.
        Queued = "queued",
        /// Claimed by a worker, which holds it until its lock runs out.
        Working = "working",
        /// Failed for now; tried again at `next_attempt_at`.
        Retry = "retry",
        Done = "done",
        /// Gave up: the reason is in `last_error`.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryStatus;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::from_code(s.code()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.code()));
        }
        assert_eq!(DeliveryStatus::from_code("Done"), None);
        assert!(DeliveryStatus::try_from("lost".to_string()).is_err());
    }
}

/// What the provider's delivery list is narrowed to; empty fields narrow nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookFilter {
    pub host: Option<Host>,
    /// The service exactly as listed (an onOffice webhook's name, a Kolibri24 category, …).
    #[serde(default)]
    pub service: String,
    pub status: Option<DeliveryStatus>,
}

/// The newest deliveries, narrowed by `filter`, behind the admin token.
#[server(endpoint = "admin_webhooks", client = SessionClient, output = Postcard)]
pub async fn admin_webhooks(admin_token: String, filter: Option<WebhookFilter>) -> Result<Vec<WebhookRow>, AppError> {
    use crate::server::back_office::{guard::with_admin, webhooks};
    with_admin(admin_token, |state| async move { webhooks::webhooks(&state, &filter.unwrap_or_default()).await }).await
}

/// Queues a failed delivery again, once: `retry_round` is the round the provider saw, so a
/// repeated click re-queues nothing more.
#[server(endpoint = "admin_retry_webhook", client = SessionClient, output = Postcard)]
pub async fn admin_retry_webhook(admin_token: String, id: String, retry_round: i64) -> Result<Requeued, AppError> {
    use crate::server::back_office::{guard::with_admin, webhooks};
    with_admin(admin_token, |state| async move { webhooks::retry_webhook(&state, &id, retry_round).await }).await
}
