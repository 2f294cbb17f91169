//! Small helpers every page and component uses: the query as the browser has it, one-shot
//! loading of a server function's answer, work put off until the first screen is painted, the
//! "loading" notice, and times in the browser's zone.

use crate::contract::lang::Lang;
use futures::FutureExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::time::Duration;

/// The attribute of `<html>` the server names the service's path prefix in (absent at the
/// root).
pub const BASE_ATTRIBUTE: &str = "data-base";

/// The path the service is served under, without a trailing `/`: `""` at the host's root,
/// e.g. `/mp/shop` for a service registered as `https://host/mp/shop/`.
pub fn base_path() -> String {
    let html = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    html.and_then(|h| h.get_attribute(BASE_ATTRIBUTE)).unwrap_or_default()
}

/// `path` (from `/`) below the service's path prefix.
pub fn at_base(path: &str) -> String {
    format!("{}{path}", base_path())
}

/// The query string exactly as it is in the address bar, without the `?`.
pub fn raw_query() -> String {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    search.strip_prefix('?').unwrap_or(&search).to_string()
}

/// Runs `future` once; the signal is `None` until it has finished. It is polled once at
/// once, so an answer already there (the launch the page asked before the app started) is in
/// the first build, without a "loading" view and a rebuild.
pub fn load<T, F>(future: F) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let mut future = Box::pin(future);
    if let Some(value) = untrack(|| future.as_mut().now_or_never()) {
        return signal(Some(value)).0;
    }
    let (result, set_result) = signal(None);
    spawn_local(async move { set_result.set(Some(future.await)) });
    result
}

/// [`load`], started once the first screen is painted ([`after_paint`]): for what sits beside
/// it, so making and sending its request does not hold up the products' first paint.
pub fn load_later<T, F>(start: impl FnOnce() -> F + 'static) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let (result, set_result) = signal(None);
    after_paint(move || spawn_local(async move { set_result.set(Some(start().await)) }));
    result
}

/// How long a frame that gets no animation frames (a hidden tab) waits before [`after_paint`]
/// runs its work anyway.
const HIDDEN_FRAME_WAIT: Duration = Duration::from_millis(200);

/// Runs `work` after the browser has painted what is built now. A task queued with a plain
/// timeout runs before the next frame (measured: two such tasks put the products' first paint
/// ~50 ms after they were built); an animation-frame callback runs just before the frame is
/// rendered, and a timeout it queues runs after the frame was painted. A hidden frame gets no
/// animation frames, so a timeout runs the work after [`HIDDEN_FRAME_WAIT`] instead; whichever
/// comes first runs it, once.
pub fn after_paint(work: impl FnOnce() + 'static) {
    let work = std::rc::Rc::new(std::cell::Cell::new(Some(work)));
    let run = move || {
        if let Some(work) = work.take() {
            work();
        }
    };
    let after_frame = run.clone();
    request_animation_frame(move || set_timeout(after_frame, Duration::ZERO));
    set_timeout(run, HIDDEN_FRAME_WAIT);
}

/// "Loading" in the page's language, announced to screen readers.
pub fn loading(text: &'static str) -> AnyView {
    view! { <p class="loading" role="status" aria-busy="true">{text}</p> }.into_any()
}

/// A Unix time in the browser's zone, written the language's way.
pub fn local_time(unix: i64, lang: crate::contract::lang::Lang) -> String {
    let when = js_sys::Date::new(&((unix as f64) * 1000.0).into());
    String::from(when.to_locale_string(lang.code(), &js_sys::Object::new()))
}

/// For pages opened without `UserLanguage` (activation, back office, widget): the browser's language.
pub fn browser_lang() -> Lang {
    let language = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
    if language.starts_with("de") || language.is_empty() {
        Lang::De
    } else {
        Lang::En
    }
}
