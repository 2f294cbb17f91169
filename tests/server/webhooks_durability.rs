//! No accepted delivery is lost: the real binary is killed with SIGKILL in the middle of a
//! burst of deliveries from all three hosts (onOffice, Kolibri24, Oneflow); after a restart
//! on the same database every delivery that was answered 2xx is there, and all of them get
//! processed.

use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_marktstand");
const SECRET: &str = "durability secret";
const DELIVERIES: usize = 800;
/// The server is killed once this many deliveries have been answered.
const KILL_AFTER: usize = 150;

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

async fn start(dir: &Path, db: &str) -> (Server, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--provider-secret", SECRET])
        .env("MARKTSTAND_PUBLIC_URL", "http://shop.test:8443/")
        .env("MARKTSTAND_SITE_ROOT", dir)
        .env("MARKTSTAND_CATALOGUE", root.join("catalogue.toml"))
        .env("MARKTSTAND_WEBHOOKS", dir.join("webhooks.toml"))
        .env("MARKTSTAND_SESSION_KEY", "33".repeat(32))
        .env("MARKTSTAND_KOLIBRI24_WEBHOOK_TOKENS", "burst-token")
        .env("MARKTSTAND_ONEFLOW_SIGN_KEY", "burst-key")
        .env("DATABASE_URL", db);
    let (child, base) = crate::common::spawn_server(command, &dir.join("server.log"));
    let server = Server(child);
    for _ in 0..300 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return (server, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start: {}", std::fs::read_to_string(dir.join("server.log")).unwrap_or_default());
}

/// Delivery `i` of the burst: by turns an onOffice webhook, a Kolibri24 envelope with one
/// Entity message, and a Oneflow notification.
fn delivery(client: &reqwest::Client, base: &str, i: usize) -> reqwest::RequestBuilder {
    match i % 3 {
        0 => client.get(format!("{base}{}", signed(i))),
        1 => {
            let announcement =
                serde_json::json!({"category": "Entity", "realEstateAgencyId": "A-1", "entityId": format!("E-{i}")});
            let body = serde_json::json!({"items": [{"data": {"messages": [
                {"id": format!("k-{i}"), "name": "EntityUpdated", "data": announcement.to_string()}
            ]}}]});
            client.post(format!("{base}/kolibri24/webhook/burst-token")).json(&body)
        }
        _ => {
            let id = format!("o-{i}");
            let signature = marktstand::server::hosts::oneflow::notification::signature(&id, "burst-key");
            let body = serde_json::json!({"callback_id": id, "signature": signature, "contract": {"id": i},
                                          "events": [{"type": "contract:sign"}]});
            client.post(format!("{base}/oneflow/webhook")).json(&body)
        }
    }
}

fn signed(estate: usize) -> String {
    let url =
        format!("http://shop.test:8443/webhooks/valuation-request?customerWebId=4711&userId=17&estateid={estate}");
    let now = marktstand::server::clock::now();
    signing::url::sign_url(SECRET.as_bytes(), &url, now).unwrap().split_once("8443").unwrap().1.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_answered_before_a_crash_survive_it_and_are_processed() {
    let dir: PathBuf = crate::common::scratch_dir("durability");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("public"), &dir.join("public"));
    std::fs::write(dir.join("index.html"), "<!DOCTYPE html><html><head></head><body></body></html>").unwrap();
    // The shipped services, with claims that run out in 2 s instead of a minute, so the
    // deliveries the crash cut off mid-processing are taken over within the test.
    let shipped = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("webhooks.toml")).unwrap();
    std::fs::write(dir.join("webhooks.toml"), format!("lock_secs = 2\n{shipped}")).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("marktstand.db").display());

    let (server, base) = start(&dir, &db).await;
    let pid = server.0.id().to_string();
    // A request the crash leaves hanging counts as cut off: the burst always ends.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    futures::stream::iter(0..DELIVERIES)
        .map(|i| {
            let (client, base, pid) = (client.clone(), base.clone(), pid.clone());
            let (answered, count, failed) = (answered.clone(), count.clone(), failed.clone());
            async move {
                let res = delivery(&client, &base, i).send().await;
                let Ok(res) = res else {
                    failed.fetch_add(1, Ordering::SeqCst);
                    return;
                };
                if !res.status().is_success() {
                    failed.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                // A 2xx is a promise: record it before anything else can happen.
                let body = res.json::<serde_json::Value>().await.unwrap_or_default();
                let id = body["id"].as_str().or_else(|| body["deliveries"][0]["id"].as_str());
                if let Some(id) = id {
                    answered.lock().unwrap().push(id.to_string());
                }
                if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    Command::new("kill").args(["-9", &pid]).status().unwrap();
                }
            }
        })
        .buffer_unordered(128)
        .collect::<Vec<()>>()
        .await;
    drop(server);
    let answered = answered.lock().unwrap().clone();
    let failed = failed.load(Ordering::SeqCst);
    eprintln!("answered {} of {DELIVERIES}, {failed} cut off by the crash", answered.len());
    assert!(answered.len() >= KILL_AFTER, "the burst reached the server");
    assert!(failed > 0, "the server was killed in the middle of the burst");

    let (_server, _) = start(&dir, &db).await;
    let pool = marktstand::server::store::connect(&db).await.unwrap();
    let stored: Vec<(String,)> = sqlx::query_as("SELECT id FROM webhook_deliveries").fetch_all(&pool).await.unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().map(|(id,)| id).collect();
    let lost: Vec<&String> = answered.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} answered deliveries lost, e.g. {:?}", lost.len(), lost.first());

    eprintln!("stored {} (answered or not), none of the answered lost", stored.len());
    // The restarted server processes everything stored, including the claims the crash cut off.
    let mut open = i64::MAX;
    for _ in 0..300 {
        open = sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status NOT IN ('done', 'failed')",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
        .0;
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(open, 0, "every stored delivery is processed after the restart");
    let one = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_as::<_, (i64,)>(sql).fetch_one(&pool).await.unwrap().0 }
    };
    let onoffice = one("SELECT COUNT(*) FROM webhook_deliveries WHERE host = 'onoffice'").await;
    let kolibri24 = one("SELECT COUNT(*) FROM webhook_deliveries WHERE host = 'kolibri24'").await;
    let oneflow = one("SELECT COUNT(*) FROM webhook_deliveries WHERE host = 'oneflow'").await;
    assert!(onoffice > 0 && kolibri24 > 0 && oneflow > 0, "{onoffice} / {kolibri24} / {oneflow}");
    assert_eq!(one("SELECT COUNT(*) FROM valuation_requests").await, onoffice, "each onOffice delivery once");
    assert_eq!(one("SELECT COUNT(*) FROM entity_changes").await, kolibri24, "each Kolibri24 message once");
    // No order owns these contracts: each notification ends failed with that reason, not lost.
    let explained = one("SELECT COUNT(*) FROM webhook_deliveries WHERE host = 'oneflow' AND status = 'failed' \
         AND last_error LIKE 'no order has Oneflow contract%'")
    .await;
    assert_eq!(explained, oneflow);
    let _ = std::fs::remove_dir_all(&dir);
}
