//! "Your orders": the user's recent orders with their payment status and, for products
//! fulfilled by contract, how far the contract got.

use crate::browser::ui::load;
use crate::contract::catalogue::format_price;
use crate::contract::lang::Lang;
use crate::contract::orders::my_orders;
use crate::views::components::problem::Problem;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// The user's newest orders; nothing while there are none.
#[component]
pub fn OrderHistory() -> impl IntoView {
    let lang = expect_context::<Lang>();
    let t = lang.texts();
    let orders = load(my_orders());
    move || match orders.get() {
        None => None,
        Some(Err(error)) => Some(view! { <Problem error lang/> }.into_any()),
        Some(Ok(rows)) if rows.is_empty() => None,
        Some(Ok(rows)) => {
            let items = rows
                .into_iter()
                .map(|o| {
                    let contract = o.fulfilment.map(|f| {
                        view! { " · "{t.contract}": "<span class="fulfilment">{t.fulfilment(f)}</span> }
                    });
                    view! {
                        <li class="my-order" data-order=o.id data-status=o.status.code()
                            data-fulfilment=o.fulfilment.map(|f| f.code())>
                            {o.products.join(", ")}" · "{format_price(o.total_cents, lang)}" · "
                            <span class="status">{t.order_status(o.status)}</span>{contract}
                        </li>
                    }
                })
                .collect_view();
            Some(view! { <h2>{t.your_orders}</h2><ul id="my-orders">{items}</ul> }.into_any())
        }
    }
}
