//! The job queue's rows (`webhook_deliveries`, with each attempt in `webhook_attempts`):
//! storing jobs in batches, claiming what is due, recording each attempt, handing back what
//! was not started, and the list the provider sees.

use super::{Conditions, Db, Value};
use crate::contract::back_office::webhooks::{AttemptRow, DeliveryStatus, Requeued, WebhookFilter, WebhookRow};
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::server::ids::JobId;
use std::collections::HashMap;

/// A job ready to store: a verified delivery, or a typed job (`server::jobs::Jobs::enqueue`).
pub struct NewJob {
    pub id: JobId,
    /// The runner it goes to (a job's `NAME`, or `webhook` for a host's delivery).
    pub job: &'static str,
    /// Who it came from (a host's code).
    pub host: String,
    /// Unique per job (the host's own event id where it has one).
    pub dedupe_key: String,
    pub service: String,
    pub customer_web_id: String,
    pub user_id: String,
    /// The parameters as a JSON object.
    pub params: String,
    pub received_at: i64,
    /// Why it can never be processed: stored `failed` with this reason, never dropped.
    pub failure: Option<String>,
}

/// The stored job's id; `duplicate` when it had been stored before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: JobId,
    pub duplicate: bool,
}

/// A stored job as the worker claimed it.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Queued {
    pub id: JobId,
    /// The runner it goes to.
    pub job: String,
    /// Who it came from (a host's code), for the provider's page and the metrics.
    pub host: String,
    /// What it is about: the job's name, or the webhook service or category.
    pub service: String,
    pub customer_web_id: String,
    pub user_id: String,
    /// The job as JSON.
    pub params: String,
    /// This attempt's number, from 1.
    pub attempts: i64,
    pub received_at: i64,
    pub retry_round: i64,
}

/// Parameters per row, and rows per INSERT statement: below SQLite's old limit of 999.
const COLUMNS: usize = 13;
const ROWS_PER_STATEMENT: usize = 64;

/// Stores `jobs` in one transaction; a job stored before (same dedupe key) reports the
/// earlier id.
pub async fn insert(db: &Db, jobs: &[&NewJob]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut short = Vec::new();
    for (c, chunk) in jobs.chunks(ROWS_PER_STATEMENT).enumerate() {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p: Vec<String> = (1..=COLUMNS).map(|i| format!("${}", r * COLUMNS + i)).collect();
                format!("({}, 0)", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, job, dedupe_key, host, service, customer_web_id, user_id, params, \
             status, last_error, received_at, next_attempt_at, processed_at, attempts) VALUES {} \
             ON CONFLICT (dedupe_key) DO NOTHING",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for d in chunk {
            let status = if d.failure.is_some() { DeliveryStatus::Failed } else { DeliveryStatus::Queued };
            query = query
                .bind(&d.id)
                .bind(d.job)
                .bind(&d.dedupe_key)
                .bind(&d.host)
                .bind(&d.service)
                .bind(&d.customer_web_id)
                .bind(&d.user_id)
                .bind(&d.params)
                .bind(status.code())
                .bind(&d.failure)
                .bind(d.received_at)
                .bind(d.received_at)
                .bind(d.failure.as_ref().map(|_| d.received_at));
        }
        if (query.execute(&mut *tx).await?.rows_affected() as usize) < chunk.len() {
            short.push(c);
        }
    }
    let mut out: Vec<Stored> = jobs.iter().map(|j| Stored { id: j.id.clone(), duplicate: false }).collect();
    // Some were stored before (or twice in this batch): the stored row's id tells which.
    for c in short {
        let range = c * ROWS_PER_STATEMENT..((c + 1) * ROWS_PER_STATEMENT).min(jobs.len());
        for (job, stored) in jobs[range.clone()].iter().zip(out[range].iter_mut()) {
            let (id,): (JobId,) = sqlx::query_as("SELECT id FROM webhook_deliveries WHERE dedupe_key = $1")
                .bind(&job.dedupe_key)
                .fetch_one(&mut *tx)
                .await?;
            *stored = Stored { duplicate: id != job.id, id };
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// What is due: claims whose process died, then retries, then new deliveries, oldest first.
/// One status per query, so each is a range of the (status, next_attempt_at) index even
/// with a large backlog.
const DUE: [&str; 3] = [
    "SELECT id FROM webhook_deliveries WHERE status = 'working' AND locked_until < $1 LIMIT $2",
    "SELECT id FROM webhook_deliveries WHERE status = 'retry' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
    "SELECT id FROM webhook_deliveries WHERE status = 'queued' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
];

/// Claims up to `claim` due jobs until `until` (claims whose process died first, then retries,
/// then new jobs, oldest first) and reads them.
pub async fn claim(db: &Db, at: i64, claim: i64, until: i64) -> Result<Vec<Queued>, sqlx::Error> {
    let mut due: Vec<(String,)> = Vec::new();
    for sql in DUE {
        let limit = claim - due.len() as i64;
        if limit > 0 {
            due.extend(sqlx::query_as(sql).bind(at).bind(limit).fetch_all(db).await?);
        }
    }
    if due.is_empty() {
        return Ok(Vec::new());
    }
    // One lock order for every replica, so two claiming the same rows cannot deadlock.
    due.sort();
    let mut claimed = Vec::new();
    let mut tx = db.begin().await?;
    for (id,) in due {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'working', attempts = attempts + 1, locked_until = $2 \
             WHERE id = $1 AND ((status IN ('queued', 'retry') AND next_attempt_at <= $3) \
             OR (status = 'working' AND locked_until < $3))",
        )
        .bind(&id)
        .bind(until)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(id);
        }
    }
    tx.commit().await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }

    // The claimed rows in one read (claims stay within CLAIM, below any bind limit).
    let placeholders: Vec<String> = (1..=claimed.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, job, host, service, customer_web_id, user_id, params, attempts, received_at, retry_round \
         FROM webhook_deliveries WHERE id IN ({}) ORDER BY id",
        placeholders.join(", ")
    );
    claimed.iter().fold(sqlx::query_as::<_, Queued>(&sql), |q, id| q.bind(id)).fetch_all(db).await
}

