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

use crate::contract::back_office::webhooks::{AttemptRow, DeliveryStatus, Requeued, WebhookFilter, WebhookRow};
use crate::contract::errors::AppError;
use crate::server::hosts::Host;
use crate::server::jobs::{JobContext, JobError, NewJob, Queued, Runner, Stored, INBOUND};
use crate::server::store::{Conditions, Db, Value};
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

/// A verified delivery, ready to store.
pub struct NewDelivery {
    pub id: String,
    pub host: Host,
    /// Unique per host event (the host's own event id where it has one).
    pub dedupe_key: String,
    /// Routes the delivery to its handler: the onOffice service, the Kolibri24 category, or
    /// `notification` for Oneflow.
    pub service: String,
    pub customer_web_id: String,
    pub user_id: String,
    /// The parameters as a JSON object.
    pub params: String,
    pub received_at: i64,
    /// Why it can never be processed: stored `failed` with this reason, never dropped.
    pub failure: Option<String>,
}

/// Stores a verified delivery in the job queue, for [`Inbound`]; resolves after the commit.
pub async fn store(state: &AppState, d: NewDelivery) -> Result<Stored, AppError> {
    state
        .jobs
        .store(NewJob {
            id: d.id,
            job: INBOUND,
            host: d.host.code().to_string(),
            dedupe_key: d.dedupe_key,
            service: d.service,
            customer_web_id: d.customer_web_id,
            user_id: d.user_id,
            params: d.params,
            received_at: d.received_at,
            failure: d.failure,
        })
        .await
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

/// The newest deliveries with their attempts, narrowed by `filter`, for the provider's page.
pub async fn recent(db: &Db, limit: i64, filter: &WebhookFilter) -> Result<Vec<WebhookRow>, AppError> {
    let mut q = Conditions::new(
        "SELECT id, host, service, customer_web_id, status, attempts, last_error, received_at, processed_at, \
         retry_round, retried_at, retried_by FROM webhook_deliveries",
    );
    if let Some(host) = filter.host {
        let at = q.value(Value::Text(host.code().into()));
        q.and(format!("host = {at}"));
    }
    if !filter.service.trim().is_empty() {
        let at = q.value(Value::Text(filter.service.trim().into()));
        q.and(format!("service = {at}"));
    }
    if let Some(status) = filter.status {
        let at = q.value(Value::Text(status.code().into()));
        q.and(format!("status = {at}"));
    }
    let at = q.value(Value::Int(limit));
    let rows: Vec<Listed> = q.fetch_all(db, &format!("ORDER BY received_at DESC, id DESC LIMIT {at}")).await?;
    let mut history = attempts_of(db, rows.iter().map(|r| r.id.as_str())).await?;
    rows.into_iter()
        .map(|r| {
            Ok(WebhookRow {
                history: history.remove(&r.id).unwrap_or_default(),
                host: Host::from_code(&r.host).unwrap_or(Host::OnOffice),
                status: status_of(r.status)?,
                id: r.id,
                service: r.service,
                customer_web_id: r.customer_web_id,
                attempts: r.attempts,
                last_error: r.last_error,
                received_at: r.received_at,
                processed_at: r.processed_at,
                retry_round: r.retry_round,
                retried_at: r.retried_at,
                retried_by: r.retried_by,
            })
        })
        .collect()
}

/// A delivery as [`recent`] reads it.
#[derive(sqlx::FromRow)]
struct Listed {
    id: String,
    host: String,
    service: String,
    customer_web_id: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    received_at: i64,
    processed_at: Option<i64>,
    retry_round: i64,
    retried_at: Option<i64>,
    retried_by: Option<String>,
}

fn status_of(code: String) -> Result<DeliveryStatus, AppError> {
    DeliveryStatus::try_from(code).map_err(|e| {
        tracing::error!(error = %e, "stored webhook delivery has an unknown status");
        AppError::Internal
    })
}

/// The attempts of the deliveries `ids`, by delivery, oldest first.
async fn attempts_of<'a>(
    db: &Db,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Vec<AttemptRow>>, AppError> {
    type Tuple = (String, i64, i64, i64, String, Option<String>);
    let mut q =
        Conditions::new("SELECT delivery_id, retry_round, attempt, finished_at, outcome, error FROM webhook_attempts");
    let placeholders: Vec<String> = ids.map(|id| q.value(Value::Text(id.into()))).collect();
    if placeholders.is_empty() {
        return Ok(HashMap::new());
    }
    q.and(format!("delivery_id IN ({})", placeholders.join(", ")));
    let rows: Vec<Tuple> = q.fetch_all(db, "ORDER BY retry_round, attempt").await?;
    let mut by_delivery: HashMap<String, Vec<AttemptRow>> = HashMap::new();
    for (id, retry_round, attempt, finished_at, outcome, error) in rows {
        let outcome = status_of(outcome)?;
        by_delivery.entry(id).or_default().push(AttemptRow { retry_round, attempt, finished_at, outcome, error });
    }
    Ok(by_delivery)
}

/// Queues a failed delivery again for a new round of attempts, if it is still failed in the
/// round the provider saw; `who` and `now` are recorded.
pub async fn retry_now(db: &Db, id: &str, seen_round: i64, who: &str, now: i64) -> Result<Requeued, AppError> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'queued', attempts = 0, retry_round = retry_round + 1, \
         next_attempt_at = $3, processed_at = NULL, retried_at = $3, retried_by = $4 \
         WHERE id = $1 AND status = 'failed' AND retry_round = $2",
    )
    .bind(id)
    .bind(seen_round)
    .bind(now)
    .bind(who)
    .execute(db)
    .await?;
    if done.rows_affected() == 1 {
        tracing::info!(delivery = %id, round = seen_round + 1, by = %who, "webhook delivery re-queued by the provider");
        return Ok(Requeued::Now);
    }
    let current: Option<(String, i64)> =
        sqlx::query_as("SELECT status, retry_round FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    match current {
        None => Err(AppError::NotFound),
        Some((_, round)) if round > seen_round => Ok(Requeued::Already),
        Some((status, _)) => {
            Err(AppError::Conflict { message: format!("only a failed delivery can be retried; this one is {status}") })
        }
    }
}
