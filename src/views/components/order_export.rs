//! The accounting export on the provider's page: a date range, downloaded as CSV.

use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Two dates (this month so far by default) and a button that downloads the orders of that
/// range as CSV in the page's language; a refusal is shown beside the button.
#[component]
pub fn OrderExport(token: RwSignal<String>, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    let (first, today) = this_month();
    let from = RwSignal::new(first);
    let to = RwSignal::new(today);
    let export = Action::new_local(move |form: &[(&'static str, String); 3]| {
        let form = form.clone();
        async move { fetch_csv(&form, lang).await.err() }
    });
    let busy = export.pending();
    let problem = move || export.value().get().flatten().filter(|_| !busy.get());
    let download = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        export.dispatch_local([
            ("token", token.get_untracked()),
            ("from", from.get_untracked()),
            ("to", to.get_untracked()),
        ]);
    };
    view! {
        <form id="export" class="admin-export" on:submit=download>
            <h2>{t.export_title}</h2>
            <label>{t.export_from}" "
                <input id="export-from" type="date" required prop:value=from on:input=move |ev| from.set(event_target_value(&ev))/>
            </label>
            " "
            <label>{t.export_to}" "
                <input id="export-to" type="date" required prop:value=to on:input=move |ev| to.set(event_target_value(&ev))/>
            </label>
            " "
            <button type="submit" id="export-download" disabled=move || busy.get()>
                {move || if busy.get() { t.loading } else { t.export_download }}
            </button>
            {move || problem().map(|m| view! { <p class="error" id="export-problem" role="alert">{m}</p> })}
        </form>
    }
}

/// The first of this month and today, as `YYYY-MM-DD` in the browser's time zone.
fn this_month() -> (String, String) {
    let now = js_sys::Date::new_0();
    let (y, m, d) = (now.get_full_year(), now.get_month() + 1, now.get_date());
    (format!("{y:04}-{m:02}-01"), format!("{y:04}-{m:02}-{d:02}"))
}

/// Posts the form to `/admin/orders.csv` and saves the answer under the server's file name.
async fn fetch_csv(form: &[(&str, String)], lang: Lang) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let body = web_sys::UrlSearchParams::new().map_err(js_text)?;
    for (name, value) in form {
        body.append(name, value);
    }
    // Minutes east of UTC (JavaScript counts the other way).
    let offset = -js_sys::Date::new_0().get_timezone_offset() as i32;
    body.append("offset", &offset.to_string());
    body.append("lang", lang.code());
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(&crate::browser::ui::at_base("/admin/orders.csv"), &init))
            .await
            .map_err(js_text)?
            .unchecked_into();
    if !response.ok() {
        let text = JsFuture::from(response.text().map_err(js_text)?).await.map_err(js_text)?;
        let text = text.as_string().unwrap_or_default();
        return Err(crate::contract::codec::from_json::<AppError>(text.as_bytes())
            .map(|e| e.to_string())
            .unwrap_or(text));
    }
    let name = response
        .headers()
        .get("content-disposition")
        .ok()
        .flatten()
        .and_then(|d| d.split("filename=\"").nth(1).map(|n| n.trim_end_matches('"').to_string()))
        .unwrap_or_else(|| "orders.csv".into());
    let blob: web_sys::Blob =
        JsFuture::from(response.blob().map_err(js_text)?).await.map_err(js_text)?.unchecked_into();
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_text)?;
    let document = window.document().ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").map_err(js_text)?.unchecked_into();
    link.set_href(&url);
    link.set_download(&name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

fn js_text(value: JsValue) -> String {
    value.as_string().or_else(|| js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string())).unwrap_or_default()
}
