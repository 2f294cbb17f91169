//! A subscription (`abo`): term, notice period, renewal and monthly cost, ordered on its own.

use crate::browser::checkout::Checkout;
use crate::browser::parent::Frame;
use crate::contract::catalogue::{format_price, Subscription};
use crate::contract::lang::Lang;
use crate::contract::launch::Launch;
use crate::contract::orders::{offered_circles, unmet_need, OrderRequest};
use crate::views::components::circle_picker::CirclePicker;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// The subscription's terms and a "subscribe" button that starts the payment at once.
#[component]
pub fn SubscriptionCard(subscription: Subscription) -> impl IntoView {
    let lang = expect_context::<Lang>();
    let t = lang.texts();
    let ctx = expect_context::<Launch>().context;
    let checkout = expect_context::<Checkout>();
    let framed = matches!(expect_context::<Frame>(), Frame::Host(_));
    let blocked = unmet_need(subscription.needs, &ctx).map(|n| t.unmet_need(n));
    let circles = offered_circles(&subscription.circles, &ctx);
    let chosen = RwSignal::new(circles.first().copied());
    let id = subscription.id.clone();
    let subscribe =
        move |_| checkout.order(OrderRequest::Subscription { id: id.clone(), circle: chosen.get_untracked() });
    view! {
        <article class="card subscription" data-subscription=subscription.id.clone()>
            <img src=crate::browser::ui::at_base(&format!("/public/{}", subscription.image)) alt="" loading="lazy"/>
            <div class="body">
                <h3>{subscription.name.get(lang).to_string()}</h3>
                <p>{subscription.description.get(lang).to_string()}</p>
                <p class="price">{format_price(subscription.monthly_cents, lang)}" "{t.per_month}</p>
                <dl class="terms">
                    <dt>{t.duration}</dt><dd>{subscription.duration_months}" "{t.months}</dd>
                    <dt>{t.notice_period}</dt><dd>{subscription.notice_period.get(lang).to_string()}</dd>
                    <dt>{t.renewal}</dt><dd>{subscription.automatic_renewal.get(lang).to_string()}</dd>
                </dl>
                <CirclePicker circles chosen/>
                {blocked.map(|m| view! { <p class="blocked" role="note">{m}</p> })}
                <button class="primary subscribe" disabled=move || blocked.is_some() || !framed || checkout.busy() on:click=subscribe>
                    {t.subscribe}
                </button>
            </div>
        </article>
    }
}
