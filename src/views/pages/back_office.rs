//! The provider's back office: a sign-in kept for the tab (see [`crate::contract::back_office`]), then
//! the overview with its chart, the orders (paged), their CSV export and the webhook
//! deliveries with "retry now"; German or English, from the browser and switchable.

use crate::browser::sign_in;
use crate::browser::ui::local_time;
use crate::contract::back_office::orders::{admin_orders, OrderFilter, OrderPage};
use crate::contract::back_office::webhooks::{admin_webhooks, WebhookFilter};
use crate::contract::back_office::{admin_customers, admin_order, admin_overview, admin_sign_in};
use crate::contract::catalogue::format_price;
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::views::components::customer_table::CustomerTable;
use crate::views::components::order_detail::OrderDetailView;
use crate::views::components::order_export::OrderExport;
use crate::views::components::order_filter::{FilterFields, OrderFilterForm};
use crate::views::components::problem::Problem;
use crate::views::components::sales_overview::SalesOverview;
use crate::views::components::webhook_table::{DeliveryFilter, WebhookTable};
use crate::views::i18n::Localised;
use leptos::either::Either;
use leptos::prelude::*;

/// The bar with title, language switch and sign-out, then the sign-in form or the lists.
#[component]
pub fn BackOffice() -> impl IntoView {
    let lang = RwSignal::new(sign_in::stored_lang().unwrap_or_else(crate::browser::ui::browser_lang));
    let credential = RwSignal::new(sign_in::stored_sign_in());
    // Set when a kept sign-in was refused (expired, or the admin token changed).
    let refused = RwSignal::new(false);
    let lost = Callback::new(move |()| {
        sign_in::forget_sign_in();
        refused.set(true);
        credential.set(None);
    });
    let sign_out = move |_| {
        sign_in::forget_sign_in();
        refused.set(false);
        credential.set(None);
    };
    let switch = move |_| {
        let next = if lang.get_untracked() == Lang::De { Lang::En } else { Lang::De };
        sign_in::remember_lang(next);
        lang.set(next);
    };
    Effect::new(move || {
        let code = lang.get().code();
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.set_attribute("lang", code);
        }
    });
    view! {
        <header class="admin-bar">
            <h1>{move || lang.get().back_office().title}</h1>
            <button id="admin-language" on:click=switch>{move || lang.get().back_office().other_language}</button>
            {move || credential.get().map(|_| view! {
                " "<button id="admin-sign-out" on:click=sign_out>{lang.get_untracked().back_office().sign_out}</button>
            })}
        </header>
        {move || {
            let lang = lang.get();
            match credential.get() {
                None => Either::Left(view! { <SignIn lang credential refused/> }),
                Some(token) => Either::Right(view! { <Dashboard lang token lost/> }),
            }
        }}
    }
}

/// The admin-token form. A right token is traded for a sign-in the tab keeps; the token
/// itself is never stored.
#[component]
fn SignIn(lang: Lang, credential: RwSignal<Option<String>>, refused: RwSignal<bool>) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let token = RwSignal::new(String::new());
    let sign_in = Action::new_local(|token: &String| admin_sign_in(token.clone()));
    Effect::new(move || {
        if let Some(Ok(signed_in)) = sign_in.value().get() {
            sign_in::remember_sign_in(&signed_in.token);
            refused.set(false);
            credential.set(Some(signed_in.token));
        }
    });
    let pending = sign_in.pending();
    let problem = move || sign_in.value().get().and_then(Result::err).filter(|_| !pending.get());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch_local(token.get_untracked());
    };
    let explain = move |error: AppError| match error {
        AppError::Unauthorized => Either::Left(b.wrong_token),
        AppError::TooManyRequests { .. } => Either::Left(b.too_many),
        AppError::NotFound => Either::Left(b.not_set_up),
        other => Either::Right(view! { <Problem error=other lang/> }),
    };
    view! {
        {move || refused.get().then(|| view! { <p id="signed-out" role="alert">{b.signed_out}</p> })}
        <form class="admin-login" on:submit=submit>
            <label>{t.admin_token}" "
                <input id="admin-token" type="password" autocomplete="current-password" required
                    on:input=move |ev| token.set(event_target_value(&ev))/>
            </label>
            " "<button type="submit" id="admin-sign-in" disabled=move || pending.get()>{b.sign_in}</button>
        </form>
        {move || pending.get().then(|| view! { <p class="loading" role="status">{t.loading}</p> })}
        {move || problem().map(|error| view! {
            <div class="problem" role="alert" data-problem="sign-in">{explain(error)}</div>
        })}
    }
}

