//! One product of the catalogue, with its price and the circle of users to buy it for.

use crate::catalogue::{format_price, Circle, Needs, Product};
use crate::i18n::{Lang, Texts};
use crate::launch::{Launch, LaunchContext};
use crate::pages::shop::Checkout;
use leptos::prelude::*;

/// Why the current launch cannot order something that needs a property or an address.
pub fn blocked_reason(needs: Option<Needs>, ctx: &LaunchContext, t: &'static Texts) -> Option<&'static str> {
    match needs {
        Some(Needs::Property) if ctx.estate_id.is_none() => Some(t.needs_property),
        Some(Needs::Address) if ctx.address_id.is_none() => Some(t.needs_address),
        _ => None,
    }
}

pub fn circle_label(circle: Circle, t: &'static Texts) -> &'static str {
    match circle {
        Circle::Customer => t.circle_customer,
        Circle::Group => t.circle_group,
        Circle::User => t.circle_user,
    }
}

/// The circles this user can choose: "group" only when the user is in one.
pub fn offered_circles(circles: &[Circle], ctx: &LaunchContext) -> Vec<Circle> {
    circles.iter().copied().filter(|c| *c != Circle::Group || ctx.group_id.is_some()).collect()
}

/// A choice of circle of users; nothing when the product offers none.
#[component]
pub fn CirclePicker(circles: Vec<Circle>, chosen: RwSignal<Option<Circle>>) -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    (!circles.is_empty()).then(|| {
        let options = circles
            .iter()
            .map(|c| view! { <option value=c.code()>{circle_label(*c, t)}</option> })
            .collect_view();
        let lookup = circles.clone();
        view! {
            <label class="circle">{t.circle}" "
                <select on:change=move |ev| {
                    let code = event_target_value(&ev);
                    chosen.set(lookup.iter().copied().find(|c| c.code() == code));
                }>{options}</select>
            </label>
        }
    })
}

/// Image, name, description, price; "add to cart" unless the launch lacks the needed context.
#[component]
pub fn ProductCard(product: Product) -> impl IntoView {
    let lang = expect_context::<Lang>();
    let t = lang.texts();
    let ctx = expect_context::<Launch>().context;
    let checkout = expect_context::<Checkout>();
    let blocked = blocked_reason(product.needs, &ctx, t);
    let circles = offered_circles(&product.circles, &ctx);
    let chosen = RwSignal::new(circles.first().copied());
    let id = product.id.clone();
    view! {
        <article class="card" data-product=product.id.clone()>
            <img src=format!("/public/{}", product.image) alt="" loading="lazy"/>
            <div class="body">
                <h3>{product.name.get(lang).to_string()}</h3>
                <p>{product.description.get(lang).to_string()}</p>
                <p class="price">{format_price(product.price_cents, lang)}</p>
                <CirclePicker circles chosen/>
                {blocked.map(|m| view! { <p class="blocked" role="note">{m}</p> })}
                <button class="add" disabled=blocked.is_some() on:click=move |_| checkout.add(&id, chosen.get_untracked())>
                    {t.add_to_cart}
                </button>
            </div>
        </article>
    }
}
