//! Requests from the Kolibri24 widget: one product for the widget's entity, priced from the
//! catalogue like any order, stored as `requested` (no payment popup in Kolibri24), once per
//! idempotency key, within the same per-agency rate as orders.

use crate::contract::catalogue::Circle;
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::orders::{CartLine, OrderRequest, OrderStatus};
use crate::contract::widget::RequestRow;
use crate::server::orders::{check_key, new_order, price, within_rate, Priced};
use crate::server::session::Session;
use crate::server::{store, AppState};

/// Requests `product_id` once per `key`; a repeated key returns the same request.
pub async fn request(
    state: &AppState,
    session: &Session,
    entity_type: &str,
    product_id: &str,
    key: &str,
    now: i64,
) -> Result<RequestRow, AppError> {
    check_key(key)?;
    let ctx = &session.context;
    let product = state
        .catalogue
        .product(product_id)
        .ok_or_else(|| AppError::bad_request(format!("unknown product `{product_id}`")))?;
    // An agency-wide request: the customer circle where the product is sold by circle.
    let circle = (!product.circles.is_empty()).then_some(Circle::Customer);
    let request =
        OrderRequest::Products { lines: vec![CartLine { product_id: product_id.into(), quantity: 1, circle }] };
    let priced = price(&state.catalogue, ctx, &request)?;
    let scoped_key = format!("kolibri24:{}:{}:{key}", ctx.customer_web_id, ctx.estate_id.as_deref().unwrap_or(""));
    let stored = match store::orders::order_by_key(&state.db, &scoped_key).await? {
        Some(order) => order,
        None => {
            within_rate(state, ctx, now).await?;
            let mut order = new_order(ctx, &priced, scoped_key, now);
            order.status = OrderStatus::Requested;
            order.host = Host::Kolibri24;
            order.entity_type = Some(entity_type.to_string());
            let stored = store::orders::insert(&state.db, &order).await?;
            crate::server::metrics::order("requested");
            stored
        }
    };
    crate::server::hosts::oneflow::contracts::queue_if_needed(state, &stored).await?;
    tracing::info!(order = %stored.id, agency = %stored.customer_web_id, product = product_id, "requested in Kolibri24");
    row(&stored)
}

/// The agency's requests for the session's entity, newest first (at most 100).
pub async fn list(state: &AppState, session: &Session) -> Result<Vec<RequestRow>, AppError> {
    let ctx = &session.context;
    let entity = ctx.estate_id.as_deref().unwrap_or("");
    let orders = store::orders::of_entity(&state.db, &ctx.customer_web_id.as_str().into(), entity, 100).await?;
    orders.iter().map(row).collect()
}

fn row(order: &store::orders::StoredOrder) -> Result<RequestRow, AppError> {
    let priced: Priced = serde_json::from_str(&order.items).map_err(|_| AppError::Internal)?;
    let product_id = match priced {
        Priced::Products { lines } => lines.first().map(|l| l.product_id.clone()).unwrap_or_default(),
        Priced::Subscription(s) => s.id,
    };
    Ok(RequestRow {
        order_id: order.id.to_string(),
        product_id,
        total_cents: order.total_cents,
        status: order.status,
        created_at: order.created_at,
        fulfilment: order.contract_state(),
    })
}
