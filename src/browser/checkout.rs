//! The checkout as the storefront holds it: the cart, where the order stands, and the
//! idempotency key of the cart. Shared by the product cards, the cart and the shop page;
//! the rules themselves (merging, limits, circles) are plain functions in [`crate::contract::orders`].

use crate::browser::parent::{post_to_parent, Frame};
use crate::browser::session::Fatal;
use crate::contract::catalogue::Circle;
use crate::contract::lang::Lang;
use crate::contract::orders::{self, create_order, CartLine, OrderRequest};
use crate::views::i18n::Localised;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Where the checkout stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderState {
    Idle,
    Placing,
    Waiting { order_id: String },
    Failed(String),
}

impl OrderState {
    /// An order is being created or awaits payment: no second one may start.
    pub fn busy(&self) -> bool {
        matches!(self, OrderState::Placing | OrderState::Waiting { .. })
    }
}

/// The cart and the checkout, shared by the cards and the cart view.
#[derive(Clone, Copy)]
pub struct Checkout {
    pub cart: RwSignal<Vec<CartLine>>,
    pub state: RwSignal<OrderState>,
    /// One key per cart: a double click or a retry of the same cart makes one order.
    key: RwSignal<Option<String>>,
}

impl Default for Checkout {
    fn default() -> Self {
        Checkout { cart: RwSignal::new(vec![]), state: RwSignal::new(OrderState::Idle), key: RwSignal::new(None) }
    }
}

impl Checkout {
    /// Adds one of `product_id` for `circle`; false when the cart is full.
    pub fn add(self, product_id: &str, circle: Option<Circle>) -> bool {
        self.key.set(None);
        let mut added = false;
        self.cart.update(|lines| added = orders::add_to_cart(lines, product_id, circle));
        added
    }

    pub fn set_quantity(self, index: usize, quantity: u32) {
        self.key.set(None);
        self.cart.update(|lines| orders::set_quantity(lines, index, quantity));
    }

    pub fn busy(self) -> bool {
        self.state.with(OrderState::busy)
    }

    /// Creates the order on the server and posts it to the host, once.
    pub fn order(self, request: OrderRequest) {
        if self.state.with_untracked(OrderState::busy) {
            return;
        }
        let Frame::Host(origin) = expect_context::<Frame>() else { return };
        let fatal = expect_context::<Fatal>();
        let t = expect_context::<Lang>().texts();
        let key = self.key.get_untracked().unwrap_or_else(new_key);
        self.key.set(Some(key.clone()));
        self.state.set(OrderState::Placing);
        spawn_local(async move {
            match create_order(request, key).await {
                Ok(placed) if post_to_parent(&origin, &placed.message) => {
                    self.state.set(OrderState::Waiting { order_id: placed.order_id })
                }
                Ok(_) => self.state.set(OrderState::Failed(t.no_parent.to_string())),
                Err(err) => {
                    let err = fatal.check(err);
                    self.state.set(OrderState::Failed(format!("{}: {err}", t.order_failed)));
                }
            }
        });
    }
}

/// A fresh idempotency key for a new cart.
fn new_key() -> String {
    format!("{:x}{:x}", (js_sys::Math::random() * 1e15) as u64, js_sys::Date::now() as u64)
}
