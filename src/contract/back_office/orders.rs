//! The provider's order list: one page at a time, narrowed by status, dates and a search.

use crate::browser::client::SessionClient;
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::orders::{Fulfilment, OrderStatus};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// One row of the provider's order list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub customer_name: String,
    pub customer_web_id: String,
    pub user_id: String,
    pub products: Vec<String>,
    pub total_cents: i64,
    pub status: OrderStatus,
    pub reference: Option<String>,
    pub created_at: i64,
    pub host: Host,
    /// For contract-fulfilled orders: how far the contract got.
    pub fulfilment: Option<Fulfilment>,
}

/// One page of the provider's order list, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub rows: Vec<OrderRow>,
    /// The page asked for, from 0.
    pub page: u32,
    /// Whether an older page exists.
    pub more: bool,
}

/// Rows per page of the provider's order list.
pub const ORDER_PAGE_SIZE: u32 = 50;

/// What the provider's order list is narrowed to; empty fields narrow nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// An order's id, a customer's id, or part of a customer's name.
    #[serde(default)]
    pub search: String,
    /// First and last day (`YYYY-MM-DD`, both included) in the browser's time zone,
    /// `offset` minutes east of UTC; either may be empty.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub offset: i32,
}

impl OrderFilter {
    /// Whether it narrows nothing (the offset alone does not narrow).
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.search.trim().is_empty()
            && self.from.trim().is_empty()
            && self.to.trim().is_empty()
    }
}

/// One page of the provider's order list, narrowed by `filter`, behind the admin token.
#[server(endpoint = "admin_orders", client = SessionClient, output = Postcard)]
pub async fn admin_orders(admin_token: String, page: u32, filter: Option<OrderFilter>) -> Result<OrderPage, AppError> {
    use crate::server::back_office::{guard::with_admin, orders};
    with_admin(admin_token, |state| async move { orders::orders(&state, page, &filter.unwrap_or_default()).await })
        .await
}