/// Whether an answer says the sign-in is no longer good.
fn refused<T>(answer: &Option<Result<T, AppError>>) -> bool {
    matches!(answer, Some(Err(AppError::Unauthorized | AppError::SessionExpired)))
}

/// The lists behind a sign-in: one resource each, loaded at once and again on "refresh",
/// after a retry or a settled payment, and when the page or a filter changes (a slower
/// answer to an older request never replaces a newer one).
#[component]
fn Dashboard(lang: Lang, token: String, lost: Callback<()>) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    let token = StoredValue::new(token);
    let export_token = RwSignal::new(token.get_value());
    let number = RwSignal::new(0u32);
    let version = RwSignal::new(0u32);
    let reload = move || version.update(|v| *v += 1);
    let filter = RwSignal::new(OrderFilter::default());
    let fields = FilterFields::new();
    let delivery_filter = RwSignal::new(WebhookFilter::default());
    // Minutes east of UTC: the overview's days are the browser's days.
    let offset = -js_sys::Date::new_0().get_timezone_offset() as i32;
    let overview = LocalResource::new(move || {
        version.track();
        admin_overview(token.get_value(), offset)
    });
    let orders = LocalResource::new(move || {
        version.track();
        admin_orders(token.get_value(), number.get(), Some(filter.get()))
    });
    let deliveries = LocalResource::new(move || {
        version.track();
        admin_webhooks(token.get_value(), Some(delivery_filter.get()))
    });
    let customers = LocalResource::new(move || {
        version.track();
        admin_customers(token.get_value())
    });
    Effect::new(move || {
        if refused(&overview.get()) || refused(&orders.get()) || refused(&deliveries.get()) || refused(&customers.get())
        {
            lost.run(());
        }
    });
    let (pending, set_pending) = signal(false);
    let open_order = Action::new_local(move |id: &String| admin_order(token.get_value(), id.clone()));
    let opened = RwSignal::new(None::<Result<_, AppError>>);
    Effect::new(move || {
        let answer = open_order.value().get();
        if refused(&answer) {
            lost.run(());
        } else if answer.is_some() {
            opened.set(answer);
        }
    });
    let open = Callback::new(move |id: String| {
        open_order.dispatch_local(id);
    });
    let close = Callback::new(move |()| opened.set(None));
    let settled = Callback::new(move |answer: Result<_, AppError>| match answer {
        Err(AppError::Unauthorized | AppError::SessionExpired) => lost.run(()),
        answer => {
            opened.set(Some(answer));
            reload();
        }
    });
    let changed = Callback::new(move |()| reload());
    let apply = Callback::new(move |narrowed: OrderFilter| {
        filter.set(narrowed);
        number.set(0);
    });
    let apply_deliveries = Callback::new(move |narrowed: WebhookFilter| delivery_filter.set(narrowed));
    let show_orders = Callback::new(move |customer: String| {
        fields.clear();
        fields.search.set(customer);
        apply.run(fields.filter());
        if let Some(list) =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("order-filter"))
        {
            list.scroll_into_view();
        }
    });
    let filtered = move || filter.with(|f| !f.is_empty());
    let show = move |page: u32| number.set(page);
    view! {
        <p class="admin-actions">
            <button id="admin-refresh" disabled=move || pending.get() on:click=move |_| reload()>
                {b.refresh}
            </button>
        </p>
        {move || pending.get().then(|| view! { <p class="loading" role="status">{t.loading}</p> })}
        <Transition fallback=|| () set_pending>
            {move || overview.get().map(|answer| match answer {
                Ok(overview) => Either::Left(view! { <SalesOverview overview lang/> }),
                Err(error) => Either::Right(view! { <Problem error lang/> }),
            })}
        </Transition>
        <h2>{t.orders}</h2>
        <OrderFilterForm lang fields apply/>
        <Transition fallback=|| ()>
            {move || orders.get().map(|answer| match answer {
                Ok(page) => Either::Left(view! { <OrderTable page lang show open filtered=filtered()/> }),
                // A filter that cannot be right (a range that ends before it starts) says why.
                Err(AppError::BadRequest { message }) => Either::Right(Either::Left(view! {
                    <p class="problem" id="filter-problem" role="alert">{message}</p>
                })),
                Err(error) => Either::Right(Either::Right(view! { <Problem error lang/> })),
            })}
        </Transition>
        {move || opened.get().map(|answer| match answer {
            Ok(detail) => Either::Left(view! { <OrderDetailView detail lang close token settled/> }),
            Err(error) => Either::Right(view! { <Problem error lang/> }),
        })}
        <OrderExport token=export_token lang/>
        <Transition fallback=|| ()>
            {move || customers.get().map(|answer| match answer {
                Ok(rows) => Either::Left(view! { <CustomerTable rows lang show_orders/> }),
                Err(error) => Either::Right(view! { <Problem error lang/> }),
            })}
        </Transition>
        <h2>{t.webhooks}</h2>
        <DeliveryFilter lang apply=apply_deliveries/>
        <Transition fallback=|| ()>
            {move || deliveries.get().map(|answer| match answer {
                Ok(rows) => Either::Left(view! { <WebhookTable rows lang token changed lost/> }),
                Err(error) => Either::Right(view! { <Problem error lang/> }),
            })}
        </Transition>
    }
}

