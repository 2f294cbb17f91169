//! A local stand-in for onOffice enterprise.
//!
//! It launches the storefront with signed URLs, listens to the messages the
//! storefront posts to its parent window and plays enterprise's payment popup,
//! following the contract in the shared protocol notes and nothing more. It
//! also plays the onOffice API (see [`onoffice::api`]), Kolibri24 ([`kolibri24`]) and
//! Oneflow ([`oneflow`]), so activation and data reads
//! need no real API either. It exists so local runs and browser tests need no
//! real enterprise client.

pub mod kolibri24;
pub mod oneflow;
pub mod onoffice;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use url::Url;

pub use onoffice::callback::{CallbackRequest, OrderKind, PaymentStatus};
pub use onoffice::launch::{LaunchMode, LaunchRequest};
pub use onoffice::messages::{MessageKind, Verdict, VerifyRequest};

/// The API user every simulator knows unless told otherwise; the activation
/// URL's `apiToken` must be one of the configured tokens.
pub const DEMO_API_TOKEN: &str = "demo-token";
pub const DEMO_API_SECRET: &str = "demo-secret";

/// What the simulator needs to know: whom it launches and the shared secrets.
#[derive(Clone)]
pub struct SimConfig {
    /// The storefront's public service URL; launches are signed for it.
    pub storefront: Url,
    /// The provider secret, shared with the storefront.
    pub secret: Vec<u8>,
    /// API users as (token, secret): the stand-in API accepts only these.
    pub api_users: Vec<(String, String)>,
    /// The token in the storefront's Kolibri24 webhook URL.
    pub kolibri24_webhook_token: String,
    /// Oneflow: the API user the storefront must send, and the webhook sign key.
    pub oneflow_api_token: String,
    pub oneflow_user_email: String,
    pub oneflow_sign_key: String,
}

/// What the simulator and `scripts/run` use unless told otherwise.
pub const DEMO_KOLIBRI24_TOKEN: &str = "demo-kolibri24-token";
pub const DEMO_ONEFLOW_API_TOKEN: &str = "demo-oneflow-token";
pub const DEMO_ONEFLOW_USER_EMAIL: &str = "provider@example.com";
pub const DEMO_ONEFLOW_SIGN_KEY: &str = "demo-oneflow-sign-key";

/// `path` on the storefront: below the service URL's folder, so a storefront served under a
/// path (`https://host/mp/shop/`) is called there too.
pub fn on_storefront(storefront: &Url, path: &str) -> Url {
    let mut base = storefront.clone();
    base.set_query(None);
    base.set_fragment(None);
    if !base.path().ends_with('/') {
        let folder = base.path().rsplit_once('/').map_or("/", |(folder, _)| folder).to_string();
        base.set_path(&format!("{folder}/"));
    }
    base.join(path.trim_start_matches('/')).expect("a relative path joins")
}

impl SimConfig {
    /// Checks the storefront URL once, so every handler can rely on it.
    pub fn new(storefront: &str, secret: impl Into<Vec<u8>>) -> Result<Self, String> {
        let storefront = Url::parse(storefront).map_err(|e| format!("invalid storefront URL {storefront:?}: {e}"))?;
        if !matches!(storefront.scheme(), "http" | "https") || storefront.host().is_none() {
            return Err(format!("storefront URL must be http(s) with a host: {storefront}"));
        }
        let secret = secret.into();
        if secret.is_empty() {
            return Err("the provider secret must not be empty".into());
        }
        let api_users = vec![(DEMO_API_TOKEN.to_owned(), DEMO_API_SECRET.to_owned())];
        Ok(Self {
            storefront,
            secret,
            api_users,
            kolibri24_webhook_token: DEMO_KOLIBRI24_TOKEN.into(),
            oneflow_api_token: DEMO_ONEFLOW_API_TOKEN.into(),
            oneflow_user_email: DEMO_ONEFLOW_USER_EMAIL.into(),
            oneflow_sign_key: DEMO_ONEFLOW_SIGN_KEY.into(),
        })
    }

    /// Refuses a storefront that is not on this machine: the simulator signs with the provider
    /// secret, and a launch it signs for a production storefront would be accepted there.
    pub fn require_loopback_storefront(&self) -> Result<(), String> {
        if is_loopback(&self.storefront) {
            return Ok(());
        }
        Err(format!(
            "the storefront {} is not on this machine; the simulator signs only for a local storefront \
             (pass --allow-remote-storefront to sign for another host on purpose)",
            self.storefront
        ))
    }

    /// The only origin whose messages enterprise trusts (the storefront's).
    pub fn storefront_origin(&self) -> String {
        self.storefront.origin().ascii_serialization()
    }
}

/// Serves the simulator on a free loopback port in the background (for tests that need a
/// host stand-in in-process); returns its base URL.
pub async fn spawn_on_loopback(config: SimConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, router(config)).await.expect("simulator serves") });
    format!("http://{addr}")
}

/// Whether `url` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Serves only requests addressed to a loopback name (`Host` header), so a web page on
/// another site cannot reach the simulator through DNS rebinding.
async fn loopback_host_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = request.headers().get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    match Url::parse(&format!("http://{host}/")) {
        Ok(url) if is_loopback(&url) => next.run(request).await,
        _ => (StatusCode::MISDIRECTED_REQUEST, "the simulator answers only on 127.0.0.1, ::1 or localhost\n")
            .into_response(),
    }
}

/// The whole simulator as an axum router, so tests can run it in-process.
pub fn router(config: SimConfig) -> Router {
    let api = onoffice::api::router(config.api_users.clone());
    let kolibri24 = kolibri24::router(Arc::new(kolibri24::Kolibri24::new(
        config.storefront.clone(),
        config.kolibri24_webhook_token.clone(),
    )));
    let oneflow = oneflow::router(Arc::new(oneflow::Oneflow::new(
        config.storefront.clone(),
        config.oneflow_api_token.clone(),
        config.oneflow_user_email.clone(),
        config.oneflow_sign_key.clone(),
    )));
    let state = Arc::new(config);
    Router::new()
        .route("/", get(onoffice::page::index))
        .route("/assets/simulator.js", get(onoffice::page::script))
        .route("/assets/simulator.css", get(onoffice::page::style))
        .route("/healthz", get(|| async { "ok" }))
        // Keeps the browser console free of a 404 that tests might trip over.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/config", get(onoffice::page::config))
        .route("/api/launch-url", post(onoffice::launch::handler))
        .route("/api/verify-message", post(onoffice::messages::handler))
        .route("/api/callback-url", post(onoffice::callback::handler))
        .route("/api/fire-webhook", post(onoffice::webhook::handler))
        .with_state(state)
        .merge(api)
        .merge(kolibri24)
        .merge(oneflow)
        .layer(axum::middleware::from_fn(loopback_host_only))
}

type State = axum::extract::State<Arc<SimConfig>>;

/// Unix seconds, as enterprise puts them into `timestamp`.
fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A bad request from the page, answered as JSON `{error}` so the page can show it.
#[derive(Debug)]
struct ApiError(String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0 });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

impl From<String> for ApiError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// Random lowercase hex, for ids enterprise would hand out.
fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
