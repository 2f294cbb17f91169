//! Everything that runs only on the server (feature `ssr`). This module holds the state every
//! request shares; each concern has its own module: the hosts (`hosts/`, one folder each),
//! orders, the back office, the job queue, the store, sessions, routes and the operator CLI.

pub mod back_office;
pub mod call;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod config;
pub mod failures;
pub mod headers;
pub mod hosts;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod orders;
pub mod routes;
pub mod sealing;
pub mod session;
pub mod shell;
pub mod store;
pub mod webhooks;

use config::Config;
use secrecy::ExposeSecret;
use session::Sessions;
use std::sync::Arc;

/// Shared, read-only state of one server process. Holds no per-user state: any replica can
/// answer any request.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub verifiers: hosts::onoffice::Verifiers,
    pub catalogue: crate::contract::launch::SharedCatalogue,
    pub sessions: Sessions,
    /// Seals customers' API credentials; `None` while `MARKTSTAND_CREDENTIALS_KEY` is unset.
    pub credentials_sealer: Option<sealing::Sealer>,
    pub db: store::Db,
    pub api: hosts::onoffice::api::ApiClient,
    pub webhooks: webhooks::Webhooks,
    pub jobs: jobs::Jobs,
    pub admin_guard: back_office::AdminGuard,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, db: store::Db, catalogue: crate::contract::catalogue::Catalogue) -> Self {
        metrics::install();
        let verifiers = hosts::onoffice::Verifiers::new(&config);
        let session_keys: Vec<[u8; 32]> = config.session_keys.iter().map(config::key_bytes).collect();
        let sessions = Sessions::new(&session_keys, config.session_ttl_secs);
        let credentials_sealer =
            config.credentials_key.as_ref().map(|key| sealing::Sealer::new(&config::key_bytes(key)));
        let api = hosts::onoffice::api::ApiClient::new(&config.api_endpoint);
        let webhooks =
            webhooks::Webhooks::new(config.webhooks.clone(), |path| config.verifier(config.origin_path(path)));
        let queue = jobs::Settings { lock_secs: config.webhooks.lock_secs, max_attempts: config.webhooks.max_attempts };
        // The queue's runners: what arrives from the hosts, and each typed job.
        let runners = jobs::Runners::default()
            .runner(jobs::INBOUND, webhooks::Inbound)
            .job::<hosts::oneflow::contracts::CreateContract>();
        let jobs = jobs::Jobs::new(db.clone(), queue, runners);
        let admin_guard = back_office::AdminGuard::default();
        AppState(Arc::new(Inner {
            config,
            verifiers,
            catalogue: crate::contract::launch::SharedCatalogue::new(catalogue),
            sessions,
            credentials_sealer,
            db,
            api,
            webhooks,
            jobs,
            admin_guard,
        }))
    }

    /// The secret outgoing messages are signed with: the first configured one.
    pub fn signing_secret(&self) -> &[u8] {
        self.config.provider_secrets[0].expose_secret()
    }
}
