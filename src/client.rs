//! The server-function client: every call after the launch carries the session token in an
//! `Authorization` header. The token lives only in this module's memory: no cookie, no storage,
//! so the storefront works in Safari's third-party iframe and dies with the tab.
//!
//! The launch itself may already be answered: the page's inline bootstrap starts
//! `POST /api/launch` while the app downloads and reads the whole answer
//! (`window.__launch`: status, status text, redirect header, body), and the launch call takes
//! that answer instead of asking again. Read in full before the app starts, it is taken
//! within the app's first task, so the shop is built without a "loading" frame between.

use futures::{Sink, Stream};
use leptos::server_fn::client::{browser::BrowserClient, Client};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;
use leptos::server_fn::response::ClientRes;
use leptos::server_fn::Bytes;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::future::Future;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the session token the launch returned.
pub fn set_token(token: Option<String>) {
    TOKEN.with(|t| *t.borrow_mut() = token);
}

fn bearer() -> Option<String> {
    TOKEN.with(|t| t.borrow().as_ref().map(|t| format!("Bearer {t}")))
}

/// The bootstrap's launch request, if the page made one; left for the launch to take.
pub fn pending_launch() -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str("__launch")).ok()?.dyn_into::<js_sys::Promise>().ok()
}

/// The answer the bootstrap's launch request got, taken once.
fn early_launch() -> Option<js_sys::Promise> {
    let promise = pending_launch()?;
    let window: js_sys::Object = web_sys::window()?.into();
    let _ = js_sys::Reflect::delete_property(&window, &JsValue::from_str("__launch"));
    Some(promise)
}

/// The bootstrap's answer as it read it: `{status, statusText, redirect, location, body}`.
pub struct EarlyAnswer {
    status: u16,
    status_text: String,
    redirect: bool,
    location: String,
    body: Vec<u8>,
}

impl EarlyAnswer {
    fn read(value: &JsValue) -> Option<Self> {
        let field = |name: &str| js_sys::Reflect::get(value, &JsValue::from_str(name)).ok();
        let body = field("body")?.dyn_into::<js_sys::ArrayBuffer>().ok()?;
        Some(EarlyAnswer {
            status: field("status")?.as_f64()? as u16,
            status_text: field("statusText").and_then(|v| v.as_string()).unwrap_or_default(),
            redirect: field("redirect").is_some_and(|v| v.as_string().is_some()),
            location: field("location").and_then(|v| v.as_string()).unwrap_or_default(),
            body: js_sys::Uint8Array::new(&body).to_vec(),
        })
    }
}

/// [`BrowserClient`] plus the `Authorization` header and the early launch answer.
pub struct SessionClient;

impl<E, IS, OS> Client<E, IS, OS> for SessionClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = AppResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        if let Some(value) = bearer() {
            req.headers().append("Authorization", &value);
        }
        let early = if req.url().ends_with("/api/launch") { early_launch() } else { None };
        SendWrapper::new(async move {
            if let Some(promise) = early {
                // A network failure of the early request: ask again below.
                if let Some(answer) = JsFuture::from(promise).await.ok().as_ref().and_then(EarlyAnswer::read) {
                    return Ok(AppResponse::Early(answer));
                }
            }
            <BrowserClient as Client<E, IS, OS>>::send(req).await.map(AppResponse::Browser)
        })
    }

    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl Stream<Item = Result<leptos::server_fn::Bytes, leptos::server_fn::Bytes>> + Send + 'static,
                impl Sink<leptos::server_fn::Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

/// A fetched answer, or the one the bootstrap's launch request got.
pub enum AppResponse {
    Browser(BrowserResponse),
    Early(EarlyAnswer),
}

impl<E: FromServerFnError> ClientRes<E> for AppResponse {
    fn try_into_string(self) -> impl Future<Output = Result<String, E>> + Send {
        SendWrapper::new(async move {
            match self {
                AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::try_into_string(r).await,
                AppResponse::Early(r) => String::from_utf8(r.body)
                    .map_err(|e| E::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string()))),
            }
        })
    }

    fn try_into_bytes(self) -> impl Future<Output = Result<Bytes, E>> + Send {
        SendWrapper::new(async move {
            match self {
                AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::try_into_bytes(r).await,
                AppResponse::Early(r) => Ok(Bytes::from(r.body)),
            }
        })
    }

    fn try_into_stream(self) -> Result<impl Stream<Item = Result<Bytes, Bytes>> + Send + 'static, E> {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::try_into_stream(r),
            AppResponse::Early(_) => Err(E::from_server_fn_error(ServerFnErrorErr::Deserialization(
                "the launch answer is not a stream".into(),
            ))),
        }
    }

    fn status(&self) -> u16 {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::status(r),
            AppResponse::Early(r) => r.status,
        }
    }

    fn status_text(&self) -> String {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::status_text(r),
            AppResponse::Early(r) => r.status_text.clone(),
        }
    }

    fn location(&self) -> String {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::location(r),
            AppResponse::Early(r) => r.location.clone(),
        }
    }

    fn has_redirect(&self) -> bool {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::has_redirect(r),
            AppResponse::Early(r) => r.redirect,
        }
    }
}
