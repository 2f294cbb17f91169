//! The storefront page: catalogue, cart, subscriptions, and the checkout through
//! enterprise's payment popup.

use crate::app::{load, loading, Fatal};
use crate::catalogue::{load_catalogue, Catalogue, Circle};
use crate::components::cart::{Cart, OrderStatusLine};
use crate::components::context_bar::ContextBar;
use crate::components::host_actions::HostActions;
use crate::components::problem::Problem;
use crate::components::product_card::ProductCard;
use crate::components::property_panel::PropertyPanel;
use crate::components::subscription_card::SubscriptionCard;
use crate::i18n::Lang;
use crate::messaging::{post_to_parent, Frame};
use crate::orders::{create_order, CartLine, OrderRequest};
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
    fn busy(&self) -> bool {
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

impl Checkout {
    fn new() -> Self {
        Checkout { cart: RwSignal::new(vec![]), state: RwSignal::new(OrderState::Idle), key: RwSignal::new(None) }
    }

    pub fn add(self, product_id: &str, circle: Option<Circle>) {
        self.key.set(None);
        self.cart.update(|lines| match lines.iter_mut().find(|l| l.product_id == product_id && l.circle == circle) {
            Some(line) => line.quantity = (line.quantity + 1).min(99),
            None => lines.push(CartLine { product_id: product_id.to_string(), quantity: 1, circle }),
        });
    }

    pub fn set_quantity(self, index: usize, quantity: u32) {
        self.key.set(None);
        self.cart.update(|lines| {
            if quantity == 0 {
                lines.remove(index);
            } else if let Some(line) = lines.get_mut(index) {
                line.quantity = quantity.min(99);
            }
        });
    }

    pub fn busy(self) -> bool {
        self.state.with(OrderState::busy)
    }

    /// Creates the order on the server and posts it to enterprise, once.
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

fn new_key() -> String {
    format!("{:x}{:x}", (js_sys::Math::random() * 1e15) as u64, js_sys::Date::now() as u64)
}

/// The verified context, the host actions, and the catalogue once loaded.
#[component]
pub fn Shop() -> impl IntoView {
    let lang = expect_context::<Lang>();
    let fatal = expect_context::<Fatal>();
    provide_context(Checkout::new());
    let loaded = load(load_catalogue());
    let shelves = move || match loaded.get() {
        None => loading(lang.texts().loading),
        Some(Ok(catalogue)) => view! { <Shelves catalogue/> }.into_any(),
        Some(Err(error)) => view! { <Problem error=fatal.check(error) lang/> }.into_any(),
    };
    view! {
        <ContextBar/>
        <PropertyPanel/>
        <HostActions/>
        {shelves}
    }
}

#[component]
fn Shelves(catalogue: Catalogue) -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    provide_context(catalogue.clone());
    let products = catalogue.products.into_iter().map(|product| view! { <ProductCard product/> }).collect_view();
    let subscriptions = catalogue
        .subscriptions
        .into_iter()
        .map(|subscription| view! { <SubscriptionCard subscription/> })
        .collect_view();
    view! {
        <div class="checkout-status"><OrderStatusLine/></div>
        <h2>{t.products}</h2>
        <section class="products">{products}</section>
        <Cart/>
        <h2>{t.subscriptions}</h2>
        <section class="products">{subscriptions}</section>
    }
}
