//! The HTTP surface: server functions, the built app, health, with security headers on all.

use crate::server::shell::Shell;
use crate::server::{headers, AppState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_http::LatencyUnit;

/// Answers made per request go uncompressed up to this size: three packets, inside the first
/// round trip, so compressing them would save no time, only bytes. Above it, brotli quality 4,
/// the usual level for such answers: at brotli's default (11), each 1.7 KB launch answer cost
/// more than verifying it (a browser's launches: 17k/s against 56k/s uncompressed; BENCHMARKS.md).
pub const COMPRESS_ABOVE: u16 = 4096;

/// Server functions take a cart of at most 50 lines or a pasted key: 16 KiB is ample.
const SERVER_FN_BODY_LIMIT: usize = 16 * 1024;

/// The router below the service's path prefix (`Config::base_path`): a request under it is
/// answered as if at the root (the service URL itself, also one naming a file, is the
/// storefront's page); anything else is routed as it is, so health checks and a proxy that
/// strips the prefix keep working.
pub fn router(state: AppState, shell: Shell) -> Router {
    let (base, page) = (state.config.base_path().to_string(), state.config.public_url.path().to_string());
    let app = routes(state, shell);
    if base.is_empty() && page == "/" {
        return app;
    }
    // Shared by every request, not copied for each.
    let prefix: std::sync::Arc<(String, String)> = std::sync::Arc::new((base, page));
    Router::new().fallback_service(app).layer(axum::middleware::map_request(move |mut request: Request<Body>| {
        let prefix = prefix.clone();
        async move {
            if let Some(path) = below(&prefix.0, &prefix.1, request.uri().path()) {
                let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
                if let Ok(uri) = format!("{path}{query}").parse() {
                    *request.uri_mut() = uri;
                }
            }
            request
        }
    }))
}

/// `path` as the routes know it, for a request path under `base` (None: not under it).
fn below(base: &str, page: &str, path: &str) -> Option<String> {
    if path == page || path == base {
        return Some("/".into());
    }
    let rest = path.strip_prefix(base)?;
    rest.starts_with('/').then(|| rest.to_string())
}

fn routes(state: AppState, shell: Shell) -> Router {
    // Shared, not copied: axum clones a route's handler and layers for every request, and
    // three HTML pages cloned each time cost more than verifying a launch.
    let shell = std::sync::Arc::new(shell);
    // `scripts/build` writes `.br` (quality 11) and `.gz` beside each asset once, so nothing is
    // compressed per request at a low level.
    let assets = ServeDir::new(&state.config.site_root).precompressed_br().precompressed_gzip();
    let csp = shell.csp.clone();
    let hsts = state.config.is_https();
    let fallback_shell = shell.clone();
    let callback_shell = shell.clone();
    // The provider's pages and the activation iframe: one bundle, one shell.
    let back_office = get({
        let shell = shell.clone();
        move |request: HeaderMap| async move { shell.back_office.respond(&request) }
    });
    Router::new()
        .route("/api/{*fn_name}", post(server_fn).layer(RequestBodyLimitLayer::new(SERVER_FN_BODY_LIMIT)))
        // The launch's own route, the same path its server function has (see `call::serve_launch`).
        .route(
            <crate::contract::launch::VerifyLaunch as leptos::server_fn::ServerFn>::PATH,
            post(launch).layer(RequestBodyLimitLayer::new(SERVER_FN_BODY_LIMIT)),
        )
        // Alive: the process answers. Ready: the database answers with the expected schema.
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::server::metrics::scrape))
        .route("/orders/callback", get(payment_callback))
        // Each host's widget and webhook routes, with their own body limits.
        .merge(crate::server::hosts::routes())
        .route("/admin", {
            let shell = shell.clone();
            get(move |request: HeaderMap| async move {
                let mut res = shell.back_office.respond(&request);
                res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, shell.admin_csp.clone());
                res.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
                res
            })
        })
        // Accounting export; the token is in the form body, the body is small.
        .route(
            "/admin/orders.csv",
            post(crate::server::back_office::export::orders_csv).layer(RequestBodyLimitLayer::new(4 * 1024)),
        )
        .route("/activate", back_office)
        .route("/", get(move |request: HeaderMap| async move { shell.index.respond(&request) }))
        .fallback_service(
            assets.fallback(get(move |request: HeaderMap| async move { fallback_shell.index.respond(&request) })),
        )
        .layer(axum::Extension(callback_shell))
        .layer(axum::middleware::from_fn(crate::server::metrics::time_requests))
        .layer(axum::middleware::from_fn(crate::server::failures::log_failures))
        .layer(axum::middleware::from_fn(cache_assets))
        .with_state(state)
        .layer(axum::middleware::map_response(move |mut res: Response| {
            let csp = csp.clone();
            async move {
                headers::apply(&mut res, &csp, hsts);
                res
            }
        }))
        // Only what the server makes per request (assets and pages are compressed once, by the
        // build and at start), and only above a few packets (COMPRESS_ABOVE).
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE))),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span).on_response(
            tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros),
        ))
        // Outermost: every request has an id (a load balancer's `x-request-id`, else a new one)
        // before anything logs, and the answer carries it back.
        .layer(SetRequestIdLayer::x_request_id(headers::RequestUuid))
}

