//! The back office's order filter: status, a date range and a search text.

use crate::contract::back_office::orders::OrderFilter;
use crate::contract::lang::Lang;
use crate::contract::orders::OrderStatus;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// The filter's fields, kept by the page so other views (a customer's "orders" button) can
/// fill them.
#[derive(Clone, Copy)]
pub struct FilterFields {
    pub status: RwSignal<String>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub search: RwSignal<String>,
}

impl FilterFields {
    pub fn new() -> Self {
        FilterFields {
            status: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
        }
    }

    pub fn clear(self) {
        for field in [self.status, self.from, self.to, self.search] {
            field.set(String::new());
        }
    }

    /// The filter the fields describe, in the browser's time zone.
    pub fn filter(self) -> OrderFilter {
        OrderFilter {
            status: OrderStatus::from_code(&self.status.get_untracked()),
            search: self.search.get_untracked(),
            from: self.from.get_untracked(),
            to: self.to.get_untracked(),
            // Minutes east of UTC: the dates are the browser's days.
            offset: -js_sys::Date::new_0().get_timezone_offset() as i32,
        }
    }
}

impl Default for FilterFields {
    fn default() -> Self {
        Self::new()
    }
}

/// Applies on submit (Enter in any field works); "clear" shows every order again.
#[component]
pub fn OrderFilterForm(lang: Lang, fields: FilterFields, apply: Callback<OrderFilter>) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let FilterFields { status, from, to, search } = fields;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply.run(fields.filter());
    };
    let clear = move |_| {
        fields.clear();
        apply.run(OrderFilter::default());
    };
    let options = OrderStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.code()>{t.order_status(s)}</option> })
        .collect_view();
    view! {
        <form id="order-filter" class="order-filter" role="search" aria-label=b.filter_orders on:submit=submit>
            <label>{t.status}" "
                <select id="filter-status" prop:value=status on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{b.all_statuses}</option>
                    {options}
                </select>
            </label>
            <label>{t.export_from}" "
                <input id="filter-from" type="date" prop:value=from on:input=move |ev| from.set(event_target_value(&ev))/>
            </label>
            <label>{t.export_to}" "
                <input id="filter-to" type="date" prop:value=to on:input=move |ev| to.set(event_target_value(&ev))/>
            </label>
            <label>{b.search}" "
                <input id="filter-search" type="search" prop:value=search on:input=move |ev| search.set(event_target_value(&ev))/>
            </label>
            <button type="submit" id="filter-apply">{b.filter}</button>
            <button type="button" id="filter-clear" on:click=clear>{b.clear}</button>
        </form>
    }
}
