//! The job queue: durable background work with retries, shared by every replica. A job is
//! stored (group commit, see `writer`; committed before whoever queued it hears back), then
//! run by the worker (claimed with a conditional UPDATE, retried with backoff, recorded with
//! each attempt). It knows no host: inbound webhooks feed it through their own runner
//! ([`crate::server::webhooks`]), and typed jobs ([`Job`]: a struct per job, stored as JSON
//! under its name, once per dedupe key) through [`Jobs::enqueue`].

mod worker;
mod writer;

pub use crate::server::store::jobs::{NewJob, Queued, Stored};
pub use worker::{await_outcome, backoff_secs, next_step, Outcome, Step, MAX_ATTEMPTS, MAX_BACKOFF_SECS};

use crate::contract::errors::AppError;
use crate::server::ids::JobId;
use crate::server::store::Db;
use crate::server::AppState;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, Notify};

/// Why a job did not finish. The text is shown to the provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (a timeout, a busy upstream); retried with backoff.
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (bad input); the job fails at once.
    #[error("{0}")]
    Permanent(String),
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError::Retry(format!("database: {e}"))
    }
}

/// What a running job may use.
pub struct JobContext {
    /// The database jobs write to (see [`Jobs::processing_db`]).
    pub db: Db,
    pub state: AppState,
}

/// The runner name of deliveries that arrived from a host (webhooks).
pub const INBOUND: &str = "webhook";

/// One kind of background work. Must be idempotent: a job may run again after a crash or
/// when a replica's claim ran out.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stored with each job; never rename one that may still be queued.
    const NAME: &'static str;
    /// Jobs with the same key are stored once, so queueing again (a replayed trigger) is safe.
    fn dedupe_key(&self) -> String;
    fn run<'a>(&'a self, ctx: &'a JobContext, queued: &'a Queued) -> BoxFuture<'a, Result<(), JobError>>;
}

/// Runs stored jobs of one name: [`Job`]s through [`Typed`], host deliveries through the
/// webhooks' own runner.
pub trait Runner: Send + Sync {
    fn run<'a>(&'a self, ctx: &'a JobContext, queued: &'a Queued) -> BoxFuture<'a, Result<(), JobError>>;
    /// What ran, in a failure's text for the provider ("job `create-contract`").
    fn label(&self, _ctx: &JobContext, queued: &Queued) -> String {
        format!("job `{}`", queued.job)
    }
}

/// A [`Job`] read back from its JSON and run.
struct Typed<J>(std::marker::PhantomData<fn() -> J>);

impl<J: Job> Runner for Typed<J> {
    fn run<'a>(&'a self, ctx: &'a JobContext, queued: &'a Queued) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let job: J = serde_json::from_str(&queued.params)
                .map_err(|e| JobError::Permanent(format!("job `{}` unreadable: {e}", J::NAME)))?;
            job.run(ctx, queued).await
        })
    }
}

/// Who a job is for, shown beside it on the provider's page.
pub struct For<'a> {
    pub host: &'a str,
    pub customer_web_id: &'a str,
    pub user_id: &'a str,
}

/// How long a claim holds and how often a job is tried (`webhooks.toml`).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub lock_secs: i64,
    pub max_attempts: i64,
}

/// The queue: its writer, its worker's signals, the runners by name, and who waits for what.
#[derive(Clone)]
pub struct Jobs(Arc<Shared>);

struct Shared {
    settings: Settings,
    runners: HashMap<&'static str, Arc<dyn Runner>>,
    db: Db,
    /// What the worker and jobs write through (see `store::processing_pool`).
    processing_db: Db,
    /// Started on first use, on the server's runtime.
    writer: OnceLock<mpsc::Sender<writer::Pending>>,
    /// Signalled after each commit, so the worker starts at once instead of at its next poll.
    committed: Arc<Notify>,
    /// Set at shutdown: the worker starts nothing new and hands back what it claimed.
    stopping: std::sync::atomic::AtomicBool,
    /// Calls waiting for a job's outcome, by job id (see [`Jobs::settled`]).
    waiters: std::sync::Mutex<HashMap<String, Vec<tokio::sync::oneshot::Sender<Outcome>>>>,
}

