//! The one server-function call being answered: the server's state, the two things a
//! function reads from the request (its `Authorization` header and the client's address),
//! and the HTTP status its error stands for.
//!
//! Held in a task-local for the length of the call rather than in a Leptos reactive owner
//! with contexts, as Leptos' axum integration does: none of our server functions is
//! reactive, and the owner, its contexts and the copy of the request head it keeps cost a
//! launch more than verifying its signature (BENCHMARKS.md).

use crate::contract::errors::AppError;
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use leptos::server_fn::ServerFn;
use std::cell::Cell;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

tokio::task_local! {
    static CALL: Call;
}

struct Call {
    state: AppState,
    authorization: Option<HeaderValue>,
    client: IpAddr,
    /// Set by [`fail`]: the status the function's error stands for.
    status: Cell<Option<StatusCode>>,
}

/// Answers `req` with the server function registered for its path.
pub async fn serve(state: AppState, req: Request<Body>) -> Response {
    answer(state, req, leptos::server_fn::axum::handle_server_fn).await
}

/// Answers a launch, the call every session starts with, straight with its server function:
/// the registry's lookup by path, its boxed service and middleware list were ~2 % of a launch.
/// The same code the registry would run (`run_on_server`); `verify_launch` declares no
/// server_fn middleware, which this route would otherwise have to apply itself.
pub async fn serve_launch(state: AppState, req: Request<Body>) -> Response {
    answer(state, req, <crate::contract::launch::VerifyLaunch as ServerFn>::run_on_server).await
}

/// Runs `run` on `req` inside the call's task-local.
async fn answer<F, Fut>(state: AppState, req: Request<Body>, run: F) -> Response
where
    F: FnOnce(Request<Body>) -> Fut,
    Fut: Future<Output = Response>,
{
    let call = Call {
        state,
        authorization: req.headers().get(header::AUTHORIZATION).cloned(),
        client: req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        status: Cell::new(None),
    };
    let (mut res, status) = CALL
        .scope(call, async {
            let res = run(req).await;
            (res, CALL.with(|c| c.status.get()))
        })
        .await;
    if let Some(status) = status {
        *res.status_mut() = status;
    }
    // Answers carry session tokens and customers' data: no cache keeps them.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The server's state, inside a call.
pub fn state() -> Result<AppState, AppError> {
    CALL.try_with(|c| c.state.clone()).map_err(|_| AppError::Internal)
}

/// The call's `Authorization` header, if it has one.
pub fn authorization() -> Option<HeaderValue> {
    CALL.try_with(|c| c.authorization.clone()).ok().flatten()
}

/// The address of the call's client (unspecified outside a call).
pub fn client() -> IpAddr {
    CALL.try_with(|c| c.client).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Makes the call answer with the status `err` stands for (server functions answer 500
/// otherwise), and passes `err` on.
pub fn fail(err: AppError) -> AppError {
    let _ = CALL.try_with(|c| c.status.set(Some(err.status_code())));
    err
}

/// Runs the body of a server function with the state; an error sets the HTTP status it
/// stands for (server functions answer 500 otherwise).
pub async fn handle<T, F, Fut>(body: F) -> Result<T, AppError>
where
    F: FnOnce(AppState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = match state() {
        Ok(state) => body(state).await,
        Err(err) => Err(err),
    };
    result.map_err(fail)
}
