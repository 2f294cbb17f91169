//! The root component: picks the page by path. Every page is entered by a full load
//! (enterprise loads the service, the payment callback and the admin page by URL), so a
//! client-side router would only add weight to the bundle.

use crate::browser::session::Fatal;
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::views::components::problem::Problem;
#[cfg(feature = "widget")]
use crate::views::pages::widget::WidgetPage;
#[cfg(feature = "back-office")]
use crate::views::pages::{activation::Activation, back_office::BackOffice};
use crate::views::pages::{callback::Callback, launch::LaunchPage};
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    provide_context(Fatal(RwSignal::new(None)));
    let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
    // Below the service's path prefix, if it has one (a service registered under a path).
    let path = match path.strip_prefix(crate::browser::ui::base_path().as_str()) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path.as_str(),
    };
    let page = match path {
        "/" | "/index.html" => view! { <LaunchPage/> }.into_any(),
        "/orders/callback" => view! { <Callback/> }.into_any(),
        #[cfg(feature = "widget")]
        "/kolibri24/widget" => view! { <WidgetPage/> }.into_any(),
        #[cfg(feature = "back-office")]
        "/admin" => view! { <BackOffice/> }.into_any(),
        #[cfg(feature = "back-office")]
        "/activate" => view! { <Activation/> }.into_any(),
        _ => view! { <Problem error=AppError::NotFound lang=Lang::default()/> }.into_any(),
    };
    view! { <main class="app">{page}</main> }
}
