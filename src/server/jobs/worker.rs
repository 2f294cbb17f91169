//! The background worker: runs each stored job, retries with backoff, and records the
//! outcome. Jobs are claimed with a conditional UPDATE, so several
//! replicas can share the table, and a claim from a process that died runs out after
//! `lock_secs` (webhooks.toml) and is picked up again.

use super::{JobContext, JobError, Queued};
use crate::contract::back_office::webhooks::DeliveryStatus;
use crate::server::ids::JobId;
use crate::server::{clock::now, store, AppState};
use futures::{FutureExt, StreamExt};
use std::time::Duration;

/// Attempts before a delivery that keeps asking for a retry is given up (`failed`), unless
/// `webhooks.toml` sets `max_attempts`.
pub const MAX_ATTEMPTS: i64 = 8;
/// Longest wait between two attempts.
pub const MAX_BACKOFF_SECS: i64 = 3600;
/// How often the table is looked at when no commit woke the worker.
const POLL: Duration = Duration::from_millis(200);
/// Deliveries claimed per round, and how many of them run at once.
const CLAIM: i64 = 64;
const CONCURRENCY: usize = 16;

/// Seconds to wait after the `attempts`-th failed attempt: 2^attempts, at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    2i64.saturating_pow(attempts.clamp(0, 62) as u32).min(MAX_BACKOFF_SECS)
}

/// What to record after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Done,
    Retry { at: i64, error: String },
    Failed { error: String },
}

/// The step after the `attempts`-th of at most `max_attempts` attempts ended with `outcome` at `now`.
pub fn next_step(attempts: i64, max_attempts: i64, outcome: &Result<(), JobError>, now: i64) -> Step {
    match outcome {
        Ok(()) => Step::Done,
        Err(JobError::Permanent(error)) => Step::Failed { error: error.clone() },
        Err(JobError::Retry(error)) if attempts >= max_attempts => {
            Step::Failed { error: format!("{error} (gave up after {attempts} attempts)") }
        }
        Err(JobError::Retry(error)) => Step::Retry { at: now + backoff_secs(attempts), error: error.clone() },
    }
}

/// Runs until stopped. Wakes after each commit of new deliveries, and polls.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let notify = state.jobs.committed();
        while !state.jobs.is_stopping() {
            let worked = match round(&state).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "job worker");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    _ = notify.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        }
        tracing::info!("job worker stopped");
    })
}

