//! The provider's page: orders (paged), their CSV export and webhook deliveries, behind the admin token
//! (kept in memory only, like sessions).

use crate::catalogue::format_price;
use crate::components::order_export::OrderExport;
use crate::components::problem::Problem;
use crate::i18n::Lang;
use crate::orders::{admin_orders, OrderPage};
use crate::webhooks::{admin_webhooks, WebhookRow};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A token form, then the orders newest first, a page at a time, and the webhook deliveries.
#[component]
pub fn Admin() -> impl IntoView {
    let lang = Lang::from_browser();
    let t = lang.texts();
    let token = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let result = RwSignal::new(None);
    let deliveries = RwSignal::new(None);
    let show = move |page: u32| {
        pending.set(true);
        spawn_local(async move {
            let token = token.get_untracked();
            result.set(Some(admin_orders(token.clone(), page).await));
            deliveries.set(admin_webhooks(token).await.ok());
            pending.set(false);
        });
    };
    view! {
        <h1>{t.orders}</h1>
        <form class="admin-login" on:submit=move |ev| {
            ev.prevent_default();
            show(0);
        }>
            <label>{t.admin_token}" "
                <input id="admin-token" type="password" autocomplete="off" on:input=move |ev| token.set(event_target_value(&ev))/>
            </label>
            " "<button type="submit" id="admin-show">{t.show}</button>
        </form>
        {move || pending.get().then(|| view! { <p class="loading">{t.loading}</p> })}
        {move || result.get().map(|result| match result {
            Ok(page) => Either::Left(view! { <OrderTable page lang show/><OrderExport token lang/> }),
            Err(error) => Either::Right(view! { <Problem error lang/> }),
        })}
        {move || deliveries.get().map(|rows| view! { <WebhookTable rows lang/> })}
    }
}

fn local_time(unix: i64, lang: Lang) -> String {
    let when = js_sys::Date::new(&((unix as f64) * 1000.0).into());
    String::from(when.to_locale_string(lang.code(), &js_sys::Object::new()))
}

/// Webhook deliveries with their status and, for failures, the reason.
#[component]
fn WebhookTable(rows: Vec<WebhookRow>, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    let body = rows
        .into_iter()
        .map(|d| {
            let status = d.status.code();
            view! {
                <tr class="delivery" data-delivery=d.id.clone() data-status=status>
                    <td>{local_time(d.received_at, lang)}</td>
                    <td>{d.host.code()}" · "{d.service}</td>
                    <td>{d.customer_web_id}</td>
                    <td class="status">{status}</td>
                    <td>{d.attempts}</td>
                    <td class="error">{d.last_error.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t.webhooks}</h2>
        <table class="orders" id="webhooks">
            <thead><tr><th>{t.time}</th><th>"Service"</th><th>{t.customer}</th><th>{t.status}</th><th>{t.attempts}</th><th>{t.error}</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

/// One page of orders with "newer"/"older" buttons.
#[component]
fn OrderTable(page: OrderPage, lang: Lang, show: impl Fn(u32) + Copy + 'static) -> impl IntoView {
    let t = lang.texts();
    if page.rows.is_empty() && page.page == 0 {
        return Either::Left(view! { <p id="no-orders">{t.no_orders}</p> });
    }
    let (number, more) = (page.page, page.more);
    let body = page
        .rows
        .into_iter()
        .map(|o| {
            let status = o.status.code();
            view! {
                <tr class="order" data-order=o.id.clone() data-status=status>
                    <td>{local_time(o.created_at, lang)}</td>
                    <td>{o.customer_name}" ("{o.host.code()}" "{o.customer_web_id}")"</td>
                    <td>{o.user_id}</td>
                    <td>{o.products.join(", ")}</td>
                    <td>{format_price(o.total_cents, lang)}</td>
                    <td class="status">{status}</td>
                    <td class="fulfilment" data-fulfilment=o.fulfilment.map(|f| f.code())>
                        {o.fulfilment.map(|f| t.fulfilment(f))}
                    </td>
                    <td>{o.reference.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="orders" id="orders">
            <thead><tr><th>{t.time}</th><th>{t.customer}</th><th>{t.user}</th><th>{t.products}</th><th>{t.total}</th><th>{t.status}</th><th>{t.contract}</th><th>{t.transaction}</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
        <nav class="pages">
            <button id="newer" disabled=number == 0 on:click=move |_| show(number.saturating_sub(1))>{t.newer}</button>
            " "{number + 1}" "
            <button id="older" disabled=!more on:click=move |_| show(number + 1)>{t.older}</button>
        </nav>
    })
}
