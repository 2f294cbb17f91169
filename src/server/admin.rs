//! The provider's pages behind the admin token: the token check (constant time, failed
//! attempts limited per client address) and the lists they show.

use super::orders::product_names;
use super::{storage, AppState};
use crate::errors::AppError;
use crate::orders::{OrderPage, OrderRow, ORDER_PAGE_SIZE};
use crate::webhooks::WebhookRow;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;

/// Failed attempts a client address may make within [`FAILURE_WINDOW_SECS`]; after that
/// every attempt from it is refused with 429 until the window has passed.
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW_SECS: i64 = 300;

/// Failed admin-token attempts per client address, in this process (each replica keeps its
/// own count, which bounds guessing at replicas × [`MAX_FAILURES`] per window).
#[derive(Default)]
pub struct AdminGuard {
    failures: Mutex<HashMap<IpAddr, (u32, i64)>>,
}

impl AdminGuard {
    /// Checks `token` for `client` at `now`.
    pub fn check(&self, expected: Option<&str>, token: &str, client: IpAddr, now: i64) -> Result<(), AppError> {
        use subtle::ConstantTimeEq;
        let Some(expected) = expected else { return Err(AppError::NotFound) };
        let mut failures = self.failures.lock().expect("admin guard lock");
        failures.retain(|_, (_, since)| now - *since < FAILURE_WINDOW_SECS);
        if failures.get(&client).is_some_and(|(count, _)| *count >= MAX_FAILURES) {
            return Err(AppError::TooManyRequests {
                message: format!(
                    "too many wrong admin tokens from this address: wait {} minutes",
                    FAILURE_WINDOW_SECS / 60
                ),
            });
        }
        if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) {
            return Ok(());
        }
        failures.entry(client).or_insert((0, now)).0 += 1;
        tracing::warn!(client = %client, "wrong admin token");
        Err(AppError::Unauthorized)
    }
}

/// Checks the admin token of the current server-function call.
pub fn check(state: &AppState, token: &str) -> Result<(), AppError> {
    let client = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    state.admin_guard.check(state.config.admin_token.as_deref(), token, client, super::now())
}

/// One page of orders, newest first.
pub async fn orders(state: &AppState, token: &str, page: u32) -> Result<OrderPage, AppError> {
    check(state, token)?;
    let size = i64::from(ORDER_PAGE_SIZE);
    let mut orders = storage::list_orders(&state.db, size + 1, i64::from(page) * size).await?;
    let more = orders.len() as i64 > size;
    orders.truncate(ORDER_PAGE_SIZE as usize);
    let rows = orders
        .into_iter()
        .map(|o| OrderRow {
            products: product_names(&o),
            fulfilment: o.contract_state(),
            id: o.id,
            customer_name: o.customer_name,
            customer_web_id: o.customer_web_id,
            user_id: o.user_id,
            total_cents: o.total_cents,
            status: o.status,
            reference: o.transaction_id,
            created_at: o.created_at,
            host: o.host,
        })
        .collect();
    Ok(OrderPage { rows, page, more })
}

/// The newest webhook deliveries.
pub async fn webhooks(state: &AppState, token: &str) -> Result<Vec<WebhookRow>, AppError> {
    check(state, token)?;
    super::webhooks::recent(&state.db, 200).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_tokens_are_limited_per_address_and_the_limit_passes() {
        let guard = AdminGuard::default();
        let (a, b) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..MAX_FAILURES {
            assert_eq!(guard.check(Some("right"), "wrong", a, 1000), Err(AppError::Unauthorized));
        }
        assert!(matches!(guard.check(Some("right"), "right", a, 1001), Err(AppError::TooManyRequests { .. })));
        assert_eq!(guard.check(Some("right"), "right", b, 1001), Ok(()));
        assert_eq!(guard.check(Some("right"), "right", a, 1000 + FAILURE_WINDOW_SECS), Ok(()));
        assert_eq!(guard.check(None, "right", b, 1001), Err(AppError::NotFound));
    }
}