/// Claims what is due, runs it, records the outcomes. Returns how many ran.
async fn round(state: &AppState) -> Result<usize, sqlx::Error> {
    let db = state.jobs.processing_db();
    let lock_secs = state.jobs.settings().lock_secs;
    let at = now();
    // Also marks the claim as ours: the outcome is recorded only while it still holds.
    let until = at + lock_secs;
    let jobs = store::jobs::claim(db, at, CLAIM, until).await?;
    if jobs.is_empty() {
        return Ok(0);
    }
    let ctx = JobContext { db: db.clone(), state: state.clone() };
    // Within the claim, so no other worker starts the same delivery meanwhile.
    let limit = Duration::from_secs((lock_secs / 2) as u64);
    let ran: Vec<(Queued, Option<Result<(), JobError>>)> = futures::stream::iter(jobs)
        .map(|d| {
            let ctx = &ctx;
            async move {
                // At shutdown what has not started goes back to the queue, untouched.
                if ctx.state.jobs.is_stopping() {
                    return (d, None);
                }
                let outcome = run(ctx, &d, limit).await;
                (d, Some(outcome))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;

    let at = now();
    let mut tx = db.begin().await?;
    let mut outcomes = Vec::with_capacity(ran.len());
    for (d, outcome) in ran {
        match outcome {
            Some(outcome) => outcomes.push((d, outcome)),
            None => store::jobs::hand_back(&mut tx, &d.id, until, at).await?,
        }
    }
    let mut recorded = Vec::with_capacity(outcomes.len());
    for (d, outcome) in &outcomes {
        let step = record(&mut tx, d, outcome, until, state.jobs.settings().max_attempts, at).await?;
        recorded.push((d.id.as_str(), step));
    }
    tx.commit().await?;
    // Committed: whoever waits for these (the sender's call, `await_outcome`) learns how they ended.
    for (id, step) in recorded {
        state.jobs.settled(id, Outcome::of(step));
    }
    Ok(outcomes.len())
}

/// Records the outcome of one attempt while the claim that ran it (`until`) still holds, with
/// its line in the delivery's history; returns the step taken (None: the claim had run out
/// and another worker owns the delivery now).
async fn record(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    d: &Queued,
    outcome: &Result<(), JobError>,
    until: i64,
    max_attempts: i64,
    at: i64,
) -> Result<Option<Step>, sqlx::Error> {
    let step = next_step(d.attempts, max_attempts, outcome, at);
    match &step {
        Step::Done => tracing::debug!(job = %d.id, "job done"),
        Step::Retry { error, .. } => {
            tracing::info!(job = %d.id, attempts = d.attempts, %error, "job will retry")
        }
        Step::Failed { error } => tracing::warn!(job = %d.id, service = %d.service, %error, "job failed"),
    }
    let (status, error, next_at, processed_at) = match step.clone() {
        Step::Done => (DeliveryStatus::Done, None, at, Some(at)),
        Step::Retry { at: next, error } => (DeliveryStatus::Retry, Some(error), next, None),
        Step::Failed { error } => (DeliveryStatus::Failed, Some(error), at, Some(at)),
    };
    crate::server::metrics::delivery(&d.host, &d.service, status.code());
    let attempt = store::jobs::Attempt { status, error: error.as_deref(), next_at, processed_at, at };
    if !store::jobs::record_attempt(tx, d, &attempt, until).await? {
        return Ok(None);
    }
    Ok(Some(step))
}

/// How a delivery processed while its sender waits ended, as far as the deadline let us see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Failed for good; the reason says what to fix.
    Failed(String),
    /// Failed for now and retried in the background.
    WillRetry(String),
    /// Not finished at the deadline: it goes on in the background.
    Running,
}

impl Outcome {
    fn of(step: Option<Step>) -> Self {
        match step {
            Some(Step::Done) => Outcome::Done,
            Some(Step::Failed { error }) => Outcome::Failed(error),
            Some(Step::Retry { error, .. }) => Outcome::WillRetry(error),
            None => Outcome::Running,
        }
    }

    /// What the stored row says now.
    fn of_row(status: &str, error: Option<String>) -> Self {
        match DeliveryStatus::from_code(status) {
            Some(DeliveryStatus::Done) => Outcome::Done,
            Some(DeliveryStatus::Failed) => Outcome::Failed(error.unwrap_or_default()),
            Some(DeliveryStatus::Retry) => Outcome::WillRetry(error.unwrap_or_default()),
            _ => Outcome::Running,
        }
    }
}

/// Waits until delivery `id` has been processed (by this process's worker, which is woken by
/// its commit and says so at once, or by another replica's, seen in the table), at most
/// `deadline`; `Running` when it has not finished by then (it goes on in the background).
pub async fn await_outcome(state: &AppState, id: &JobId, deadline: Duration) -> Result<Outcome, sqlx::Error> {
    let until = tokio::time::Instant::now() + deadline;
    let signalled = state.jobs.waiter(id);
    // Whichever way this call ends (answered, or dropped when its client went away), its wait goes.
    let _registered = Registered(state, id);
    let db = state.jobs.processing_db().clone();
    // Already settled (a repeated call, or the worker was quicker than this registration)?
    let now_at = wait_for(&db, id, tokio::time::Instant::now()).await?;
    if now_at != Outcome::Running {
        return Ok(now_at);
    }
    // A wait dropped by another call for the same delivery falls back to reading the table,
    // a step after the read above.
    let polled = async {
        tokio::time::sleep(WAIT_STEP).await;
        wait_for(&db, id, until).await
    };
    tokio::select! {
        Ok(outcome) = signalled => Ok(outcome),
        polled = polled => polled,
    }
}

/// Forgets the waits for a delivery when the call that registered one ends.
struct Registered<'a>(&'a AppState, &'a str);

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.0.jobs.forget(self.1);
    }
}

/// Reads the delivery's state until it is settled or `until` has come.
async fn wait_for(
    db: &crate::server::store::Db,
    id: &JobId,
    until: tokio::time::Instant,
) -> Result<Outcome, sqlx::Error> {
    loop {
        let (status, error) = store::jobs::status(db, id).await?;
        let outcome = Outcome::of_row(&status, error);
        if outcome != Outcome::Running || tokio::time::Instant::now() + WAIT_STEP > until {
            return Ok(outcome);
        }
        tokio::time::sleep(WAIT_STEP).await;
    }
}

/// How often [`wait_for`] looks (for another replica's worker; this one's says so at once).
const WAIT_STEP: Duration = Duration::from_millis(250);

/// The job's runner, guarded: a panic or a hang becomes a retry, not a dead worker.
async fn run(ctx: &JobContext, q: &Queued, limit: Duration) -> Result<(), JobError> {
    let Some(runner) = ctx.state.jobs.runner(&q.job) else {
        return Err(JobError::Retry(format!("no runner for job `{}` in this build", q.job)));
    };
    match tokio::time::timeout(limit, std::panic::AssertUnwindSafe(runner.run(ctx, q)).catch_unwind()).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(JobError::Retry(format!("{} panicked", runner.label(ctx, q)))),
        Err(_) => Err(JobError::Retry(format!("{} took longer than {} s", runner.label(ctx, q), limit.as_secs()))),
    }
}
