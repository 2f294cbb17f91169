//! Orders: the cart the browser sends (ids and quantities only, never prices), the signed
//! order that goes to enterprise's payment popup, and the result of the payment callback.

use crate::browser::client::SessionClient;
use crate::contract::catalogue::{Circle, Needs};
use crate::contract::codec::JsonBody;
use crate::contract::errors::AppError;
use crate::contract::launch::{Launch, LaunchContext};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// One cart line as the browser sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: String,
    pub quantity: u32,
    pub circle: Option<Circle>,
}

/// Most of one product in one cart line.
pub const MAX_QUANTITY: u32 = 99;
/// Most lines in one cart (the same product for the same circle is one line).
pub const MAX_CART_LINES: usize = 50;

/// Adds one of `product_id` for `circle`: the same product and circle merge into one line,
/// quantities stop at [`MAX_QUANTITY`]. False when a new line would exceed [`MAX_CART_LINES`].
pub fn add_to_cart(lines: &mut Vec<CartLine>, product_id: &str, circle: Option<Circle>) -> bool {
    if let Some(line) = lines.iter_mut().find(|l| l.product_id == product_id && l.circle == circle) {
        line.quantity = (line.quantity + 1).min(MAX_QUANTITY);
    } else if lines.len() >= MAX_CART_LINES {
        return false;
    } else {
        lines.push(CartLine { product_id: product_id.to_string(), quantity: 1, circle });
    }
    true
}

/// Sets line `index` to `quantity` (at most [`MAX_QUANTITY`]); 0 removes the line.
pub fn set_quantity(lines: &mut Vec<CartLine>, index: usize, quantity: u32) {
    if index >= lines.len() {
        return;
    }
    if quantity == 0 {
        lines.remove(index);
    } else {
        lines[index].quantity = quantity.min(MAX_QUANTITY);
    }
}

/// What the launch lacks for something that must be ordered from a property or address.
pub fn unmet_need(needs: Option<Needs>, ctx: &LaunchContext) -> Option<Needs> {
    match needs {
        Some(Needs::Property) if ctx.estate_id.is_none() => Some(Needs::Property),
        Some(Needs::Address) if ctx.address_id.is_none() => Some(Needs::Address),
        _ => None,
    }
}

/// The circles this user can choose: "group" only when the user is in one.
pub fn offered_circles(circles: &[Circle], ctx: &LaunchContext) -> Vec<Circle> {
    circles.iter().copied().filter(|c| *c != Circle::Group || ctx.group_id.is_some()).collect()
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

crate::codes! {
    /// Where an order stands. The only ways it moves are [`OrderStatus::can_become`]'s.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum OrderStatus ("order status") {
        /// Signed and sent to the payment popup; no answer yet.
        Pending = "pending",
        Success = "success",
        /// A SEPA debit: settles (`success`) or bounces (`error`) later.
        Inprocess = "inprocess",
        Error = "error",
        /// Requested through a host without payment (Kolibri24); the provider invoices outside.
        Requested = "requested",
    }
}

impl OrderStatus {
    /// The payment state machine: `pending → success | inprocess | error`,
    /// `inprocess → success | error`; `success` and `error` are final. A `requested` order
    /// takes no payment, so no callback moves it.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!((self, next), (Pending, Success | Inprocess | Error) | (Inprocess, Success | Error))
    }
}

crate::codes! {
    /// How far a contract-fulfilled order got (products with a `oneflow_template`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Fulfilment ("fulfilment") {
        /// Paid or requested; the contract is being created in Oneflow.
        Creating = "creating",
        /// Created and sent to the customer for signature.
        Sent = "sent",
        Signed = "signed",
        Declined = "declined",
    }
}

crate::codes! {
    /// What was ordered: products, or one subscription (onOffice's `abo`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum OrderKind ("order kind") {
        Products = "products",
        #[serde(rename = "abo")]
        Subscription = "abo",
    }
}

/// What the callback view shows. `status` is still `pending` only after a callback without a
/// signature: a payment the browser reported, not confirmed by onOffice (the provider settles
/// it; `payment_reports`). Its transaction id, if it named one, is `reference`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderResult {
    pub order_id: String,
    pub status: OrderStatus,
    pub kind: OrderKind,
    /// Transaction id (products) or subscription id (`aboid`).
    pub reference: Option<String>,
    /// enterprise's message, shown as text (escaped by the view).
    pub message: Option<String>,
    /// A fresh session for refresh/close messages: only for the first view of the signed
    /// callback that moved the order; a replay shows the result without one.
    pub session: Option<Launch>,
}

