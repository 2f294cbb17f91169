//! The HTTP surface: server functions, the built app, health, with security headers on all.

use super::{headers, AppState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_http::LatencyUnit;

/// The app shells and the CSP derived from them, read once at start: the storefront's, the
/// back office's (provider pages and activation) and the Kolibri24 widget's, each a separately
/// built bundle, so nobody downloads the code of pages they never open.
#[derive(Clone)]
pub struct Shell {
    pub index_html: String,
    pub back_office_html: String,
    pub widget_html: String,
    pub csp: HeaderValue,
    /// The widget's policy: Kolibri24's `frame-ancestors`, the widget bundle's script.
    pub kolibri24_csp: HeaderValue,
}

impl Shell {
    pub fn load(state: &AppState) -> Result<Self, String> {
        let root = std::path::Path::new(&state.config.site_root);
        let read = |path: std::path::PathBuf| {
            std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "cannot read {}: {e}. Build the app first (scripts/build) or set MARKTSTAND_SITE_ROOT",
                    path.display()
                )
            })
        };
        let index_html = read(root.join("index.html"))?;
        let back_office_html = read(root.join("back-office/index.html")).unwrap_or_else(|e| {
            tracing::warn!("{e}: the provider's pages and the activation iframe are unavailable");
            index_html.clone()
        });
        let widget_html = read(root.join("widget/index.html")).unwrap_or_else(|e| {
            tracing::warn!("{e}: the Kolibri24 widget is unavailable");
            index_html.clone()
        });
        Ok(Self::new(state, index_html, back_office_html).with_widget(state, widget_html))
    }

    /// Storefront and back office; the widget shell is the storefront's until
    /// [`with_widget`](Self::with_widget).
    pub fn new(state: &AppState, index_html: String, back_office_html: String) -> Self {
        let both = format!("{index_html}{back_office_html}");
        let csp = headers::content_security_policy(&state.config.allowed_origins, &both);
        let widget_html = index_html.clone();
        let kolibri24_csp = headers::content_security_policy(&state.config.kolibri24.frame_ancestors, &widget_html);
        Shell { index_html, back_office_html, widget_html, csp, kolibri24_csp }
    }

    pub fn with_widget(mut self, state: &AppState, widget_html: String) -> Self {
        self.kolibri24_csp = headers::content_security_policy(&state.config.kolibri24.frame_ancestors, &widget_html);
        self.widget_html = widget_html;
        self
    }

    fn back_office(&self) -> Shell {
        Shell { index_html: self.back_office_html.clone(), ..self.clone() }
    }
}

/// Answers up to this size go uncompressed: three packets, well inside the first round trip.
pub const COMPRESS_ABOVE: u16 = 4096;

pub fn router(state: AppState, shell: Shell) -> Router {
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
    let back_office = std::sync::Arc::new(shell.back_office());
    Router::new()
        // Server functions take a cart of at most 50 lines or a pasted key: 16 KiB is ample.
        .route("/api/{*fn_name}", post(server_fn).layer(RequestBodyLimitLayer::new(16 * 1024)))
        // Alive: the process answers. Ready: the database answers with the expected schema.
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(super::metrics::scrape))
        .route("/orders/callback", get(payment_callback))
        // Each host's widget and webhook routes, with their own body limits.
        .merge(super::hosts::routes())
        .route(
            "/admin",
            get({
                let shell = back_office.clone();
                move || index(shell.clone())
            }),
        )
        // Accounting export; the token is in the form body, the body is small.
        .route("/admin/orders.csv", post(super::export::orders_csv).layer(RequestBodyLimitLayer::new(4 * 1024)))
        .route("/activate", get(move || index(back_office.clone())))
        .route("/", get(move || index(shell.clone())))
        .fallback_service(assets.fallback(get(move || index(fallback_shell.clone()))))
        .layer(axum::Extension(callback_shell))
        .layer(axum::middleware::from_fn(super::metrics::time_requests))
        .layer(axum::middleware::from_fn(cache_assets))
        .with_state(state)
        .layer(axum::middleware::map_response(move |mut res: Response| {
            let csp = csp.clone();
            async move {
                headers::apply(&mut res, &csp, hsts);
                res
            }
        }))
        // Only what the build did not precompress: answers the server makes per request. At
        // brotli's default quality (11) one 1.7 KB launch answer cost more than verifying it
        // (a browser's launch: 17k/s against 56k/s uncompressed); quality 4 is the usual level for
        // dynamic answers. Answers of a few packets are sent as they are: they arrive in one
        // round trip either way (BENCHMARKS.md).
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
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
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
    match super::storage::ready(&state.db).await {
        Ok(()) => "ready".into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
        }
    }
}

/// The app shell for every page route; never cached, so a deploy takes effect at once.
async fn index(shell: std::sync::Arc<Shell>) -> Response {
    let mut res = Html(shell.index_html.clone()).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// enterprise's payment callback: applied once, then the app shows the result. A refused
/// callback answers 401 (the app explains why) and changes nothing.
async fn payment_callback(
    State(state): State<AppState>,
    axum::Extension(shell): axum::Extension<std::sync::Arc<Shell>>,
    uri: axum::http::Uri,
) -> Response {
    let status = match super::orders::apply_callback(&state, uri.query().unwrap_or(""), super::now()).await {
        Ok(_) => StatusCode::OK,
        Err(err) => err.status_code(),
    };
    let mut res = index(shell).await;
    *res.status_mut() = status;
    res
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    super::call::serve(state, req).await
}
