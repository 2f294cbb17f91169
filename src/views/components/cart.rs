//! The cart: lines, quantities, total, and the button that starts enterprise's payment.

use crate::browser::checkout::{Checkout, OrderState};
use crate::browser::parent::Frame;
use crate::contract::catalogue::{format_price, Catalogue};
use crate::contract::lang::Lang;
use crate::contract::launch::Launch;
use crate::contract::orders::OrderRequest;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// Progress of the checkout in words; shown where the user clicked. The live region is there
/// from the start and only its words change, which is what screen readers announce.
#[component]
pub fn OrderStatusLine() -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    let checkout = expect_context::<Checkout>();
    let line = move || {
        let (class, text, order) = match checkout.state.get() {
            OrderState::Idle => return None,
            OrderState::Placing => ("notice order-status", t.placing.to_string(), None),
            OrderState::Waiting { order_id } => (
                "notice order-status waiting",
                format!("{} ({} {order_id})", t.waiting, t.order_number),
                Some(order_id),
            ),
            OrderState::Failed(message) => ("notice bad order-status", message, None),
        };
        Some(view! { <p class=class data-order=order>{text}</p> })
    };
    view! { <div class="order-status-region" role="status">{line}</div> }
}

/// Lines with quantity controls, the total, the images the order is for, and "order".
#[component]
pub fn Cart() -> impl IntoView {
    let lang = expect_context::<Lang>();
    let t = lang.texts();
    let checkout = expect_context::<Checkout>();
    let catalogue = expect_context::<Catalogue>();
    let images = expect_context::<Launch>().context.image_ids;
    let framed = matches!(expect_context::<Frame>(), Frame::Host(_));
    let price_of = {
        let catalogue = catalogue.clone();
        move |id: &str| catalogue.product(id).map(|p| p.price_cents).unwrap_or(0)
    };
    let total = {
        let price_of = price_of.clone();
        move || {
            checkout
                .cart
                .with(|lines| lines.iter().map(|l| price_of(&l.product_id) * i64::from(l.quantity)).sum::<i64>())
        }
    };
    let rows = move || {
        let lines = checkout.cart.get();
        lines
            .into_iter()
            .enumerate()
            .map(|(index, line)| {
                let name = catalogue.product(&line.product_id).map(|p| p.name.get(lang).to_string()).unwrap_or_default();
                let circle = line.circle.map(|c| t.circle_label(c)).unwrap_or("");
                let sum = format_price(price_of(&line.product_id) * i64::from(line.quantity), lang);
                let q = line.quantity;
                view! {
                    <tr class="line" data-product=line.product_id.clone()>
                        <td>{name}</td>
                        <td>{circle}</td>
                        <td class="qty">
                            <button class="minus" aria-label=t.one_fewer on:click=move |_| checkout.set_quantity(index, q - 1)>"−"</button>
                            " "<span class="quantity">{q}</span>" "
                            <button class="plus" aria-label=t.one_more on:click=move |_| checkout.set_quantity(index, q + 1)>"+"</button>
                        </td>
                        <td class="sum">{sum}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let order = move |_| checkout.order(OrderRequest::Products { lines: checkout.cart.get_untracked() });
    view! {
        <section class="cart" id="cart">
            <h2>{t.cart}</h2>
            <Show when=move || !checkout.cart.with(Vec::is_empty) fallback=move || view! { <p class="empty">{t.cart_empty}</p> }>
                <table>
                    <thead><tr><th><span class="visually-hidden">{t.product}</span></th><th>{t.circle}</th><th>{t.quantity}</th><th>{t.total}</th></tr></thead>
                    <tbody>{rows.clone()}</tbody>
                </table>
                <p class="total">{t.total}": "<span id="cart-total">{let total = total.clone(); move || format_price(total(), lang)}</span></p>
            </Show>
            {(!images.is_empty()).then(|| view! { <p class="images" id="order-images">{t.for_images}": "{images.join(", ")}</p> })}
            {(!framed).then(|| view! { <p class="notice" id="needs-host">{t.order_needs_host}</p> })}
            <button id="order" class="primary" disabled=move || !framed || checkout.busy() || checkout.cart.with(Vec::is_empty) on:click=order>
                {t.order_now}
            </button>
        </section>
    }
    // Erased here so the shop page's view type stays within the compiler's depth limit.
    .into_any()
}