/// Prices the cart from the catalogue, stores the order (once per idempotency key) and signs it.
#[server(endpoint = "create_order", client = SessionClient, input = JsonBody, output = Postcard)]
pub async fn create_order(request: OrderRequest, idempotency_key: String) -> Result<PlacedOrder, AppError> {
    use crate::server::{clock::now, orders, session::with_session};
    with_session(
        |state, session| async move { orders::place(&state, &session, request, &idempotency_key, now()).await },
    )
    .await
}

/// The result of the payment callback whose query the callback page was loaded with.
#[server(endpoint = "callback_result", client = SessionClient, output = Postcard)]
pub async fn callback_result(query: String) -> Result<OrderResult, AppError> {
    use crate::server::{call::handle, clock::now, hosts::onoffice::payment::callback};
    handle(|state| async move { callback::callback_result(&state, &query, now()).await }).await
}

/// One of the user's own orders, as the storefront lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrder {
    pub id: String,
    pub products: Vec<String>,
    pub total_cents: i64,
    pub status: OrderStatus,
    pub created_at: i64,
    /// For contract-fulfilled orders: how far the contract got.
    pub fulfilment: Option<Fulfilment>,
}

/// Most of the user's orders the storefront lists.
pub const MY_ORDERS: i64 = 20;

/// The session user's newest orders (placed, paid or failed), for "your orders".
#[server(endpoint = "my_orders", client = SessionClient, output = Postcard)]
pub async fn my_orders() -> Result<Vec<MyOrder>, AppError> {
    use crate::server::{orders, session::with_session};
    with_session(|state, session| async move { orders::of_user(&state, &session).await }).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    fn line(id: &str, quantity: u32, circle: Option<Circle>) -> CartLine {
        CartLine { product_id: id.into(), quantity, circle }
    }

    #[test]
    fn the_same_product_and_circle_merge_and_stop_at_the_limit() {
        let mut cart = vec![];
        assert!(add_to_cart(&mut cart, "a", Some(Circle::User)));
        assert!(add_to_cart(&mut cart, "a", Some(Circle::User)));
        assert!(add_to_cart(&mut cart, "a", Some(Circle::Customer)));
        assert_eq!(cart, vec![line("a", 2, Some(Circle::User)), line("a", 1, Some(Circle::Customer))]);
        cart[0].quantity = MAX_QUANTITY;
        assert!(add_to_cart(&mut cart, "a", Some(Circle::User)));
        assert_eq!(cart[0].quantity, MAX_QUANTITY);
    }

    #[test]
    fn a_full_cart_takes_no_new_line_but_still_more_of_a_line() {
        let mut cart: Vec<CartLine> = (0..MAX_CART_LINES).map(|i| line(&format!("p{i}"), 1, None)).collect();
        assert!(!add_to_cart(&mut cart, "new", None));
        assert_eq!(cart.len(), MAX_CART_LINES);
        assert!(add_to_cart(&mut cart, "p0", None));
        assert_eq!(cart[0].quantity, 2);
    }

    #[test]
    fn quantity_zero_removes_and_large_ones_are_capped() {
        let mut cart = vec![line("a", 1, None), line("b", 1, None)];
        set_quantity(&mut cart, 1, 500);
        assert_eq!(cart[1].quantity, MAX_QUANTITY);
        set_quantity(&mut cart, 0, 0);
        assert_eq!(cart, vec![line("b", MAX_QUANTITY, None)]);
        set_quantity(&mut cart, 7, 3);
        assert_eq!(cart.len(), 1);
    }

    #[test]
    fn circles_and_needs_follow_the_launch() {
        let mut ctx = LaunchContext::customer("C".into(), "1".into(), "2".into(), "p".into());
        let all = [Circle::Customer, Circle::Group, Circle::User];
        assert_eq!(offered_circles(&all, &ctx), vec![Circle::Customer, Circle::User]);
        assert_eq!(unmet_need(Some(Needs::Property), &ctx), Some(Needs::Property));
        assert_eq!(unmet_need(Some(Needs::Address), &ctx), Some(Needs::Address));
        ctx.group_id = Some("g".into());
        ctx.estate_id = Some("7".into());
        assert_eq!(offered_circles(&all, &ctx), all.to_vec());
        assert_eq!(unmet_need(Some(Needs::Property), &ctx), None);
        assert_eq!(unmet_need(None, &ctx), None);
    }

    #[test]
    fn only_the_host_path_of_payment_is_allowed() {
        let all = [Pending, Success, Inprocess, Error];
        let allowed: Vec<_> =
            all.iter().flat_map(|a| all.iter().map(move |b| (*a, *b))).filter(|(a, b)| a.can_become(*b)).collect();
        assert_eq!(
            allowed,
            vec![(Pending, Success), (Pending, Inprocess), (Pending, Error), (Inprocess, Success), (Inprocess, Error)]
        );
    }
}
