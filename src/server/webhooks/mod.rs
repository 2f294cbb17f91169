//! The one inbound pipeline for every host's webhooks: verify (in the host's folder under
//! `hosts/`) → store durably in the job queue ([`crate::server::jobs`]; committed before the
//! answer) → process with the handler the delivery routes to ([`Inbound`]), idempotently and
//! with retries, while a host that reads our answer as the outcome (onOffice) waits for it
//! until a deadline ([`crate::server::jobs::await_outcome`]). Deduplication uses each host's own event id;
//! failures keep their reason for the provider's page.

pub mod builtin;
mod config;
mod handler;

pub use config::{WebhookConfig, WebhookService, DEFAULT_DEADLINE_SECS, DEFAULT_LOCK_SECS, STANDARD_PARAMETERS};
pub use handler::{Delivery, Registry, WebhookHandler};

use crate::contract::errors::AppError;
use crate::server::hosts::Host;
use crate::server::ids::JobId;
use crate::server::jobs::{JobContext, JobError, NewJob, Queued, Runner, Stored, INBOUND};
use crate::server::AppState;
use futures::future::BoxFuture;
use signing::url::UrlVerifier;
use std::collections::HashMap;
use std::sync::Arc;

/// The configured services and their verifiers.
#[derive(Clone)]
pub struct Webhooks(Arc<Shared>);

struct Shared {
    config: WebhookConfig,
    /// One verifier per service (its URL is part of what onOffice signs), built once.
    verifiers: HashMap<String, UrlVerifier>,
}

impl Webhooks {
    /// `verifier` builds the verifier of a URL path (the service's URL is part of what is signed).
    pub fn new(config: WebhookConfig, verifier: impl Fn(&str) -> UrlVerifier) -> Self {
        let verifiers =
            config.services.iter().map(|s| (s.name.clone(), verifier(&format!("/webhooks/{}", s.name)))).collect();
        Webhooks(Arc::new(Shared { config, verifiers }))
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.0.config
    }

    pub fn service(&self, name: &str) -> Option<&WebhookService> {
        self.0.config.service(name)
    }

    /// The handler a delivery routes to; `None` when its host has nothing to do for it (a
    /// Kolibri24 category or Oneflow notification no handler is configured for).
    pub fn handler_for(&self, host: Host, service: &str) -> Result<Option<Arc<dyn WebhookHandler>>, JobError> {
        let config = &self.0.config;
        match host {
            Host::OnOffice => match config.service(service) {
                Some(s) => Ok(Some(s.handler.clone())),
                None => Err(JobError::Retry(format!("webhook service `{service}` is not configured"))),
            },
            Host::Kolibri24 => Ok(config.kolibri24.get(service).cloned()),
            Host::Oneflow => Ok(config.oneflow.clone()),
        }
    }

    /// The verifier of onOffice webhook service `name` (its URL is part of what is signed).
    pub fn verifier(&self, name: &str) -> Option<&UrlVerifier> {
        self.0.verifiers.get(name)
    }
}

/// One verified event from a host. Every host's receiver has the same three steps: check the
/// call (the host's own rule), read it into events, [`accept`] them; only what it answers
/// differs (onOffice waits for the outcome, the others are told what was stored).
pub struct Event {
    pub host: Host,
    /// Unique per host event (the host's own event id where it has one): stored once.
    pub dedupe_key: String,
    /// Routes the delivery to its handler: the onOffice service, the Kolibri24 category, or
    /// `notification` for Oneflow.
    pub service: String,
    pub customer_web_id: String,
    /// Empty when the call named no user.
    pub user_id: String,
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Why it can never be processed: stored `failed` with this reason, never dropped.
    pub failure: Option<String>,
}

/// Stores verified events in the job queue, for [`Inbound`], received at `now`; resolves
/// after the commit with each one's stored id (an event seen before: the earlier id, marked
/// duplicate), in order.
pub async fn accept(state: &AppState, events: Vec<Event>, now: i64) -> Result<Vec<Stored>, AppError> {
    let stored = events.into_iter().map(|e| {
        state.jobs.store(NewJob {
            id: JobId::random(),
            job: INBOUND,
            host: e.host.code().to_string(),
            dedupe_key: e.dedupe_key,
            service: e.service,
            customer_web_id: e.customer_web_id,
            user_id: e.user_id,
            params: serde_json::Value::Object(e.params).to_string(),
            received_at: now,
            failure: e.failure,
        })
    });
    // All handed to the writer at once: one commit for the lot.
    futures::future::try_join_all(stored).await
}

/// Runs a stored delivery with the handler its host and service route to (none: recorded only).
pub struct Inbound;

impl Runner for Inbound {
    fn run<'a>(&'a self, ctx: &'a JobContext, q: &'a Queued) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let delivery = Delivery::from_queued(q);
            let Some(handler) = ctx.state.webhooks.handler_for(delivery.host, &delivery.service)? else {
                tracing::debug!(delivery = %q.id, host = %q.host, service = %q.service, "no handler: recorded only");
                return Ok(());
            };
            handler.handle(ctx, &delivery).await
        })
    }

    fn label(&self, ctx: &JobContext, q: &Queued) -> String {
        let handler = Host::from_code(&q.host).and_then(|host| ctx.state.webhooks.handler_for(host, &q.service).ok());
        match handler.flatten() {
            Some(handler) => format!("handler `{}`", handler.name()),
            None => format!("delivery `{}`", q.service),
        }
    }
}
