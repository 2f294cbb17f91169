//! Group commit: every accepted job (a host's delivery above all) must be on disk before we
//! answer, but one commit per request would cap us at the disk's fsync rate. So requests
//! hand their job to one writer task, which stores everything queued meanwhile in one
//! transaction, commits once, and then answers each request.

use crate::server::store::jobs::{insert, NewJob, Stored};
use crate::server::store::Db;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// Most deliveries stored in one transaction.
pub const BATCH: usize = 512;
/// Deliveries waiting for the writer before requests wait to hand theirs over.
const QUEUE: usize = 8 * BATCH;

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
        match insert(&db, &jobs.iter().map(|p| &p.job).collect::<Vec<_>>()).await {
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
                    let result = insert(&db, &[&job.job]).await;
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
