//! The activated customers in the back office: when they activated, whether their stored API
//! credentials still work (as the storefront's last read with them showed), their orders.

use crate::browser::ui::local_time;
use crate::contract::back_office::CustomerRow;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// One row per customer; "show orders" narrows the order list to them.
#[component]
pub fn CustomerTable(rows: Vec<CustomerRow>, lang: Lang, show_orders: Callback<String>) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    if rows.is_empty() {
        return view! { <h2>{b.customers}</h2><p id="no-customers">{b.no_customers}</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|c| {
            let (api, words) = match (&c.api_checked_at, &c.api_error) {
                (None, _) => ("unknown", b.api_unused.to_string()),
                (Some(at), None) => ("ok", format!("{} ({})", b.api_works, local_time(*at, lang))),
                (Some(at), Some(error)) => ("refused", format!("{} ({}): {error}", b.api_refused, local_time(*at, lang))),
            };
            let (id, key) = (c.customer_web_id.clone(), c.customer_web_id.clone());
            view! {
                <tr class="customer" data-customer=key data-api=api>
                    <td>{c.name.unwrap_or_default()}" ("{c.customer_web_id}")"</td>
                    <td>{local_time(c.activated_at, lang)}</td>
                    <td class="api">{words}</td>
                    <td class="count">{c.orders}</td>
                    <td><button type="button" class="customer-orders" on:click=move |_| show_orders.run(id.clone())>{b.show_orders}</button></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{b.customers}</h2>
        <table class="orders" id="customers">
            <thead><tr><th>{t.customer}</th><th>{b.activated}</th><th>{b.api_access}</th><th>{t.orders}</th><th><span class="visually-hidden">{b.actions}</span></th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
    .into_any()
}
