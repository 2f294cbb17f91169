//! The Kolibri24 widget: the provider's products for one entity (a property or contact) of
//! one agency. Kolibri24 has no payment popup, so a product is **requested** (an order with
//! status `requested`) and the provider invoices outside; the widget lists the agency's
//! earlier requests for the entity. The session comes inside the widget's HTML (see
//! `server::hosts::kolibri24::widget`), never from a cookie or storage.

use crate::browser::client::SessionClient;
use crate::contract::codec::JsonBody;
use crate::contract::errors::AppError;
use crate::contract::orders::{Fulfilment, OrderStatus};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// The `<meta>` the server writes the widget's session token into.
pub const SESSION_META: &str = "marktstand-session";

/// What the widget is open for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetContext {
    pub agency_id: String,
    pub entity_id: String,
    pub entity_type: String,
    pub expires_at: i64,
}

/// One request as the widget lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub order_id: String,
    pub product_id: String,
    pub total_cents: i64,
    pub status: OrderStatus,
    pub created_at: i64,
    /// For contract-fulfilled products: how far the contract got.
    pub fulfilment: Option<Fulfilment>,
}

/// The widget session's context (it also proves the token is still good).
#[server(endpoint = "open_widget", client = SessionClient, output = Postcard)]
pub async fn open_widget() -> Result<WidgetContext, AppError> {
    use crate::server::{call::handle, session};
    handle(|state| async move {
        let (session, entity_type) = session::require_widget(&state)?;
        Ok(WidgetContext {
            agency_id: session.context.customer_web_id,
            entity_id: session.context.estate_id.unwrap_or_default(),
            entity_type,
            expires_at: session.expires_at,
        })
    })
    .await
}

/// Requests one product for the widget's entity; the same key gives the same request.
#[server(endpoint = "widget_request", client = SessionClient, input = JsonBody, output = Postcard)]
pub async fn request_product(product_id: String, idempotency_key: String) -> Result<RequestRow, AppError> {
    use crate::server::hosts::kolibri24::requests;
    use crate::server::{call::handle, clock::now, session};
    handle(|state| async move {
        let (session, entity_type) = session::require_widget(&state)?;
        requests::request(&state, &session, &entity_type, &product_id, &idempotency_key, now()).await
    })
    .await
}

/// The agency's requests for the widget's entity, newest first.
#[server(endpoint = "widget_requests", client = SessionClient, output = Postcard)]
pub async fn entity_requests() -> Result<Vec<RequestRow>, AppError> {
    use crate::server::hosts::kolibri24::requests;
    use crate::server::{call::handle, session};
    handle(|state| async move {
        let (session, _) = session::require_widget(&state)?;
        requests::list(&state, &session).await
    })
    .await
}
