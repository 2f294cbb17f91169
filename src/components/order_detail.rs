//! One order opened from the back office's list: its lines, where it came from, and its
//! timeline with every payment callback (refused ones with their reason).

use crate::back_office::{CallbackOutcome, OrderDetail, TimelineEntry};
use crate::catalogue::format_price;
use crate::i18n::Lang;
use crate::ui::local_time;
use leptos::prelude::*;

/// The detail panel; "close" hands back to the list.
#[component]
pub fn OrderDetailView(detail: OrderDetail, lang: Lang, close: Callback<()>) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let row = detail.row;
    let id = row.id.clone();
    let field = |label: &'static str, value: Option<String>| {
        value.filter(|v| !v.is_empty()).map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
    };
    let lines = row.products.into_iter().map(|line| view! { <li>{line}</li> }).collect_view();
    let timeline = detail
        .timeline
        .into_iter()
        .map(|entry| match entry {
            TimelineEntry::Created { at } => view! {
                <li class="event" data-kind="created">{local_time(at, lang)}" · "{b.created}</li>
            }
            .into_any(),
            TimelineEntry::Callback { at, outcome, detail } => view! {
                <li class="event" data-kind="callback" data-outcome=outcome.code()>
                    {local_time(at, lang)}" · "{b.callback}" "<strong>{b.callback_outcome(outcome)}</strong>": "
                    {if outcome == CallbackOutcome::Refused { detail } else { format!("status={detail}") }}
                </li>
            }
            .into_any(),
            TimelineEntry::Status { at, from, to, reference } => view! {
                <li class="event" data-kind="status" data-to=to.code()>
                    {local_time(at, lang)}" · "{b.status_change}": "{t.order_status(from)}" → "{t.order_status(to)}
                    {reference.map(|r| format!(" ({r})"))}
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <section id="order-detail" class="order-detail" data-order=id aria-labelledby="order-detail-title">
            <h3 id="order-detail-title">{t.order_number}" "{row.id}</h3>
            <button type="button" id="order-detail-close" on:click=move |_| close.run(())>{b.close}</button>
            <ul class="lines">{lines}</ul>
            <p>{t.total}": "{format_price(row.total_cents, lang)}" · "{t.status}": "{t.order_status(row.status)}</p>
            <h4>{b.origin}</h4>
            <dl class="origin">
                {field(t.customer, Some(format!("{} ({})", row.customer_name, row.customer_web_id)))}
                {field("Host", Some(row.host.code().to_string()))}
                {field(t.user, Some(row.user_id))}
                {field(b.group, detail.group_id)}
                {field(b.property, detail.estate_id)}
                {field(b.address, detail.address_id)}
                {field(t.transaction, row.reference)}
                {field(t.error, detail.message)}
            </dl>
            <h4>{b.history}</h4>
            <ol class="timeline">{timeline}</ol>
        </section>
    }
}
