//! The storefront page: catalogue, cart, subscriptions, and the checkout through
//! enterprise's payment popup.

use crate::browser::checkout::Checkout;
use crate::browser::session::Fatal;
use crate::browser::ui::{after_paint, load, loading};
use crate::contract::catalogue::{load_catalogue, Catalogue};
use crate::contract::lang::Lang;
use crate::views::components::cart::{Cart, OrderStatusLine};
use crate::views::components::context_bar::ContextBar;
use crate::views::components::host_actions::HostActions;
use crate::views::components::order_history::OrderHistory;
use crate::views::components::problem::Problem;
use crate::views::components::product_card::ProductCard;
use crate::views::components::property_panel::PropertyPanel;
use crate::views::components::subscription_card::SubscriptionCard;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// The verified context, the host actions, and the catalogue: the one the launch brought,
/// else loaded.
#[component]
pub fn Shop(catalogue: Option<Catalogue>) -> impl IntoView {
    let lang = expect_context::<Lang>();
    let fatal = expect_context::<Fatal>();
    provide_context(Checkout::default());
    let loaded = match catalogue {
        Some(catalogue) => signal(Some(Ok(catalogue))).0,
        None => load(load_catalogue()),
    };
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

/// The products first; the cart, the subscriptions and the order history once they are
/// painted ([`after_paint`]), so the products are on screen one build and one layout sooner
/// (what an agent opened the shop for; everything deferred sits below them, so nothing moves).
#[component]
fn Shelves(catalogue: Catalogue) -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    provide_context(catalogue.clone());
    let products = catalogue.products.into_iter().map(|product| view! { <ProductCard product/> }).collect_view();
    let below = RwSignal::new(false);
    after_paint(move || below.set(true));
    let subscriptions = catalogue.subscriptions;
    let rest = move || {
        below.get().then(|| {
            let subscriptions = subscriptions
                .clone()
                .into_iter()
                .map(|subscription| view! { <SubscriptionCard subscription/> })
                .collect_view();
            view! {
                <Cart/>
                <h2>{t.subscriptions}</h2>
                <section class="products">{subscriptions}</section>
                <OrderHistory/>
            }
        })
    };
    view! {
        <div class="checkout-status"><OrderStatusLine/></div>
        <h2>{t.products}</h2>
        <section class="products">{products}</section>
        {rest}
    }
}