/// How an attempt ended, as recorded.
pub struct Attempt<'a> {
    pub status: DeliveryStatus,
    pub error: Option<&'a str>,
    /// When it is due again (retries), or `at`.
    pub next_at: i64,
    /// When it was settled (done or failed).
    pub processed_at: Option<i64>,
    pub at: i64,
}

/// Records job `d`'s attempt while the claim that ran it (`until`) still holds, with its line
/// in the job's history; false when the claim had run out (another worker owns it now).
pub async fn record_attempt(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    d: &Queued,
    a: &Attempt<'_>,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let recorded = sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, last_error = $3, next_attempt_at = $4, processed_at = $5, \
         locked_until = NULL WHERE id = $1 AND status = 'working' AND locked_until = $6",
    )
    .bind(&d.id)
    .bind(a.status.code())
    .bind(a.error)
    .bind(a.next_at)
    .bind(a.processed_at)
    .bind(until)
    .execute(&mut **tx)
    .await?;
    if recorded.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, retry_round, attempt, finished_at, outcome, error) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, retry_round, attempt) DO NOTHING",
    )
    .bind(&d.id)
    .bind(d.retry_round)
    .bind(d.attempts)
    .bind(a.at)
    .bind(a.status.code())
    .bind(a.error)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// A job's status and last error, as stored.
pub async fn status(db: &Db, id: &JobId) -> Result<(String, Option<String>), sqlx::Error> {
    sqlx::query_as("SELECT status, last_error FROM webhook_deliveries WHERE id = $1").bind(id).fetch_one(db).await
}

/// Returns a claimed, unstarted delivery to where it was: due now, its attempt not counted.
pub async fn hand_back(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    until: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = CASE WHEN attempts > 1 THEN 'retry' ELSE 'queued' END, \
         attempts = attempts - 1, next_attempt_at = $2, locked_until = NULL \
         WHERE id = $1 AND status = 'working' AND locked_until = $3",
    )
    .bind(id)
    .bind(at)
    .bind(until)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Jobs waiting per status (`queued`, `retry`, `working`) with the oldest one's arrival.
pub async fn waiting(db: &Db) -> Result<Vec<(String, i64, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status, COUNT(*), MIN(received_at) FROM webhook_deliveries \
         WHERE status IN ('queued', 'retry', 'working') GROUP BY status",
    )
    .fetch_all(db)
    .await
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
pub async fn retry(db: &Db, id: &JobId, seen_round: i64, who: &str, now: i64) -> Result<Requeued, AppError> {
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
