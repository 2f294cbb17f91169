//! The handler API: what runs for a stored delivery, in the background worker. Handlers are
//! plain trait implementations registered by name; `webhooks.toml` picks one per service.

use crate::server::hosts::Host;
use crate::server::jobs::{JobContext, JobError, Queued};
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Does the work of one webhook service. Must be idempotent: a delivery may run again
/// after a crash or when a replica's lock expired (key writes by [`Delivery::id`]).
pub trait WebhookHandler: Send + Sync {
    /// The name `webhooks.toml` refers to in `handler = "…"`.
    fn name(&self) -> &'static str;
    fn handle<'a>(&'a self, ctx: &'a JobContext, delivery: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>>;
    /// Checks a service's `settings` table from `webhooks.toml` once at start; the message
    /// says what to fix. By default a handler takes no settings.
    fn check_settings(&self, settings: &toml::Table) -> Result<(), String> {
        match settings.keys().next() {
            Some(key) => Err(format!("handler `{}` takes no setting `{key}`", self.name())),
            None => Ok(()),
        }
    }
}

/// A stored, verified delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub host: Host,
    /// Routes the delivery to its handler: the onOffice service, the Kolibri24 category,
    /// or `notification` for Oneflow.
    pub service: String,
    pub customer_web_id: String,
    /// Empty when the call named no user.
    pub user_id: String,
    /// This attempt's number, from 1.
    pub attempts: i64,
    pub received_at: i64,
    params: Map<String, Value>,
}

impl Delivery {
    /// A delivery from single-valued parameters (for handler tests).
    pub fn new(id: &str, service: &str, customer_web_id: &str, user_id: &str, params: &[(&str, &str)]) -> Self {
        let params = params.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect();
        Delivery {
            id: id.into(),
            host: Host::OnOffice,
            service: service.into(),
            customer_web_id: customer_web_id.into(),
            user_id: user_id.into(),
            attempts: 1,
            received_at: crate::server::clock::now(),
            params,
        }
    }

    /// The delivery a queued job from a host stands for.
    pub fn from_queued(q: &Queued) -> Self {
        let params = serde_json::from_str(&q.params).unwrap_or_default();
        let host = Host::from_code(&q.host).unwrap_or(Host::OnOffice);
        let mut d = Delivery::new(&q.id, &q.service, &q.customer_web_id, &q.user_id, &[]).with_params(host, params);
        d.attempts = q.attempts;
        d.received_at = q.received_at;
        d
    }

    /// The same delivery from `host` with these stored parameters.
    pub fn with_params(mut self, host: Host, params: Map<String, Value>) -> Self {
        self.host = host;
        self.params = params;
        self
    }

    /// Any stored value, e.g. a Kolibri24 announcement or a Oneflow notification.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }

    /// A single-valued parameter as it was signed (decoded).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name)?.as_str()
    }

    /// A bracket list such as `imageIds[0]=…&imageIds[1]=…`, in key order.
    pub fn list(&self, name: &str) -> Vec<&str> {
        match self.params.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// Handlers by name. [`Registry::builtin`] holds the shipped ones; tests and forks may add more.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<&'static str, Arc<dyn WebhookHandler>>,
}

impl Registry {
    /// The handlers this storefront ships ([`super::builtin`]).
    pub fn builtin() -> Self {
        let mut registry = Registry::default();
        super::builtin::register(&mut registry);
        registry
    }

    /// Adds `handler` under its name, replacing one of the same name.
    pub fn register(&mut self, handler: impl WebhookHandler + 'static) -> &mut Self {
        self.handlers.insert(handler.name(), Arc::new(handler));
        self
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn WebhookHandler>> {
        self.handlers.get(name).cloned()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }
}
