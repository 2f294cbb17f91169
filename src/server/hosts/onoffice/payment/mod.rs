//! Payment, as enterprise runs it: the storefront posts a signed order to enterprise's window,
//! which opens its payment popup and then calls our payment callback ([`callback`]); a call
//! without a signature is only what the browser reports ([`reports`]).

pub mod callback;
pub mod reports;

use crate::contract::errors::AppError;
use crate::contract::orders::OrderStatus;
use crate::server::ids::OrderId;
use crate::server::store::orders::StoredOrder;

/// A verified payment callback, applied.
pub struct AppliedCallback {
    pub order: StoredOrder,
    /// Identifies this signed callback: the same callback seen again has the same key.
    pub key: String,
}

/// What a payment callback says: the order (`order` in our callback URL), the status it asks
/// for, the transaction or subscription id, enterprise's message.
pub struct CallbackValues {
    pub id: OrderId,
    pub status: OrderStatus,
    pub reference: Option<String>,
    pub message: Option<String>,
}

impl CallbackValues {
    /// From the callback's parameters (`get` gives a non-empty value or None).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Self, AppError> {
        let id = get("order").map(OrderId::from).ok_or_else(|| AppError::bad_request("the callback names no order"))?;
        let status = get("status")
            .as_deref()
            .and_then(OrderStatus::from_code)
            .filter(|s| matches!(s, OrderStatus::Success | OrderStatus::Inprocess | OrderStatus::Error))
            .ok_or_else(|| AppError::bad_request("the callback has no valid status (success, inprocess or error)"))?;
        Ok(CallbackValues {
            id,
            status,
            reference: get("transactionid").or_else(|| get("aboid")),
            message: get("message"),
        })
    }
}
