//! Webhooks as the provider sees them: the delivery list on the provider's page.
//! Receiving, storing and processing deliveries is server-only (`server::webhooks`).

use crate::client::SessionClient;
use crate::errors::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// One webhook delivery as listed for the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: String,
    pub service: String,
    pub customer_web_id: String,
    /// `queued`, `working`, `retry`, `done` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub received_at: i64,
    pub processed_at: Option<i64>,
}

/// The newest deliveries, behind the admin token.
#[server(endpoint = "admin_webhooks", client = SessionClient, output = Postcard)]
pub async fn admin_webhooks(admin_token: String) -> Result<Vec<WebhookRow>, AppError> {
    use crate::server::{admin, handle};
    handle(|state| async move { admin::webhooks(&state, &admin_token).await }).await
}
