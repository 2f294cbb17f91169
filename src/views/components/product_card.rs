//! One product of the catalogue, with its price and the circle of users to buy it for.

use crate::browser::checkout::Checkout;
use crate::contract::catalogue::{format_price, Product};
use crate::contract::lang::Lang;
use crate::contract::launch::Launch;
use crate::contract::orders::{offered_circles, unmet_need};
use crate::views::components::circle_picker::CirclePicker;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// Image, name, description, price; "add to cart" unless the launch lacks the needed context.
#[component]
pub fn ProductCard(product: Product) -> impl IntoView {
    let lang = expect_context::<Lang>();
    let t = lang.texts();
    let ctx = expect_context::<Launch>().context;
    let checkout = expect_context::<Checkout>();
    let blocked = unmet_need(product.needs, &ctx).map(|n| t.unmet_need(n));
    let circles = offered_circles(&product.circles, &ctx);
    let chosen = RwSignal::new(circles.first().copied());
    let full = RwSignal::new(false);
    let id = product.id.clone();
    view! {
        <article class="card" data-product=product.id.clone()>
            <img src=crate::browser::ui::at_base(&format!("/public/{}", product.image)) alt="" loading="lazy"/>
            <div class="body">
                <h3>{product.name.get(lang).to_string()}</h3>
                <p>{product.description.get(lang).to_string()}</p>
                <p class="price">{format_price(product.price_cents, lang)}</p>
                <CirclePicker circles chosen/>
                {blocked.map(|m| view! { <p class="blocked" role="note">{m}</p> })}
                <button class="add" disabled=blocked.is_some() on:click=move |_| full.set(!checkout.add(&id, chosen.get_untracked()))>
                    {t.add_to_cart}
                </button>
                {move || full.get().then(|| view! { <p class="notice bad cart-full" role="alert">{t.cart_full}</p> })}
            </div>
        </article>
    }
}
