//! Group commit: every accepted delivery must be on disk before we answer, but one commit
//! per request would cap us at the disk's fsync rate. So requests hand their delivery to
//! one writer task, which stores everything queued meanwhile in one transaction, commits
//! once, and then answers each request.

use crate::server::storage::Db;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// Most deliveries stored in one transaction.
pub const BATCH: usize = 512;
/// Deliveries waiting for the writer before requests wait to hand theirs over.
const QUEUE: usize = 8 * BATCH;

/// A verified delivery, ready to store.
pub struct NewDelivery {
    pub id: String,
    pub dedupe_key: String,
    pub service: String,
    pub customer_web_id: String,
    pub user_id: String,
    /// The parameters as a JSON object.
    pub params: String,
    pub received_at: i64,
}

/// The stored delivery's id; `duplicate` when it had been stored before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub duplicate: bool,
}

pub struct Job {
    delivery: NewDelivery,
    ack: oneshot::Sender<Result<Stored, ()>>,
}

/// Starts the writer task on the current runtime; `notify` is signalled after each commit.
pub fn spawn(db: Db, notify: Arc<Notify>) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(run(db, rx, notify));
    tx
}

/// Stores `delivery` through the writer; resolves once it is committed.
pub async fn submit(writer: &mpsc::Sender<Job>, delivery: NewDelivery) -> Result<Stored, ()> {
    let (ack, done) = oneshot::channel();
    writer.send(Job { delivery, ack }).await.map_err(|_| ())?;
    done.await.map_err(|_| ())?
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, notify: Arc<Notify>) {
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
                        tracing::error!(error = %e, delivery = %job.delivery.id, "webhook delivery not stored");
                    });
                    notify.notify_one();
                    let _ = job.ack.send(result);
                }
            }
        }
    }
}

/// One transaction for all `jobs`; a delivery stored before reports the earlier id.
async fn insert(db: &Db, jobs: &[Job]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(jobs.len());
    for Job { delivery: d, .. } in jobs {
        let inserted = sqlx::query(
            "INSERT INTO webhook_deliveries (id, dedupe_key, service, customer_web_id, user_id, params, \
             status, attempts, received_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&d.id)
        .bind(&d.dedupe_key)
        .bind(&d.service)
        .bind(&d.customer_web_id)
        .bind(&d.user_id)
        .bind(&d.params)
        .bind(d.received_at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            out.push(Stored { id: d.id.clone(), duplicate: false });
        } else {
            let (id,): (String,) = sqlx::query_as("SELECT id FROM webhook_deliveries WHERE dedupe_key = $1")
                .bind(&d.dedupe_key)
                .fetch_one(&mut *tx)
                .await?;
            out.push(Stored { id, duplicate: true });
        }
    }
    tx.commit().await?;
    Ok(out)
}
