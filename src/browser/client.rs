//! The server-function client: every call after the launch carries the session token in an
//! `Authorization` header. The token lives only in this module's memory: no cookie, no storage,
//! so the storefront works in Safari's third-party iframe and dies with the tab.
//!
//! The launch itself may already be answered: the page's inline bootstrap starts
//! `POST /api/launch` while the app downloads and reads the whole answer
//! (`window.__launch`: status, status text, redirect header, body). The app waits for it
//! before it mounts (src/lib.rs) and keeps it here, so the launch call takes it at once:
//! no browser `Request` is made for it, and the shop is built in the app's first pass.

use futures::{Sink, Stream};
use http::Method;
use leptos::server_fn::client::{browser::BrowserClient, Client};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::request::browser::{BrowserFormData, BrowserRequest};
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::response::browser::BrowserResponse;
use leptos::server_fn::response::ClientRes;
use leptos::server_fn::{Bytes, ServerFn};
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::future::Future;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static EARLY: RefCell<Option<EarlyAnswer>> = const { RefCell::new(None) };
}

/// Remembers the session token the launch returned.
pub fn set_token(token: Option<String>) {
    TOKEN.with(|t| *t.borrow_mut() = token);
}

fn bearer() -> Option<String> {
    TOKEN.with(|t| t.borrow().as_ref().map(|t| format!("Bearer {t}")))
}

/// The bootstrap's launch request, if the page made one: the app mounts once it is answered.
pub fn pending_launch() -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str("__launch")).ok()?.dyn_into::<js_sys::Promise>().ok()
}

/// Keeps the answer the bootstrap's launch request got (`value`, as its promise resolved) for
/// the launch call to take.
pub fn keep_early_answer(value: &JsValue) {
    EARLY.with(|early| *early.borrow_mut() = EarlyAnswer::read(value));
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

/// A request as server functions make it. One with a binary body (the launch's, the
/// postcard calls') becomes a browser `Request` only when it is sent, so the launch the page
/// has already asked makes none.
pub enum SessionRequest {
    Made(BrowserRequest),
    Bytes { path: String, content_type: String, accepts: String, body: Bytes, method: Method },
}

impl<E: FromServerFnError> ClientReq<E> for SessionRequest {
    type FormData = BrowserFormData;

    fn try_new_req_query(
        path: &str,
        content_type: &str,
        accepts: &str,
        query: &str,
        method: Method,
    ) -> Result<Self, E> {
        BrowserRequest::try_new_req_query(path, content_type, accepts, query, method).map(Self::Made)
    }

    fn try_new_req_text(
        path: &str,
        content_type: &str,
        accepts: &str,
        body: String,
        method: Method,
    ) -> Result<Self, E> {
        BrowserRequest::try_new_req_text(path, content_type, accepts, body, method).map(Self::Made)
    }

    fn try_new_req_bytes(
        path: &str,
        content_type: &str,
        accepts: &str,
        body: Bytes,
        method: Method,
    ) -> Result<Self, E> {
        Ok(Self::Bytes { path: path.into(), content_type: content_type.into(), accepts: accepts.into(), body, method })
    }

    fn try_new_req_form_data(
        path: &str,
        accepts: &str,
        content_type: &str,
        body: BrowserFormData,
        method: Method,
    ) -> Result<Self, E> {
        BrowserRequest::try_new_req_form_data(path, accepts, content_type, body, method).map(Self::Made)
    }

    fn try_new_req_multipart(path: &str, accepts: &str, body: BrowserFormData, method: Method) -> Result<Self, E> {
        BrowserRequest::try_new_req_multipart(path, accepts, body, method).map(Self::Made)
    }

    fn try_new_req_streaming(
        path: &str,
        accepts: &str,
        content_type: &str,
        body: impl Stream<Item = Bytes> + Send + 'static,
        method: Method,
    ) -> Result<Self, E> {
        BrowserRequest::try_new_req_streaming(path, accepts, content_type, body, method).map(Self::Made)
    }
}

impl SessionRequest {
    /// The browser `Request`, made now if it was not yet.
    fn make<E: FromServerFnError>(self) -> Result<BrowserRequest, E> {
        match self {
            Self::Made(req) => Ok(req),
            Self::Bytes { path, content_type, accepts, body, method } => {
                BrowserRequest::try_new_req_bytes(&path, &content_type, &accepts, body, method)
            }
        }
    }

    /// The launch's call (its body is binary, so it is never made at once: the e2e test
    /// that counts the launch's requests holds that it stays so).
    fn is_launch(&self) -> bool {
        matches!(self, Self::Bytes { path, .. } if path == <crate::contract::launch::VerifyLaunch as ServerFn>::PATH)
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
    type Request = SessionRequest;
    type Response = AppResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        // The bootstrap's answer if it got one (after a network failure: ask again), taken
        // in the first poll, so a launch already answered is read in the same task.
        let early = if req.is_launch() { EARLY.with(|early| early.borrow_mut().take()) } else { None };
        SendWrapper::new(async move {
            if let Some(answer) = early {
                return Ok(AppResponse::Early(answer));
            }
            let req = req.make::<E>()?;
            if let Some(value) = bearer() {
                req.headers().append("Authorization", &value);
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
