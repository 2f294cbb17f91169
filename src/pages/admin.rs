//! The provider's order list, behind the admin token (kept in memory only, like sessions).

use crate::catalogue::format_price;
use crate::components::problem::Problem;
use crate::i18n::Lang;
use crate::orders::{admin_orders, OrderRow};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A token form, then the orders newest first.
#[component]
pub fn Admin() -> impl IntoView {
    let lang = web_sys::window()
        .and_then(|w| w.navigator().language())
        .map(|l| if l.starts_with("de") { Lang::De } else { Lang::En })
        .unwrap_or_default();
    let t = lang.texts();
    let token = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let result = RwSignal::new(None);
    let show = move || {
        pending.set(true);
        spawn_local(async move {
            result.set(Some(admin_orders(token.get_untracked()).await));
            pending.set(false);
        });
    };
    view! {
        <h1>{t.orders}</h1>
        <form class="admin-login" on:submit=move |ev| {
            ev.prevent_default();
            show();
        }>
            <label>{t.admin_token}" "
                <input id="admin-token" type="password" autocomplete="off" on:input=move |ev| token.set(event_target_value(&ev))/>
            </label>
            " "<button type="submit" id="admin-show">{t.show}</button>
        </form>
        {move || pending.get().then(|| view! { <p class="loading">{t.loading}</p> })}
        {move || result.get().map(|result| match result {
            Ok(rows) => Either::Left(view! { <OrderTable rows lang/> }),
            Err(error) => Either::Right(view! { <Problem error lang/> }),
        })}
    }
}

#[component]
fn OrderTable(rows: Vec<OrderRow>, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    if rows.is_empty() {
        return Either::Left(view! { <p id="no-orders">{t.no_orders}</p> });
    }
    let body = rows
        .into_iter()
        .map(|o| {
            let status = o.status.clone();
            let when = js_sys::Date::new(&((o.created_at as f64) * 1000.0).into());
            view! {
                <tr class="order" data-order=o.id.clone() data-status=status>
                    <td>{String::from(when.to_locale_string(lang.code(), &js_sys::Object::new()))}</td>
                    <td>{o.customer_name}" ("{o.customer_web_id}")"</td>
                    <td>{o.user_id}</td>
                    <td>{o.products.join(", ")}</td>
                    <td>{format_price(o.total_cents, lang)}</td>
                    <td class="status">{o.status}</td>
                    <td>{o.reference.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="orders" id="orders">
            <thead><tr><th>{t.time}</th><th>{t.customer}</th><th>{t.user}</th><th>{t.products}</th><th>{t.total}</th><th>{t.status}</th><th>{t.transaction}</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    })
}
