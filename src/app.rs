//! The root component: picks the page by path. Every page is entered by a full load
//! (enterprise loads the service, the payment callback and the admin page by URL), so a
//! client-side router would only add weight to the bundle.

use crate::components::problem::Problem;
use crate::errors::AppError;
use crate::i18n::Lang;
use crate::launch::{verify_launch, Launch};
#[cfg(feature = "back-office")]
use crate::pages::{activation::Activation, admin::Admin};
use crate::pages::{callback::Callback, shop::Shop};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// Set when a later call finds the session gone: the whole app then asks to reopen.
#[derive(Clone, Copy)]
pub struct Fatal(pub RwSignal<Option<AppError>>);

impl Fatal {
    /// Records session errors; returns the error for the caller's own message otherwise.
    pub fn check(self, err: AppError) -> AppError {
        if matches!(err, AppError::SessionExpired | AppError::Unauthorized) {
            self.0.set(Some(err.clone()));
        }
        err
    }
}

/// The query string exactly as it is in the address bar, without the `?`.
pub fn raw_query() -> String {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    search.strip_prefix('?').unwrap_or(&search).to_string()
}

/// Runs `future` once; the signal is `None` until it has finished.
pub fn load<T, F>(future: F) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let (result, set_result) = signal(None);
    spawn_local(async move { set_result.set(Some(future.await)) });
    result
}

/// "Loading" in the page's language, announced to screen readers.
pub fn loading(text: &'static str) -> AnyView {
    view! { <p class="loading" role="status" aria-busy="true">{text}</p> }.into_any()
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(Fatal(RwSignal::new(None)));
    let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
    let page = match path.as_str() {
        "/" | "/index.html" => view! { <LaunchPage/> }.into_any(),
        "/orders/callback" => view! { <Callback/> }.into_any(),
        #[cfg(feature = "back-office")]
        "/admin" => view! { <Admin/> }.into_any(),
        #[cfg(feature = "back-office")]
        "/activate" => view! { <Activation/> }.into_any(),
        _ => view! { <Problem error=AppError::NotFound lang=Lang::default()/> }.into_any(),
    };
    view! { <main class="app">{page}</main> }
}

/// Verifies the launch, then shows the storefront or the reason it cannot open.
#[component]
fn LaunchPage() -> impl IntoView {
    let query = raw_query();
    let hint = Lang::from_raw_query(&query);
    let launched = load(verify_launch(query));
    move || match launched.get() {
        None => loading(hint.texts().opening),
        Some(Ok(launch)) => view! { <Session launch><Shop/></Session> }.into_any(),
        Some(Err(error)) => view! { <Problem error lang=hint/> }.into_any(),
    }
}

/// Holds a verified session: its token for later calls, its language and context for the
/// views inside; replaces them with the "reopen" explanation once the session is gone.
#[component]
pub fn Session(launch: Launch, children: ChildrenFn) -> impl IntoView {
    let fatal = expect_context::<Fatal>();
    let lang = Lang::from_user_language(launch.context.user_language.as_deref());
    crate::client::set_token(Some(launch.token.clone()));
    provide_context(crate::messaging::detect_frame(&launch.allowed_origins));
    provide_context(lang);
    provide_context(launch);
    move || match fatal.0.get() {
        Some(error) => Either::Left(view! { <Problem error lang/> }),
        None => Either::Right(children()),
    }
}