/// The runners a queue is built with.
#[derive(Default)]
pub struct Runners(HashMap<&'static str, Arc<dyn Runner>>);

impl Runners {
    /// Registers typed job `J` under its name.
    pub fn job<J: Job>(mut self) -> Self {
        self.0.insert(J::NAME, Arc::new(Typed::<J>(std::marker::PhantomData)));
        self
    }

    /// Registers `runner` for stored jobs named `name`.
    pub fn runner(mut self, name: &'static str, runner: impl Runner + 'static) -> Self {
        self.0.insert(name, Arc::new(runner));
        self
    }
}

impl Jobs {
    pub fn new(db: Db, settings: Settings, runners: Runners) -> Self {
        let processing_db = crate::server::store::processing_pool(&db);
        Jobs(Arc::new(Shared {
            settings,
            runners: runners.0,
            db,
            processing_db,
            writer: OnceLock::new(),
            committed: Arc::new(Notify::new()),
            stopping: std::sync::atomic::AtomicBool::new(false),
            waiters: Default::default(),
        }))
    }

    pub fn settings(&self) -> Settings {
        self.0.settings
    }

    /// The runner of stored jobs named `name`.
    pub fn runner(&self, name: &str) -> Option<Arc<dyn Runner>> {
        self.0.runners.get(name).cloned()
    }

    /// Queues `job` for `who`; resolves after the commit. Queued before (same dedupe key):
    /// the earlier job's id, marked duplicate.
    pub async fn enqueue<J: Job>(&self, job: &J, who: For<'_>, now: i64) -> Result<Stored, AppError> {
        let params = serde_json::to_string(job).map_err(|e| {
            tracing::error!(error = %e, job = J::NAME, "job not serialisable");
            AppError::Internal
        })?;
        self.store(NewJob {
            id: JobId::random(),
            job: J::NAME,
            host: who.host.to_string(),
            dedupe_key: job.dedupe_key(),
            service: J::NAME.to_string(),
            customer_web_id: who.customer_web_id.to_string(),
            user_id: who.user_id.to_string(),
            params,
            received_at: now,
            failure: None,
        })
        .await
    }

    /// Stores a job durably; resolves after the commit.
    pub async fn store(&self, job: NewJob) -> Result<Stored, AppError> {
        let sender = self.0.writer.get_or_init(|| writer::spawn(self.0.db.clone(), self.0.committed.clone()));
        let (host, service) = (job.host.clone(), job.service.clone());
        let stored = writer::submit(sender, job).await.map_err(|()| AppError::Internal)?;
        crate::server::metrics::delivery(&host, &service, if stored.duplicate { "duplicate" } else { "received" });
        Ok(stored)
    }

    /// The database jobs write to.
    pub fn processing_db(&self) -> &Db {
        &self.0.processing_db
    }

    /// Wakes the worker (a job was re-queued by hand).
    pub fn wake(&self) {
        self.0.committed.notify_one();
    }

    fn committed(&self) -> Arc<Notify> {
        self.0.committed.clone()
    }

    /// Asks the worker to stop: jobs already running finish, claimed ones not yet started
    /// are handed back at once (due now, for any replica), and the worker ends.
    pub fn stop(&self) {
        self.0.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.committed.notify_one();
    }

    pub fn is_stopping(&self) -> bool {
        self.0.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Registers a wait for job `id`'s outcome.
    pub fn waiter(&self, id: &str) -> tokio::sync::oneshot::Receiver<Outcome> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.waiting().entry(id.to_string()).or_default().push(tx);
        rx
    }

    /// Drops the waits for `id` (the caller stopped waiting).
    pub fn forget(&self, id: &str) {
        self.waiting().remove(id);
    }

    /// Tells whoever waits for `id` how its attempt ended; called after the commit.
    pub fn settled(&self, id: &str, outcome: Outcome) {
        for waiter in self.waiting().remove(id).unwrap_or_default() {
            let _ = waiter.send(outcome.clone());
        }
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<tokio::sync::oneshot::Sender<Outcome>>>> {
        self.0.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts the background worker (once per process; replicas each run one); it ends after
/// [`Jobs::stop`].
pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    worker::spawn(state)
}
