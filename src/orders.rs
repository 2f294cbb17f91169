//! Orders: the cart the browser sends (ids and quantities only, never prices), the signed
//! order that goes to enterprise's payment popup, and the result of the payment callback.

use crate::catalogue::Circle;
use crate::client::SessionClient;
use crate::errors::AppError;
use crate::launch::Launch;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};
use serde::{Deserialize, Serialize};

/// One cart line as the browser sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: String,
    pub quantity: u32,
    pub circle: Option<Circle>,
}

/// What the user wants to buy: products, or one subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderRequest {
    Products { lines: Vec<CartLine> },
    Subscription { id: String, circle: Option<Circle> },
}

/// A stored, signed order, ready to be posted to the parent window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order_id: String,
    pub total_cents: i64,
    /// The signed order as the JSON string enterprise expects.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Success,
    Inprocess,
    Error,
}

impl OrderStatus {
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Success => "success",
            OrderStatus::Inprocess => "inprocess",
            OrderStatus::Error => "error",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "pending" => OrderStatus::Pending,
            "success" => OrderStatus::Success,
            "inprocess" => OrderStatus::Inprocess,
            "error" => OrderStatus::Error,
            _ => return None,
        })
    }
}

/// What the callback view shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderResult {
    pub order_id: String,
    pub status: OrderStatus,
    pub subscription: bool,
    /// Transaction id (products) or subscription id (`aboid`).
    pub reference: Option<String>,
    /// enterprise's message, shown as text (escaped by the view).
    pub message: Option<String>,
    /// A fresh session for refresh/close messages, when the callback was signed.
    pub session: Option<Launch>,
}

/// Prices the cart from the catalogue, stores the order (once per idempotency key) and signs it.
#[server(endpoint = "create_order", client = SessionClient, input = Json, output = Postcard)]
pub async fn create_order(request: OrderRequest, idempotency_key: String) -> Result<PlacedOrder, AppError> {
    let state = crate::server::state()?;
    let session = crate::server::session::require().map_err(crate::errors::respond)?;
    crate::server::orders::place(&state, &session, request, &idempotency_key, crate::server::now())
        .await
        .map_err(crate::errors::respond)
}

/// The result of the payment callback whose query the callback page was loaded with.
#[server(endpoint = "callback_result", client = SessionClient, output = Postcard)]
pub async fn callback_result(query: String) -> Result<OrderResult, AppError> {
    let state = crate::server::state()?;
    crate::server::orders::callback_result(&state, &query, crate::server::now())
        .await
        .map_err(crate::errors::respond)
}

/// One row of the provider's order list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub customer_name: String,
    pub customer_web_id: String,
    pub user_id: String,
    pub products: Vec<String>,
    pub total_cents: i64,
    pub status: String,
    pub reference: Option<String>,
    pub created_at: i64,
}

/// The provider's order list, behind the admin token from configuration.
#[server(endpoint = "admin_orders", client = SessionClient, output = Postcard)]
pub async fn admin_orders(admin_token: String) -> Result<Vec<OrderRow>, AppError> {
    let state = crate::server::state()?;
    crate::server::orders::admin_list(&state, &admin_token).await.map_err(crate::errors::respond)
}
