//! marktstand: a service provider's storefront inside onOffice enterprise.
//! The browser part is a Leptos app (feature `csr`); the server part (feature `ssr`) verifies
//! launches, signs messages and orders, and stores them.

pub mod browser;
pub mod contract;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

/// Entry point of the browser bundle. No panic hook: the bundle is built to abort at once on
/// a panic (scripts/build), so a hook would never run; the app's failures are values.
#[cfg(feature = "csr")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // Server functions are called below the service's path prefix, where it is served.
    let base = browser::ui::base_path();
    if !base.is_empty() {
        leptos::server_fn::client::set_server_url(Box::leak(base.into_boxed_str()));
    }
    // While the page's launch request is on its way nothing is rendered (the page says it is
    // opening the service if that takes a while): with its answer kept, the shop is then built
    // once, in the task that takes it, instead of a loading view first and a second layout
    // between (BENCHMARKS.md).
    match browser::client::pending_launch() {
        Some(answer) => wasm_bindgen_futures::spawn_local(async move {
            // A failed early request is asked again by the launch itself (src/browser/client.rs).
            if let Ok(value) = wasm_bindgen_futures::JsFuture::from(answer).await {
                browser::client::keep_early_answer(&value);
            }
            mount();
        }),
        None => mount(),
    }
}

#[cfg(feature = "csr")]
fn mount() {
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    leptos::mount::mount_to_body(views::app::App);
}