/// Hashed build assets never change under their name: a returning agent's browser uses its
/// copy without asking. Anything else static is revalidated; pages say `no-store` themselves.
async fn cache_assets(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let immutable = headers::is_hashed_asset(request.uri().path());
    let mut res = next.run(request).await;
    if !res.headers().contains_key(header::CACHE_CONTROL) && res.status().is_success() {
        let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // The same URL answers brotli, gzip or plain: caches on the way must keep them apart.
        if !res.headers().contains_key(header::VARY) {
            res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    res
}

/// One span per request with its id, method and path, never the query: a launch URL's query
/// carries the `apiClaim`, a webhook's the customer's data.
fn request_span(req: &Request<Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", id, method = %req.method(), path = %loggable_path(req.uri().path()))
}

/// The path as it may be logged: a Kolibri24 webhook URL carries its secret token as the
/// last segment, which is left out.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/kolibri24/webhook/") {
        Some(_) => "/kolibri24/webhook/(token)".into(),
        None => path.into(),
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    match crate::server::store::ready(&state.db).await {
        Ok(()) => "ready".into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
        }
    }
}

/// enterprise's payment callback: applied once, then the app shows the result. A refused
/// callback answers 401 (the app explains why) and changes nothing.
async fn payment_callback(
    State(state): State<AppState>,
    axum::Extension(shell): axum::Extension<std::sync::Arc<Shell>>,
    uri: axum::http::Uri,
    request: HeaderMap,
) -> Response {
    let status = match crate::server::hosts::onoffice::payment::callback::apply_callback(
        &state,
        uri.query().unwrap_or(""),
        crate::server::clock::now(),
    )
    .await
    {
        Ok(_) => StatusCode::OK,
        Err(err) => err.status_code(),
    };
    let mut res = shell.index.respond(&request);
    *res.status_mut() = status;
    res
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    crate::server::call::serve(state, req).await
}

async fn launch(State(state): State<AppState>, req: Request<Body>) -> Response {
    crate::server::call::serve_launch(state, req).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_under_the_prefix_is_routed_as_at_the_root() {
        let below = |path| super::below("/mp/shop", "/mp/shop/", path);
        assert_eq!(below("/mp/shop/").as_deref(), Some("/"));
        assert_eq!(below("/mp/shop").as_deref(), Some("/"));
        assert_eq!(below("/mp/shop/api/launch").as_deref(), Some("/api/launch"));
        assert_eq!(below("/mp/shopping"), None);
        assert_eq!(below("/healthz"), None);
        let file = |path| super::below("/onoffice/service", "/onoffice/service/index", path);
        assert_eq!(file("/onoffice/service/index").as_deref(), Some("/"));
        assert_eq!(file("/onoffice/service/orders/callback").as_deref(), Some("/orders/callback"));
    }
}
