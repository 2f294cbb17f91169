//! The inbound pipeline's promises, with handlers written for the test: the answer comes
//! before processing (a handler held on a gate), a panicking or hanging handler becomes a
//! retry with its reason, one that never recovers fails after the last attempt, and all of
//! it holds on PostgreSQL as on SQLite.

use crate::common::*;
use futures::future::BoxFuture;
use marktstand::contract::back_office::webhooks::DeliveryStatus;
use marktstand::server::jobs::{JobContext, JobError};
use marktstand::server::webhooks::{Delivery, Registry, WebhookConfig, WebhookHandler};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Waits until the test opens its gate; counts how often it started.
struct Gated(Arc<Semaphore>, Arc<AtomicUsize>);

impl WebhookHandler for Gated {
    fn name(&self) -> &'static str {
        "gated"
    }
    fn handle<'a>(&'a self, _: &'a JobContext, _: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.acquire().await.unwrap().forget();
            Ok(())
        })
    }
}

struct Panics;

impl WebhookHandler for Panics {
    fn name(&self) -> &'static str {
        "panics"
    }
    fn handle<'a>(&'a self, _: &'a JobContext, _: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move { panic!("a bug in the handler") })
    }
}

/// An upstream that never recovers.
struct Busy;

impl WebhookHandler for Busy {
    fn name(&self) -> &'static str {
        "busy"
    }
    fn handle<'a>(&'a self, _: &'a JobContext, _: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move { Err(JobError::Retry("upstream busy".into())) })
    }
}

struct Hangs;

impl WebhookHandler for Hangs {
    fn name(&self) -> &'static str {
        "hangs"
    }
    fn handle<'a>(&'a self, _: &'a JobContext, _: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        })
    }
}

async fn server_with(db: &str, gate: Arc<Semaphore>) -> TestServer {
    server_locking(db, gate, 2, Arc::new(AtomicUsize::new(0))).await
}

/// `lock_secs` for the claims; `entered` counts the gated handler's starts.
async fn server_locking(db: &str, gate: Arc<Semaphore>, lock_secs: u32, entered: Arc<AtomicUsize>) -> TestServer {
    let dir = crate::common::scratch_dir("pipeline");
    let file = dir.join("webhooks.toml");
    let services: String = ["gated", "panics", "hangs", "busy"]
        .iter()
        // The background worker's promises: answered at once, nothing run in the request.
        .map(|n| format!("[[webhook]]\nname = \"{n}\"\nhandler = \"{n}\"\ndeadline_secs = 0\n"))
        .collect();
    // Claims of 2 s: a handler gets half of it (1 s) before it counts as hanging. Two
    // attempts, so giving up is seen within the test (2 s of backoff between them).
    std::fs::write(&file, format!("lock_secs = {lock_secs}\nmax_attempts = 2\n{services}")).unwrap();
    let mut registry = Registry::builtin();
    registry.register(Gated(gate, entered)).register(Panics).register(Hangs).register(Busy);
    let mut config = marktstand::server::config::Config::from_args(args(db)).unwrap();
    config.webhooks = WebhookConfig::load_with(&file, &registry).unwrap();
    start_config(config).await
}

fn rand_name() -> String {
    marktstand::server::ids::new_id()
}

fn signed(service: &str, estate: &str) -> String {
    let url = format!("http://shop.test:8443/webhooks/{service}?customerWebId=4711&estateid={estate}");
    signing::url::sign_url(SECRET.as_bytes(), &url, now()).unwrap().split_once("8443").unwrap().1.to_string()
}

