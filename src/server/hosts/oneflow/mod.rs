//! Oneflow, e-signature contracts: it posts signed notifications about contracts
//! (`notification`: `sha1(callback_id + sign_key)`), answered 200 once stored and processed
//! in the inbound pipeline, deduplicated by `callback_id`.

use secrecy::SecretString;
pub mod api;
pub mod contracts;
pub mod notification;

use crate::contract::errors::AppError;
use crate::server::hosts::Host;
use crate::server::webhooks::{accept, Event};
use crate::server::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Json;
use notification::NotificationError;
use serde_json::{json, Map, Value};
use tower_http::limit::RequestBodyLimitLayer;

/// The largest notification accepted (answered 413 beyond).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Oneflow's public API.
pub const DEFAULT_API_URL: &str = "https://api.oneflow.com/v1";

/// Oneflow's settings.
#[derive(clap::Args, Debug, Clone)]
pub struct OneflowArgs {
    /// The webhook sign keys (space-separated; several during a rotation); none: webhooks off.
    #[arg(long = "oneflow-sign-key", env = "MARKTSTAND_ONEFLOW_SIGN_KEY", hide_env_values = true)]
    pub sign_key: Option<String>,
    #[arg(long = "oneflow-api-url", env = "MARKTSTAND_ONEFLOW_API_URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,
    /// With the user e-mail: contracts are created for products with a `oneflow_template`.
    #[arg(long = "oneflow-api-token", env = "MARKTSTAND_ONEFLOW_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// The Oneflow user the API acts as.
    #[arg(long = "oneflow-user-email", env = "MARKTSTAND_ONEFLOW_USER_EMAIL")]
    pub user_email: Option<String>,
}

impl Default for OneflowArgs {
    fn default() -> Self {
        OneflowArgs { sign_key: None, api_url: DEFAULT_API_URL.into(), api_token: None, user_email: None }
    }
}

/// Oneflow at run time (`Debug` shows its keys and token redacted).
#[derive(Clone, Debug, Default)]
pub struct Oneflow {
    pub sign_keys: Vec<SecretString>,
    /// `None` until token and user e-mail are set.
    pub api: Option<std::sync::Arc<api::OneflowApi>>,
}

impl Oneflow {
    pub fn from_args(args: &OneflowArgs) -> Result<Self, String> {
        let sign_keys = args.sign_key.as_deref().unwrap_or("").split_whitespace().map(SecretString::from).collect();
        let url = url::Url::parse(&args.api_url)
            .map_err(|e| format!("MARKTSTAND_ONEFLOW_API_URL `{}` is not a URL: {e}", args.api_url))?;
        let set = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let api = match (set(&args.api_token), set(&args.user_email)) {
            (Some(token), Some(email)) => Some(std::sync::Arc::new(api::OneflowApi::new(url.as_str(), &token, &email))),
            (None, None) => None,
            _ => {
                return Err("set both MARKTSTAND_ONEFLOW_API_TOKEN and MARKTSTAND_ONEFLOW_USER_EMAIL, or neither".into())
            }
        };
        Ok(Oneflow { sign_keys, api })
    }
}

/// `POST /oneflow/webhook`.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/oneflow/webhook", post(receive).layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)))
}

async fn receive(State(state): State<AppState>, body: Bytes) -> Response {
    let n = match notification::verify(&body, &state.config.oneflow.sign_keys) {
        Ok(n) => n,
        Err(NotificationError::NotJson(detail)) => {
            let err = AppError::bad_request(format!("not a Oneflow notification: {detail}"));
            return err.into_response();
        }
        Err(e) => {
            tracing::warn!(reason = %e, "Oneflow webhook refused");
            return AppError::Unauthorized.into_response();
        }
    };
    let mut params = Map::new();
    params.insert("callback_id".into(), Value::String(n.callback_id.clone()));
    params.insert("contract_id".into(), Value::String(n.contract_id.clone()));
    params.insert("events".into(), json!(n.events));
    params.insert("notification".into(), n.body);
    let event = Event {
        host: Host::Oneflow,
        dedupe_key: format!("oneflow:{}", n.callback_id),
        service: "notification".into(),
        customer_web_id: String::new(),
        user_id: String::new(),
        params,
        failure: None,
    };
    match accept(&state, vec![event], crate::server::clock::now()).await.map(|mut s| s.remove(0)) {
        Ok(s) => {
            (StatusCode::OK, Json(json!({"accepted": true, "id": s.id, "duplicate": s.duplicate}))).into_response()
        }
        Err(err) => err.into_response(),
    }
}
