//! Everything that runs only on the server (feature `ssr`): configuration, verification,
//! sessions, storage, routes and the operator CLI.

pub mod catalogue;
pub mod activation;
pub mod cli;
pub mod credentials;
pub mod config;
pub mod headers;
pub mod launch;
pub mod onoffice_api;
pub mod orders;
pub mod routes;
pub mod session;
pub mod storage;
pub mod webhook_handlers;
pub mod webhooks;

use crate::errors::AppError;
use crate::messaging::ParentAction;
use config::Config;
use session::{Session, Sessions};
use signing::url::UrlVerifier;
use std::sync::Arc;

/// Shared, read-only state of one server process. Holds no per-user state: any replica can
/// answer any request.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub verifier: UrlVerifier,
    /// Verifies enterprise's calls of our payment callback.
    pub callback_verifier: UrlVerifier,
    pub catalogue: crate::catalogue::Catalogue,
    pub sessions: Sessions,
    pub db: storage::Db,
    /// Verifies the activation iframe's URL.
    pub activation_verifier: UrlVerifier,
    pub api: onoffice_api::ApiClient,
    pub webhooks: webhooks::Webhooks,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, db: storage::Db, catalogue: crate::catalogue::Catalogue) -> Self {
        let verifier_for = |base: String| {
            let mut v = UrlVerifier::new(base, config.provider_secrets.clone());
            v.window_secs = config.freshness_secs;
            v
        };
        let verifier = verifier_for(config.service_base());
        let callback_verifier = verifier_for(config.callback_base());
        let activation_verifier = verifier_for(config.activation_base());
        let sessions = Sessions::new(&config.session_key, config.session_ttl_secs);
        let api = onoffice_api::ApiClient::new(&config.api_endpoint);
        let webhooks = webhooks::Webhooks::new(config.webhooks.clone(), db.clone());
        AppState(Arc::new(Inner {
            config, verifier, callback_verifier, catalogue, sessions, db,
            activation_verifier, api, webhooks,
        }))
    }

    /// The secret outgoing messages are signed with: the first configured one.
    pub fn signing_secret(&self) -> &[u8] {
        &self.config.provider_secrets[0]
    }
}

/// The state provided to server functions by the router.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
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
