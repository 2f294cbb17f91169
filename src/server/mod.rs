//! Everything that runs only on the server (feature `ssr`): configuration, verification,
//! sessions, storage, routes and the operator CLI.

pub mod activation;
pub mod admin;
pub mod call;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod export;
pub mod headers;
pub mod hosts;
pub mod launch;
pub mod metrics;
pub mod order_log;
pub mod orders;
pub mod overview;
pub mod payment_callback;
pub mod payment_reports;
pub mod routes;
pub mod sealing;
pub mod session;
pub mod shell;
pub mod signed_request;
pub mod storage;
pub mod webhook_handlers;
pub mod webhooks;

use crate::contract::errors::AppError;
use crate::contract::messaging::ParentAction;
use config::Config;
use session::{Session, Sessions};
use signing::url::UrlVerifier;
use std::future::Future;
use std::sync::Arc;

/// Shared, read-only state of one server process. Holds no per-user state: any replica can
/// answer any request.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub verifiers: Verifiers,
    pub catalogue: crate::contract::launch::SharedCatalogue,
    pub sessions: Sessions,
    /// Seals customers' API credentials; `None` while `MARKTSTAND_CREDENTIALS_KEY` is unset.
    pub credentials_sealer: Option<sealing::Sealer>,
    pub db: storage::Db,
    pub api: hosts::onoffice::api::ApiClient,
    pub webhooks: webhooks::Webhooks,
    pub admin_guard: admin::AdminGuard,
}

/// One verifier per signed URL onOffice calls, built once at start.
pub struct Verifiers {
    /// The service iframe (the storefront's launch).
    pub launch: UrlVerifier,
    /// enterprise's calls of our payment callback.
    pub callback: UrlVerifier,
    /// The activation iframe.
    pub activation: UrlVerifier,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, db: storage::Db, catalogue: crate::contract::catalogue::Catalogue) -> Self {
        metrics::install();
        let verifiers = Verifiers {
            launch: config.verifier(config.service_base()),
            callback: config.verifier(config.callback_base()),
            activation: config.verifier(config.activation_base()),
        };
        let sessions = Sessions::new(&config.session_keys, config.session_ttl_secs);
        let credentials_sealer = config.credentials_key.as_ref().map(sealing::Sealer::new);
        let api = hosts::onoffice::api::ApiClient::new(&config.api_endpoint);
        let webhooks = webhooks::Webhooks::new(&config, db.clone());
        let admin_guard = admin::AdminGuard::default();
        AppState(Arc::new(Inner {
            config,
            verifiers,
            catalogue: crate::contract::launch::SharedCatalogue::new(catalogue),
            sessions,
            credentials_sealer,
            db,
            api,
            webhooks,
            admin_guard,
        }))
    }

    /// The secret outgoing messages are signed with: the first configured one.
    pub fn signing_secret(&self) -> &[u8] {
        &self.config.provider_secrets[0]
    }
}

/// The state of the server function being answered ([`call`]).
pub fn state() -> Result<AppState, AppError> {
    call::state()
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
    result.map_err(call::fail)
}

/// [`handle`] for calls made inside a storefront session (the `Authorization` header).
pub async fn with_session<T, F, Fut>(body: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, Session) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    handle(|state| async move {
        let session = session::require(&state)?;
        body(state, session).await
    })
    .await
}

/// Seconds added to the system clock: zero, unless a test replays links signed at a fixed
/// time (PHP-made vectors). Deliberately no setting or variable: a shifted clock in
/// production would accept old links.
static CLOCK_SHIFT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Makes [`now`] answer `at` (for tests that replay signed vectors), for this process.
#[doc(hidden)]
pub fn set_clock_for_tests(at: i64) {
    let system = now() - CLOCK_SHIFT.load(std::sync::atomic::Ordering::Relaxed);
    CLOCK_SHIFT.store(at - system, std::sync::atomic::Ordering::Relaxed);
}

/// Unix seconds now: the one clock the server reads. Everything below takes `now` as a
/// parameter, so tests can pass any time.
pub fn now() -> i64 {
    let system =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    system + CLOCK_SHIFT.load(std::sync::atomic::Ordering::Relaxed)
}

/// A JSON field as text: hosts send ids and codes as strings or numbers; anything else
/// (missing, null, an object) is empty.
pub fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A fresh random id (orders, webhook deliveries): 24 hex characters.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

/// A signed `processTypeToonOffice` message, as the JSON string enterprise expects.
pub fn sign_parent_message(state: &AppState, action: ParentAction, session: &Session, now: i64) -> String {
    let message = serde_json::json!({
        "onOfficeType": action.on_office_type(),
        "parametercacheid": session.context.parameter_cache_id,
        "timestamp": now,
    });
    signing::message::sign_message(state.signing_secret(), message).to_string()
}
