//! Group commit: every accepted job (a host's delivery above all) must be on disk before we
//! answer, but one commit per request would cap us at the disk's fsync rate. So requests
//! hand their job to one writer task, which stores everything queued meanwhile in one
//! transaction, commits once, and then answers each request.

use crate::contract::back_office::webhooks::DeliveryStatus;
use crate::server::store::Db;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// Most deliveries stored in one transaction.
pub const BATCH: usize = 512;
/// Deliveries waiting for the writer before requests wait to hand theirs over.
const QUEUE: usize = 8 * BATCH;

/// A job ready to store: a verified delivery, or a typed job ([`super::Jobs::enqueue`]).
pub struct NewJob {
    pub id: String,
    /// The runner it goes to ([`super::Job::NAME`] or [`super::INBOUND`]).
    pub job: &'static str,
    /// Who it came from (a host's code).
    pub host: String,
    /// Unique per host event (the host's own event id where it has one).
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

/// The stored delivery's id; `duplicate` when it had been stored before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub duplicate: bool,
}

pub struct Pending {
    job: NewJob,
    ack: oneshot::Sender<Result<Stored, ()>>,
}

/// Starts the writer task on the current runtime; `notify` is signalled after each commit.
pub fn spawn(db: Db, notify: Arc<Notify>) -> mpsc::Sender<Pending> {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(run(db, rx, notify));
    tx
}

/// Stores `job` through the writer; resolves once it is committed.
pub async fn submit(writer: &mpsc::Sender<Pending>, job: NewJob) -> Result<Stored, ()> {
    let (ack, done) = oneshot::channel();
    writer.send(Pending { job, ack }).await.map_err(|_| ())?;
    done.await.map_err(|_| ())?
}

async fn run(db: Db, mut rx: mpsc::Receiver<Pending>, notify: Arc<Notify>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut jobs, BATCH).await > 0 {
        match insert(&db, &jobs).await {
            Ok(stored) => {
                notify.notify_one();
                for (job, stored) in jobs.drain(..).zip(stored) {
                    let _ = job.ack.send(Ok(stored));
                }
            }
            Err(e) => {
                // One bad row must not refuse its neighbours: store each on its own.
                tracing::warn!(error = %e, count = jobs.len(), "webhook batch failed, storing one by one");
                for job in jobs.drain(..) {
                    let result = insert(&db, std::slice::from_ref(&job)).await;
                    let result = result.map(|mut s| s.remove(0)).map_err(|e| {
                        tracing::error!(error = %e, job = %job.job.id, "webhook delivery not stored");
                    });
                    notify.notify_one();
                    let _ = job.ack.send(result);
                }
            }
        }
    }
}

/// Parameters per row, and rows per INSERT statement: below SQLite's old limit of 999.
const COLUMNS: usize = 13;
const ROWS_PER_STATEMENT: usize = 64;

/// One transaction for all `jobs`; a delivery stored before reports the earlier id.
async fn insert(db: &Db, jobs: &[Pending]) -> Result<Vec<Stored>, sqlx::Error> {
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
        for Pending { job: d, .. } in chunk {
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
    let mut out: Vec<Stored> = jobs.iter().map(|j| Stored { id: j.job.id.clone(), duplicate: false }).collect();
    // Some were stored before (or twice in this batch): the stored row's id tells which.
    for c in short {
        let range = c * ROWS_PER_STATEMENT..((c + 1) * ROWS_PER_STATEMENT).min(jobs.len());
        for (job, stored) in jobs[range.clone()].iter().zip(out[range].iter_mut()) {
            let (id,): (String,) = sqlx::query_as("SELECT id FROM webhook_deliveries WHERE dedupe_key = $1")
                .bind(&job.job.dedupe_key)
                .fetch_one(&mut *tx)
                .await?;
            *stored = Stored { duplicate: id != job.job.id, id };
        }
    }
    tx.commit().await?;
    Ok(out)
}
