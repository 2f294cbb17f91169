//! The one inbound pipeline for every host's webhooks: verify (in the host's folder under
//! `hosts/`) → store durably (group commit, see `writer`; committed before the answer) →
//! process with the handler the delivery routes to, idempotently and with retries (see
//! `worker`), while a host that reads our answer as the outcome (onOffice) waits for it until a
//! deadline ([`await_outcome`]). Deduplication uses each host's own event id;
//! failures keep their reason for the provider's page.

mod config;
mod handler;
mod worker;
mod writer;

pub use config::{WebhookConfig, WebhookService, DEFAULT_DEADLINE_SECS, DEFAULT_LOCK_SECS, STANDARD_PARAMETERS};
pub use handler::{Delivery, HandlerContext, HandlerError, Registry, WebhookHandler};
pub use worker::{await_outcome, backoff_secs, next_step, Outcome, Step, MAX_ATTEMPTS, MAX_BACKOFF_SECS};
pub use writer::{NewDelivery, Stored};

use super::config::Config;
use super::hosts::Host;
use super::storage::{Conditions, Db, Value};
use super::AppState;
use crate::contract::errors::AppError;
use crate::contract::webhooks::{AttemptRow, DeliveryStatus, Requeued, WebhookFilter, WebhookRow};
use signing::url::UrlVerifier;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, Notify};

/// The configured services, and the writer that stores their deliveries.
#[derive(Clone)]
pub struct Webhooks(Arc<Shared>);

struct Shared {
    config: WebhookConfig,
    /// One verifier per service (its URL is part of what onOffice signs), built once.
    verifiers: HashMap<String, UrlVerifier>,
    db: Db,
    /// What the worker and handlers write through (see [`processing_pool`]).
    processing_db: Db,
    /// Started on first use, on the server's runtime.
    writer: OnceLock<mpsc::Sender<writer::Job>>,
    /// Signalled after each commit, so the worker starts at once instead of at its next poll.
    committed: Arc<Notify>,
    /// Set at shutdown: the worker starts nothing new and hands back what it claimed.
    stopping: Arc<std::sync::atomic::AtomicBool>,
    /// Calls waiting for a delivery's outcome, by delivery id (see [`Webhooks::settled`]).
    waiters: std::sync::Mutex<HashMap<String, Vec<tokio::sync::oneshot::Sender<worker::Outcome>>>>,
}

impl Webhooks {
    pub fn new(server: &Config, db: Db) -> Self {
        let config = server.webhooks.clone();
        let verifiers = config
            .services
            .iter()
            .map(|s| (s.name.clone(), server.verifier(server.origin_path(&format!("/webhooks/{}", s.name)))))
            .collect();
        let processing_db = processing_pool(&db);
        Webhooks(Arc::new(Shared {
            config,
            verifiers,
            db,
            processing_db,
            writer: OnceLock::new(),
            committed: Arc::new(Notify::new()),
            stopping: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            waiters: Default::default(),
        }))
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.0.config
    }

    pub fn service(&self, name: &str) -> Option<&WebhookService> {
        self.0.config.service(name)
    }

    /// The handler a delivery routes to; `None` when its host has nothing to do for it (a
    /// Kolibri24 category or Oneflow notification no handler is configured for).
    pub fn handler_for(&self, host: Host, service: &str) -> Result<Option<Arc<dyn WebhookHandler>>, HandlerError> {
        let config = &self.0.config;
        match host {
            Host::OnOffice => match config.service(service) {
                Some(s) => Ok(Some(s.handler.clone())),
                None => Err(HandlerError::Retry(format!("webhook service `{service}` is not configured"))),
            },
            Host::Kolibri24 => Ok(config.kolibri24.get(service).cloned()),
            Host::Oneflow if service == super::hosts::oneflow::contracts::CREATE_SERVICE => {
                Ok(Some(Arc::new(super::hosts::oneflow::contracts::CreateContract)))
            }
            Host::Oneflow => Ok(config.oneflow.clone()),
        }
    }

    /// The database handlers write to.
    pub fn processing_db(&self) -> &Db {
        &self.0.processing_db
    }

    pub fn notify(&self) -> Arc<Notify> {
        self.0.committed.clone()
    }

    /// Asks the worker to stop: handlers already running finish, claimed deliveries not yet
    /// started are handed back at once (due now, for any replica), and the worker ends.
    pub fn stop(&self) {
        self.0.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.committed.notify_one();
    }

    pub fn is_stopping(&self) -> bool {
        self.0.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Registers a wait for delivery `id`'s outcome.
    pub fn waiter(&self, id: &str) -> tokio::sync::oneshot::Receiver<worker::Outcome> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.waiting().entry(id.to_string()).or_default().push(tx);
        rx
    }

    /// Drops the waits for `id` (the caller stopped waiting).
    pub fn forget(&self, id: &str) {
        self.waiting().remove(id);
    }

    /// Tells whoever waits for `id` how its attempt ended; called after the commit.
    pub fn settled(&self, id: &str, outcome: worker::Outcome) {
        for waiter in self.waiting().remove(id).unwrap_or_default() {
            let _ = waiter.send(outcome.clone());
        }
    }

    fn waiting(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Vec<tokio::sync::oneshot::Sender<worker::Outcome>>>> {
        self.0.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The verifier of onOffice webhook service `name` (its URL is part of what is signed).
    pub fn verifier(&self, name: &str) -> Option<&UrlVerifier> {
        self.0.verifiers.get(name)
    }

    /// Stores a delivery durably; resolves after the commit.
    pub async fn store(&self, delivery: writer::NewDelivery) -> Result<writer::Stored, AppError> {
        let sender = self.0.writer.get_or_init(|| writer::spawn(self.0.db.clone(), self.0.committed.clone()));
        let (host, service) = (delivery.host.code(), delivery.service.clone());
        let stored = writer::submit(sender, delivery).await.map_err(|()| AppError::Internal)?;
        super::metrics::delivery(host, &service, if stored.duplicate { "duplicate" } else { "received" });
        Ok(stored)
    }
}

/// On SQLite, the worker and handlers get their own connections without an fsync per
/// commit (`synchronous=NORMAL`): with one fsync'ing commit per handler they held the write
/// lock so long that accepting deliveries stalled. Nothing promised is at risk: a process
/// crash loses no commit either way, and a power cut can only lose recent processing, which
/// then runs again (handlers are idempotent); the WAL keeps the order, so no later
/// acceptance survives without the processing before it. PostgreSQL and in-memory
/// databases share the main pool.
fn processing_pool(db: &Db) -> Db {
    let options = db.connect_options();
    let url = options.database_url.as_str();
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return db.clone();
    }
    sqlx::any::AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(conn, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;").await?;
                Ok(())
            })
        })
        .connect_lazy_with((*options).clone())
}

/// Starts the background worker (once per process; replicas each run one); it ends after
/// [`Webhooks::stop`].
pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    worker::spawn(state)
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
