//! The server-function client: every call after the launch carries the session token in an
//! `Authorization` header. The token lives only in this module's memory: no cookie, no storage,
//! so the storefront works in Safari's third-party iframe and dies with the tab.
//!
//! The launch itself may already be under way: the page's inline bootstrap starts
//! `POST /api/launch` while the app downloads (`window.__launch`), and the launch call takes
//! that answer instead of asking again.

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

/// The answer the bootstrap's launch request got, taken once.
fn early_launch() -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let key = JsValue::from_str("__launch");
    let promise = js_sys::Reflect::get(&window, &key).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    Some(promise)
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
                if let Ok(response) = JsFuture::from(promise).await {
                    return Ok(AppResponse::Early(SendWrapper::new(response.unchecked_into())));
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
    Early(SendWrapper<web_sys::Response>),
}

fn js_error<E: FromServerFnError>(value: JsValue) -> E {
    E::from_server_fn_error(ServerFnErrorErr::Deserialization(format!("{value:?}")))
}

impl<E: FromServerFnError> ClientRes<E> for AppResponse {
    fn try_into_string(self) -> impl Future<Output = Result<String, E>> + Send {
        SendWrapper::new(async move {
            match self {
                AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::try_into_string(r).await,
                AppResponse::Early(r) => {
                    let text = JsFuture::from(r.text().map_err(js_error::<E>)?).await.map_err(js_error::<E>)?;
                    Ok(text.as_string().unwrap_or_default())
                }
            }
        })
    }

    fn try_into_bytes(self) -> impl Future<Output = Result<Bytes, E>> + Send {
        SendWrapper::new(async move {
            match self {
                AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::try_into_bytes(r).await,
                AppResponse::Early(r) => {
                    let buffer =
                        JsFuture::from(r.array_buffer().map_err(js_error::<E>)?).await.map_err(js_error::<E>)?;
                    Ok(Bytes::from(js_sys::Uint8Array::new(&buffer).to_vec()))
                }
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
            AppResponse::Early(r) => r.status(),
        }
    }

    fn status_text(&self) -> String {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::status_text(r),
            AppResponse::Early(r) => r.status_text(),
        }
    }

    fn location(&self) -> String {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::location(r),
            AppResponse::Early(r) => r.headers().get("Location").ok().flatten().unwrap_or_else(|| r.url()),
        }
    }

    fn has_redirect(&self) -> bool {
        match self {
            AppResponse::Browser(r) => <BrowserResponse as ClientRes<E>>::has_redirect(r),
            AppResponse::Early(r) => {
                r.headers().get(leptos::server_fn::redirect::REDIRECT_HEADER).ok().flatten().is_some()
            }
        }
    }
}