async fn deliver(server: &TestServer, service: &str) -> String {
    let res = reqwest::get(format!("{}{}", server.base, signed(service, &rand_name()))).await.unwrap();
    assert_eq!(res.status(), 202);
    res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn row(server: &TestServer, id: &str) -> (DeliveryStatus, Option<String>) {
    let (status, error): (String, Option<String>) =
        sqlx::query_as("SELECT status, last_error FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    (DeliveryStatus::from_code(&status).unwrap(), error)
}

/// Waits until delivery `id` reaches `status`; returns its error text.
async fn reaches(server: &TestServer, id: &str, status: DeliveryStatus) -> Option<String> {
    for _ in 0..200 {
        let (now_at, error) = row(server, id).await;
        if now_at == status {
            return error;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("delivery {id} never reached {status:?}: {:?}", row(server, id).await);
}

async fn the_pipeline_keeps_its_promises(db: &str) {
    let gate = Arc::new(Semaphore::new(0));
    let server = server_with(db, gate.clone()).await;

    // Answered while the handler has not finished (it cannot: the gate is shut).
    let id = deliver(&server, "gated").await;
    let (status, _) = row(&server, &id).await;
    assert!(matches!(status, DeliveryStatus::Queued | DeliveryStatus::Working), "{status:?}");
    // Claimed and in its handler, which waits at the gate: not done before the gate opens.
    reaches(&server, &id, DeliveryStatus::Working).await;
    assert_ne!(row(&server, &id).await.0, DeliveryStatus::Done, "not done while the handler waits");
    gate.add_permits(1);
    reaches(&server, &id, DeliveryStatus::Done).await;

    // A panic and a hang are retries with the reason, and the worker goes on.
    let panicked = deliver(&server, "panics").await;
    let hung = deliver(&server, "hangs").await;
    let reason = reaches(&server, &panicked, DeliveryStatus::Retry).await.unwrap();
    assert_eq!(reason, "handler `panics` panicked");
    let reason = reaches(&server, &hung, DeliveryStatus::Retry).await.unwrap();
    assert_eq!(reason, "handler `hangs` took longer than 1 s");
    let after = deliver(&server, "gated").await;
    gate.add_permits(1);
    reaches(&server, &after, DeliveryStatus::Done).await;

    // One that keeps asking for a retry is given up after the last attempt, with the reason.
    let busy = deliver(&server, "busy").await;
    assert_eq!(reaches(&server, &busy, DeliveryStatus::Retry).await.as_deref(), Some("upstream busy"));
    let reason = reaches(&server, &busy, DeliveryStatus::Failed).await;
    assert_eq!(reason.as_deref(), Some("upstream busy (gave up after 2 attempts)"));
    let (attempts,): (i64,) = sqlx::query_as("SELECT attempts FROM webhook_deliveries WHERE id = $1")
        .bind(&busy)
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(attempts, 2);
}

/// A stopping worker lets running handlers finish and hands the rest of its claim back at
/// once (not after `lock_secs`), uncounted, for another replica to take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_worker_hands_back_what_it_has_not_started() {
    let db = temp_db();
    let gate = Arc::new(Semaphore::new(0));
    let entered = Arc::new(AtomicUsize::new(0));
    // Forty deliveries stored while no worker runs (this server's worker is stopped at once).
    let intake = server_locking(&db, gate.clone(), 60, Arc::new(AtomicUsize::new(0))).await;
    intake.state.jobs.stop();
    let ids: Vec<String> = futures::future::join_all((0..40).map(|_| deliver(&intake, "gated"))).await;
    // A worker with claims of a minute: without the hand-back, no other could take them sooner.
    let server = server_locking(&db, gate.clone(), 60, entered.clone()).await;
    let count = |sql: &'static str| {
        let db = server.state.db.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db).await.unwrap() }
    };
    // Wait until handlers wait at the gate (16 run at once).
    for _ in 0..200 {
        if entered.load(Ordering::SeqCst) == 16 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(entered.load(Ordering::SeqCst), 16);
    server.state.jobs.stop();
    gate.add_permits(100);
    tokio::time::timeout(Duration::from_secs(10), server.worker).await.expect("the worker stops").unwrap();
    let started = entered.load(Ordering::SeqCst) as i64;
    assert_eq!(count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'done'").await, started);
    assert_eq!(count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'working'").await, 0, "no claim kept");
    let waiting =
        "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'queued' AND attempts = 0 AND locked_until IS NULL";
    assert_eq!(count(waiting).await, 40 - started, "the rest is due again, its attempt not counted");

    // Another replica on the same database takes them at once, not after the minute.
    let other = server_locking(&db, gate.clone(), 60, Arc::new(AtomicUsize::new(0))).await;
    for id in &ids {
        reaches(&other, id, DeliveryStatus::Done).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite() {
    the_pipeline_keeps_its_promises(&temp_db()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres() {
    if let Some(url) = postgres() {
        the_pipeline_keeps_its_promises(&url).await;
    }
}