/// One page of orders with "newer"/"older" buttons; each row opens its details.
#[component]
fn OrderTable(
    page: OrderPage,
    lang: Lang,
    show: impl Fn(u32) + Copy + 'static,
    open: Callback<String>,
    filtered: bool,
) -> impl IntoView {
    let (t, b) = (lang.texts(), lang.back_office());
    if page.rows.is_empty() && page.page == 0 {
        return Either::Left(view! { <p id="no-orders">{if filtered { b.no_match } else { t.no_orders }}</p> });
    }
    let (number, more) = (page.page, page.more);
    let body = page
        .rows
        .into_iter()
        .map(|o| {
            let status = o.status.code();
            let id = o.id.clone();
            view! {
                <tr class="order" data-order=o.id.clone() data-status=status>
                    <td>{local_time(o.created_at, lang)}</td>
                    <td>{o.customer_name}" ("{o.host.code()}" "{o.customer_web_id}")"</td>
                    <td>{o.user_id}</td>
                    <td>{o.products.join(", ")}</td>
                    <td>{format_price(o.total_cents, lang)}</td>
                    <td class="status">{t.order_status(o.status)}</td>
                    <td class="fulfilment" data-fulfilment=o.fulfilment.map(|f| f.code())>
                        {o.fulfilment.map(|f| t.fulfilment(f))}
                    </td>
                    <td>{o.reference.unwrap_or_default()}</td>
                    <td><button type="button" class="open-order" on:click=move |_| open.run(id.clone())>{b.details}</button></td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="orders" id="orders">
            <thead><tr><th>{t.time}</th><th>{t.customer}</th><th>{t.user}</th><th>{t.products}</th><th>{t.total}</th><th>{t.status}</th><th>{t.contract}</th><th>{t.transaction}</th><th><span class="visually-hidden">{b.actions}</span></th></tr></thead>
            <tbody>{body}</tbody>
        </table>
        <nav class="pages" aria-label=t.orders>
            <button id="newer" disabled=number == 0 on:click=move |_| show(number.saturating_sub(1))>{t.newer}</button>
            " "{number + 1}" "
            <button id="older" disabled=!more on:click=move |_| show(number + 1)>{t.older}</button>
        </nav>
    })
}
