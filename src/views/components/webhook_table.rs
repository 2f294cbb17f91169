//! The webhook deliveries on the provider's page: status, reason, every attempt, and
//! "retry now" for the ones that failed.

use crate::browser::ui::local_time;
use crate::contract::back_office::webhooks::{
    admin_retry_webhook, AttemptRow, DeliveryStatus, WebhookFilter, WebhookRow,
};
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// One row per delivery, newest first. `changed` runs after a retry was queued (to reload
/// the lists); `lost` when the sign-in was refused.
#[component]
pub fn WebhookTable(
    rows: Vec<WebhookRow>,
    lang: Lang,
    token: StoredValue<String>,
    changed: Callback<()>,
    lost: Callback<()>,
) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let empty = rows.is_empty();
    let body = rows.into_iter().map(|d| view! { <Delivery d lang token changed lost/> }).collect_view();
    view! {
        {empty.then(|| view! { <p id="no-deliveries">{b.no_deliveries}</p> })}
        <table class="orders" id="webhooks">
            <thead><tr>
                <th>{t.time}</th><th>{b.service}</th><th>{t.customer}</th><th>{t.status}</th>
                <th>{t.attempts}</th><th>{t.error}</th>
            </tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

/// Host, service and status; submitting applies, "clear" shows every delivery. It lives
/// outside the list, so what the provider picks survives the list being reloaded.
#[component]
pub fn DeliveryFilter(lang: Lang, apply: Callback<WebhookFilter>) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let host = RwSignal::new(String::new());
    let service = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply.run(WebhookFilter {
            host: Host::from_code(&host.get_untracked()),
            service: service.get_untracked(),
            status: DeliveryStatus::from_code(&status.get_untracked()),
        });
    };
    let hosts = Host::ALL.map(|h| view! { <option value=h.code()>{h.code()}</option> }).into_iter().collect_view();
    let statuses = DeliveryStatus::ALL
        .map(|s| view! { <option value=s.code()>{b.delivery_status(s)}</option> })
        .into_iter()
        .collect_view();
    view! {
        <form id="delivery-filter" class="order-filter" role="search" aria-label=b.filter_deliveries on:submit=submit>
            <label>"Host "
                <select id="delivery-host" prop:value=host on:change=move |ev| host.set(event_target_value(&ev))>
                    <option value="">{b.all_statuses}</option>{hosts}
                </select>
            </label>
            <label>{b.service}" "
                <input id="delivery-service" prop:value=service on:input=move |ev| service.set(event_target_value(&ev))/>
            </label>
            <label>{t.status}" "
                <select id="delivery-status" prop:value=status on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{b.all_statuses}</option>{statuses}
                </select>
            </label>
            <button type="submit" id="delivery-apply">{b.filter}</button>
            <button type="button" id="delivery-clear" on:click=move |_| {
                for field in [host, service, status] {
                    field.set(String::new());
                }
                apply.run(WebhookFilter::default());
            }>{b.clear}</button>
        </form>
    }
}

/// A delivery's row; a failed one has the retry button, and the history unfolds below.
#[component]
fn Delivery(
    d: WebhookRow,
    lang: Lang,
    token: StoredValue<String>,
    changed: Callback<()>,
    lost: Callback<()>,
) -> impl IntoView {
    let b = lang.back_office();
    let problem = RwSignal::new(None::<String>);
    let (id, round) = (StoredValue::new(d.id.clone()), d.retry_round);
    let retry_now = Action::new_local(move |()| {
        problem.set(None);
        let result = admin_retry_webhook(token.get_value(), id.get_value(), round);
        async move {
            match result.await {
                Ok(_) => changed.run(()),
                Err(AppError::Unauthorized | AppError::SessionExpired) => lost.run(()),
                Err(error) => problem.set(Some(error.to_string())),
            }
        }
    });
    let busy = retry_now.pending();
    let retry = move |_| {
        retry_now.dispatch_local(());
    };
    let retried = d.retried_at.map(|at| {
        let who = d.retried_by.clone().unwrap_or_default();
        view! { <p class="retried">{b.retried}" "{local_time(at, lang)}" "{b.by}" "{who}</p> }
    });
    let failed = d.status == DeliveryStatus::Failed;
    view! {
        <tr class="delivery" data-delivery=d.id.clone() data-status=d.status.code() data-round=d.retry_round>
            <td>{local_time(d.received_at, lang)}</td>
            <td>{d.host.code()}" · "{d.service}</td>
            <td>{d.customer_web_id}</td>
            <td class="status">{b.delivery_status(d.status)}</td>
            <td>{d.attempts}</td>
            <td class="error">
                {d.last_error.unwrap_or_default()}
                {failed.then(|| view! {
                    " "<button class="retry" disabled=move || busy.get() on:click=retry>
                        {move || if busy.get() { b.retrying } else { b.retry_now }}
                    </button>
                })}
                {move || problem.get().map(|p| view! { <p class="retry-problem" role="alert">{p}</p> })}
            </td>
        </tr>
        <tr class="history" data-delivery=d.id>
            <td colspan="6">
                <details>
                    <summary>{b.history}" ("{d.history.len()}")"</summary>
                    {retried}
                    <History attempts=d.history lang/>
                </details>
            </td>
        </tr>
    }
}

/// Every attempt, oldest first: when it ended, how, and why.
#[component]
fn History(attempts: Vec<AttemptRow>, lang: Lang) -> impl IntoView {
    let b = lang.back_office();
    if attempts.is_empty() {
        return view! { <p class="no-attempts">{b.no_attempts}</p> }.into_any();
    }
    let items = attempts
        .into_iter()
        .map(|a| {
            let round = (a.retry_round > 0).then(|| format!(" ({} {})", b.round, a.retry_round + 1));
            view! {
                <li class="attempt" data-outcome=a.outcome.code()>
                    {b.attempt}" "{a.attempt}{round}" · "{local_time(a.finished_at, lang)}" · "
                    {b.delivery_status(a.outcome)}
                    {a.error.map(|e| view! { ": "<span class="error">{e}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="attempts">{items}</ol> }.into_any()
}
