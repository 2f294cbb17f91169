//! Two server processes on one PostgreSQL database with one session key, as behind a load
//! balancer: a session from one is good on the other, one idempotency key sent to both at
//! once is one order, a callback replayed on the other changes the order once, and 2,000
//! webhook deliveries spread over both are each processed once — also when one replica is
//! killed with SIGKILL in the middle (the other takes over its claims).

use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_marktstand");
const SECRET: &str = "replica secret";
const PARAMS: &str = "customerName=Muster&customerWebId=4711&userId=17&apiClaim=c&parameterCacheId=pc&estateid=815";
const DELIVERIES: usize = 2000;
/// Replica A is killed once this many deliveries have been answered.
const KILL_AFTER: usize = 500;
/// Numbers the replicas' log files.
static REPLICAS: AtomicUsize = AtomicUsize::new(0);

struct Replica(Child, String);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn replica(dir: &Path, db: &str) -> Replica {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(BIN);
    command
        .env("MARKTSTAND_PUBLIC_URL", "http://shop.test:8443/")
        .env("MARKTSTAND_PROVIDER_SECRET", SECRET)
        .env("MARKTSTAND_SESSION_KEY", "55".repeat(32))
        .env("MARKTSTAND_SITE_ROOT", root)
        .env("MARKTSTAND_CATALOGUE", root.join("catalogue.toml"))
        .env("MARKTSTAND_WEBHOOKS", dir.join("webhooks.toml"))
        .env("DATABASE_URL", db);
    let log = dir.join(format!("replica-{}.log", REPLICAS.fetch_add(1, Ordering::SeqCst)));
    let (child, base) = crate::common::spawn_server(command, &log);
    // Owned at once, so it is killed and reaped however this ends.
    let replica = Replica(child, base);
    for _ in 0..300 {
        if reqwest::get(format!("{}/readyz", replica.1)).await.is_ok_and(|r| r.status().is_success()) {
            return replica;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("replica did not become ready");
}

fn signed(path_and_query: &str) -> String {
    let url = format!("http://shop.test:8443{path_and_query}");
    let signed = signing::url::sign_url(SECRET.as_bytes(), &url, marktstand::server::clock::now()).unwrap();
    signed.split_once("8443").unwrap().1.to_string()
}

async fn launch(base: &str) -> String {
    let query = signed(&format!("/?{PARAMS}")).split_once('?').unwrap().1.to_string();
    let res = crate::common::post_launch(base, &query).await;
    assert_eq!(res.status(), 200);
    let launch: marktstand::contract::launch::Launch = postcard::from_bytes(&res.bytes().await.unwrap()).unwrap();
    launch.token
}

async fn post(base: &str, path: &str, token: &str, body: Option<serde_json::Value>) -> reqwest::Response {
    let req = reqwest::Client::new().post(format!("{base}{path}")).bearer_auth(token);
    match body {
        Some(json) => req.json(&json).send().await.unwrap(),
        None => req.send().await.unwrap(),
    }
}

/// A database of its own on the test PostgreSQL server, so nothing else runs in it.
async fn fresh_database(server: &str) -> String {
    let admin = marktstand::server::store::connect(server).await.unwrap();
    let name = format!("marktstand_replicas_{}_{}", std::process::id(), marktstand::server::clock::now());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_one_postgres_act_as_one() {
    let Some(server) = crate::common::postgres() else { return };
    let db = fresh_database(&server).await;
    let dir: PathBuf = crate::common::scratch_dir("replicas");
    let shipped = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("webhooks.toml")).unwrap();
    std::fs::write(dir.join("webhooks.toml"), format!("lock_secs = 2\n{shipped}")).unwrap();
    let a = replica(&dir, &db).await;
    let b = replica(&dir, &db).await;

    // A session from A is good on B; a tampered one on neither.
    let token = launch(&a.1).await;
    assert_eq!(post(&b.1, "/api/catalogue", &token, None).await.status(), 200);
    // One character in the middle changed (to another one: `A` unless it is one already).
    let mut tampered = token.clone().into_bytes();
    tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for base in [&a.1, &b.1] {
        assert_eq!(post(base, "/api/catalogue", &tampered, None).await.status(), 401);
    }

    // One key, sent to both at once: one order.
    let body = serde_json::json!({"request": {"Products": {"lines": [{"product_id": "expose-text", "quantity": 1, "circle": null}]}},
                                  "idempotency_key": "both-at-once"});
    let answers = futures::future::join_all(
        (0..12).map(|i| post(if i % 2 == 0 { &a.1 } else { &b.1 }, "/api/create_order", &token, Some(body.clone()))),
    )
    .await;
    let mut ids = std::collections::HashSet::new();
    for res in answers {
        assert_eq!(res.status(), 200);
        let placed: marktstand::contract::orders::PlacedOrder =
            postcard::from_bytes(&res.bytes().await.unwrap()).unwrap();
        ids.insert(placed.order_id);
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    let id = ids.into_iter().next().unwrap();

    // A callback applied on A and replayed on B changes the order once.
    let paid = signed(&format!("/orders/callback?order={id}&status=success&transactionid=T-1"));
    for base in [&a.1, &b.1] {
        assert_eq!(reqwest::get(format!("{base}{paid}")).await.unwrap().status(), 200);
    }
    let pool = marktstand::server::store::connect(&db).await.unwrap();
    let steps = marktstand::server::store::orders::order_events(&pool, &id.as_str().into()).await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");

    // 2,000 deliveries over both; A is killed after 500 answers, B goes on alone. One more
    // delivery goes to A after the kill, as a sender would try it, so that the kill is felt:
    // A may well have answered everything in flight before the signal landed.
    let pid = a.0.id().to_string();
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let [killed, probed, a_down] = [(); 3].map(|()| Arc::new(AtomicBool::new(false)));
    // A request the kill leaves hanging counts as unanswered: the burst always ends.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    futures::stream::iter(0..DELIVERIES)
        .map(|i| {
            let (client, answered, count, pid) = (client.clone(), answered.clone(), count.clone(), pid.clone());
            let to_a = i % 2 == 0 && (!killed.load(Ordering::SeqCst) || !probed.swap(true, Ordering::SeqCst));
            let base = if to_a { a.1.clone() } else { b.1.clone() };
            let (killed, a_down) = (killed.clone(), a_down.clone());
            async move {
                let path = signed(&format!("/webhooks/valuation-request?customerWebId=4711&estateid={i}"));
                let Ok(res) = client.get(format!("{base}{path}")).send().await else {
                    if to_a && killed.load(Ordering::SeqCst) {
                        a_down.store(true, Ordering::SeqCst);
                    }
                    return;
                };
                if !res.status().is_success() {
                    return;
                }
                let body: serde_json::Value = res.json().await.unwrap_or_default();
                if let Some(id) = body["id"].as_str() {
                    answered.lock().unwrap().push(id.to_string());
                }
                if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    Command::new("kill").args(["-9", &pid]).status().unwrap();
                    killed.store(true, Ordering::SeqCst);
                }
            }
        })
        .buffer_unordered(64)
        .collect::<Vec<()>>()
        .await;
    drop(a);
    let answered = answered.lock().unwrap().clone();
    assert!(answered.len() >= DELIVERIES - 64, "most deliveries were answered: {}", answered.len());
    assert!(a_down.load(Ordering::SeqCst), "A was killed in the middle of the burst");
    eprintln!("answered {} of {DELIVERIES}", answered.len());

    let one = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    let mut open = i64::MAX;
    for _ in 0..300 {
        open = one("SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'done'").await;
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(open, 0, "B finished everything, including A's claims");
    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM webhook_deliveries").fetch_all(&pool).await.unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    assert!(answered.iter().all(|id| stored.contains(id)), "an answered delivery is missing");
    assert_eq!(one("SELECT COUNT(*) FROM valuation_requests").await, stored.len() as i64, "handler rows = deliveries");
    // Only what A had claimed when it died ran a second time.
    let again = one("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts > 1").await;
    assert!(again <= 64, "{again} deliveries ran twice");
    let _ = std::fs::remove_dir_all(&dir);
}
