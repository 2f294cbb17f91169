//! The Kolibri24 widget (`/kolibri24/widget`): the server checked the call and wrote a
//! session into the page; this lists the products that can be requested for the entity
//! and the agency's earlier requests.

use crate::browser::client::set_token;
use crate::browser::ui::{load, loading};
use crate::contract::catalogue::{format_price, load_catalogue, Catalogue, Circle, Product};
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::contract::widget::{entity_requests, open_widget, request_product, RequestRow, SESSION_META};
use crate::views::components::problem::Problem;
use crate::views::i18n::Localised;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The session token the server wrote into this page.
fn page_token() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector(&format!("meta[name=\"{SESSION_META}\"]")).ok()??;
    meta.get_attribute("content").filter(|t| !t.is_empty())
}

/// Loads the context and catalogue, then the widget; or why it cannot open.
#[component]
pub fn WidgetPage() -> impl IntoView {
    let lang = crate::browser::ui::browser_lang();
    set_token(page_token());
    let opened = load(async move {
        open_widget().await?;
        load_catalogue().await
    });
    move || match opened.get() {
        None => loading(lang.texts().opening),
        Some(Ok(catalogue)) => view! { <Widget catalogue lang/> }.into_any(),
        Some(Err(error)) => view! { <Problem error lang/> }.into_any(),
    }
}

/// Products for the entity with a "request" button each, and the requests made so far.
#[component]
fn Widget(catalogue: Catalogue, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    let requests = RwSignal::new(None::<Result<Vec<RequestRow>, AppError>>);
    let refresh = move || spawn_local(async move { requests.set(Some(entity_requests().await)) });
    refresh();
    // Products sold per user or group cannot be requested for a whole agency.
    let offered: Vec<Product> = catalogue
        .products
        .iter()
        .filter(|p| p.circles.is_empty() || p.circles.contains(&Circle::Customer))
        .cloned()
        .collect();
    let names = StoredValue::new(catalogue.clone());
    let cards =
        offered.into_iter().map(|p| view! { <RequestCard product=p lang on_requested=refresh/> }).collect_view();
    let list = move || match requests.get() {
        None => loading(t.opening),
        Some(Err(error)) => view! { <Problem error lang/> }.into_any(),
        Some(Ok(rows)) if rows.is_empty() => view! { <p id="no-requests">{t.no_requests}</p> }.into_any(),
        Some(Ok(rows)) => {
            let items = rows
                .into_iter()
                .map(|r| {
                    let name = names.with_value(|c| c.product(&r.product_id).map(|p| p.name.get(lang).to_string()));
                    view! {
                        <li class="request" data-order=r.order_id data-status=r.status.code()
                            data-fulfilment=r.fulfilment.map(|f| f.code())>
                            {name.unwrap_or(r.product_id)}" · "{format_price(r.total_cents, lang)}
                            {r.fulfilment.map(|f| view! { " · "{t.contract}": "<span class="fulfilment">{t.fulfilment(f)}</span> })}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul id="requests">{items}</ul> }.into_any()
        }
    };
    view! {
        <section class="widget">
            <h1>{t.widget_title}</h1>
            <p class="notice">{t.widget_invoice}</p>
            <div class="products">{cards}</div>
            <h2>{t.your_requests}</h2>
            {list}
        </section>
    }
}

/// One product with its price and a button that requests it once.
#[component]
fn RequestCard(product: Product, lang: Lang, on_requested: impl Fn() + Copy + 'static) -> impl IntoView {
    let t = lang.texts();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<AppError>);
    // One key per request: a double click or a retry is the same request; after it went
    // through, the next click is a new one.
    let id = product.id.clone();
    let fresh_key = {
        let id = id.clone();
        move || format!("{id}-{}", js_sys::Date::now() as u64)
    };
    let key = RwSignal::new(fresh_key());
    let request = move |_| {
        let (id, fresh_key) = (id.clone(), fresh_key.clone());
        busy.set(true);
        spawn_local(async move {
            match request_product(id, key.get_untracked()).await {
                Ok(_) => {
                    key.set(fresh_key());
                    on_requested()
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <article class="product" data-product=product.id.clone()>
            <h2>{product.name.get(lang).to_string()}</h2>
            <p>{product.description.get(lang).to_string()}</p>
            <p class="price">{format_price(product.price_cents, lang)}</p>
            <button class="request" disabled=move || busy.get() on:click=request>
                {move || if busy.get() { t.requesting } else { t.request }}
            </button>
            {move || failed.get().map(|error| view! { <Problem error lang/> })}
        </article>
    }
}
