//! The provider's orders: a page of the list, one order with its timeline, and settling a
//! payment the browser reported against onOffice's transaction overview.

use crate::contract::back_office::orders::{OrderFilter, OrderPage, OrderRow, ORDER_PAGE_SIZE};
use crate::contract::back_office::{OrderDetail, ReportedPayment};
use crate::contract::errors::AppError;
use crate::server::ids::OrderId;
use crate::server::orders::product_names;
use crate::server::{store, AppState};

/// One page of orders, newest first, narrowed by `filter`.
pub async fn orders(state: &AppState, page: u32, filter: &OrderFilter) -> Result<OrderPage, AppError> {
    let created = if filter.from.trim().is_empty() && filter.to.trim().is_empty() {
        None
    } else {
        let from = Some(filter.from.trim()).filter(|s| !s.is_empty()).unwrap_or("1970-01-01");
        let to = Some(filter.to.trim()).filter(|s| !s.is_empty()).unwrap_or("9999-12-31");
        let range = crate::server::back_office::export::Range::parse(from, to, filter.offset)?;
        Some((range.start, range.end))
    };
    let search = store::orders::OrderSearch {
        status: filter.status,
        text: Some(filter.search.trim()).filter(|s| !s.is_empty()),
        created,
    };
    let size = i64::from(ORDER_PAGE_SIZE);
    let mut orders = store::orders::list(&state.db, &search, size + 1, i64::from(page) * size).await?;
    let more = orders.len() as i64 > size;
    orders.truncate(ORDER_PAGE_SIZE as usize);
    Ok(OrderPage { rows: orders.into_iter().map(row).collect(), page, more })
}

fn row(o: store::orders::StoredOrder) -> OrderRow {
    OrderRow {
        products: product_names(&o),
        fulfilment: o.contract_state(),
        id: o.id.into(),
        customer_name: o.customer_name,
        customer_web_id: o.customer_web_id.into(),
        user_id: o.user_id.into(),
        total_cents: o.total_cents,
        status: o.status,
        reference: o.transaction_id,
        created_at: o.created_at,
        host: o.host,
    }
}

/// One order with where it came from and its timeline.
pub async fn order_detail(state: &AppState, id: &str) -> Result<OrderDetail, AppError> {
    let order = store::orders::order(&state.db, &OrderId::from(id)).await?.ok_or(AppError::NotFound)?;
    let timeline = crate::server::orders::log::timeline(&state.db, &order.id, order.created_at).await?;
    Ok(OrderDetail {
        group_id: order.group_id.clone(),
        estate_id: order.estate_id.clone(),
        address_id: order.address_id.clone(),
        message: order.message.clone(),
        reported: crate::server::hosts::onoffice::payment::reports::reported(&order).map(|status| ReportedPayment {
            status,
            reference: order.reported_reference.clone(),
            at: order.reported_at.unwrap_or(order.updated_at),
        }),
        row: row(order),
        timeline,
    })
}

/// Confirms or cancels a reported payment; recorded with the client's address.
pub async fn settle_reported(state: &AppState, id: &str, confirm: bool) -> Result<OrderDetail, AppError> {
    let who = crate::server::call::client().to_string();
    let order = OrderId::from(id);
    crate::server::hosts::onoffice::payment::reports::reconcile(
        state,
        &order,
        confirm,
        &who,
        crate::server::clock::now(),
    )
    .await?;
    order_detail(state, id).await
}
