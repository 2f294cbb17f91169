//! One order opened from the back office's list: its lines, where it came from, its timeline
//! with every payment callback (refused ones with their reason), and a payment the browser
//! reported without a signature, for the provider to confirm or cancel.

use crate::browser::ui::local_time;
use crate::contract::back_office::{
    admin_settle_reported, CallbackOutcome, OrderDetail, ReportedPayment, TimelineEntry,
};
use crate::contract::catalogue::format_price;
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// The detail panel; "close" hands back to the list, `settled` takes the order as it stands
/// after the provider settled a reported payment.
#[component]
pub fn OrderDetailView(
    detail: OrderDetail,
    lang: Lang,
    close: Callback<()>,
    token: StoredValue<String>,
    settled: Callback<Result<OrderDetail, AppError>>,
) -> impl IntoView {
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
                    {match outcome {
                        CallbackOutcome::Refused => detail,
                        CallbackOutcome::Confirmed | CallbackOutcome::Cancelled => format!("{} {detail}", b.by),
                        _ => format!("status={detail}"),
                    }}
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
    let reported = detail.reported.map(|r| view! { <Reported reported=r id=id.clone() lang token settled/> });
    view! {
        <section id="order-detail" class="order-detail" data-order=id aria-labelledby="order-detail-title">
            <h3 id="order-detail-title">{t.order_number}" "{row.id}</h3>
            <button type="button" id="order-detail-close" on:click=move |_| close.run(())>{b.close}</button>
            <ul class="lines">{lines}</ul>
            <p>{t.total}": "{format_price(row.total_cents, lang)}" · "{t.status}": "{t.order_status(row.status)}</p>
            {reported}
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

/// What the browser reported, with "confirm" and "cancel".
#[component]
fn Reported(
    reported: ReportedPayment,
    id: String,
    lang: Lang,
    token: StoredValue<String>,
    settled: Callback<Result<OrderDetail, AppError>>,
) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let id = StoredValue::new(id);
    let settle = Action::new_local(move |confirm: &bool| {
        let answer = admin_settle_reported(token.get_value(), id.get_value(), *confirm);
        async move { settled.run(answer.await) }
    });
    let busy = settle.pending();
    let reference = reported.reference.map(|r| format!(" ({t_transaction} {r})", t_transaction = t.transaction));
    view! {
        <div class="notice reported" id="reported-payment" data-status=reported.status.code()>
            <strong>{b.reported_title}</strong>
            <p>{local_time(reported.at, lang)}": "{t.order_status(reported.status)}{reference}</p>
            <p>{b.reported_body}</p>
            <button type="button" id="confirm-payment" disabled=move || busy.get() on:click=move |_| { settle.dispatch_local(true); }>
                {b.confirm_payment}
            </button>
            " "
            <button type="button" id="cancel-payment" disabled=move || busy.get() on:click=move |_| { settle.dispatch_local(false); }>
                {b.cancel_payment}
            </button>
        </div>
    }
}
