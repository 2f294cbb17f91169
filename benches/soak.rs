//! Soak: a bounded mixed load against the release server on loopback.
//!
//! Starts `target/release/marktstand` on a fresh SQLite file (or `SOAK_DATABASE_URL`), then
//! runs customer journeys at a fixed rate: launch (page + verified session), catalogue, an
//! order, its signed payment callback and a signed webhook. Afterwards it checks the
//! database against what the server answered (nothing lost, nothing doubled) and compares
//! the server's resident memory at the end with the value after the first minute.
//!
//! `cargo bench --features ssr --bench soak` (10 minutes at 200 journeys/s, 1,200 requests/s);
//! `SOAK_SECS`, `SOAK_RATE` change duration and rate. Exits non-zero on any error.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "soak provider secret";

#[derive(Default)]
struct Counts {
    journeys: AtomicU64,
    requests: AtomicU64,
    orders: AtomicU64,
    paid: AtomicU64,
    webhooks: AtomicU64,
    errors: AtomicU64,
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Resident memory of `pid` in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(database_url: &str) -> Server {
    let root = env!("CARGO_MANIFEST_DIR");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(format!("{root}/target/release/marktstand"))
        .current_dir(root)
        .env("MARKTSTAND_LISTEN", format!("127.0.0.1:{port}"))
        .env("MARKTSTAND_PUBLIC_URL", format!("{base}/"))
        .env("MARKTSTAND_PROVIDER_SECRET", SECRET)
        .env("MARKTSTAND_SESSION_KEY", "33".repeat(32))
        .env("MARKTSTAND_CREDENTIALS_KEY", "44".repeat(32))
        .env("MARKTSTAND_ADMIN_TOKEN", "soak admin token")
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("target/release/marktstand (cargo build --release --features ssr; scripts/build for dist/)");
    Server { child, base }
}

fn signed(base: &str, path_and_query: &str, at: i64) -> String {
    signing::url::sign_url(SECRET.as_bytes(), &format!("{base}{path_and_query}"), at).unwrap()
}

/// One customer: opens the service, reads the catalogue, orders, pays; the host fires a webhook.
async fn journey(client: &reqwest::Client, base: &str, n: u64, counts: &Counts) -> Result<(), String> {
    let at = now();
    let user = format!("u{n}");
    let params = format!(
        "customerName=Soak%20Immobilien&customerWebId=4711&userId={user}&apiClaim=claim-{n}&parameterCacheId=pc{n}&estateid=815&UserLanguage=DEU"
    );
    let launch_url = signed(base, &format!("/?{params}"), at);
    let query = launch_url.split_once('?').unwrap().1;
    let step = |what: &str, status: reqwest::StatusCode, want: u16| {
        counts.requests.fetch_add(1, Ordering::Relaxed);
        if status.as_u16() == want {
            Ok(())
        } else {
            Err(format!("{what}: {status}"))
        }
    };
    let res = client.get(&launch_url).send().await.map_err(|e| format!("page: {e}"))?;
    step("page", res.status(), 200)?;
    let res =
        client.post(format!("{base}/api/launch")).body(query.to_string()).send().await.map_err(|e| e.to_string())?;
    step("launch", res.status(), 200)?;
    let launch: marktstand::contract::launch::Launch =
        postcard::from_bytes(&res.bytes().await.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let auth = format!("Bearer {}", launch.token);

    let res = client.post(format!("{base}/api/catalogue")).header("authorization", &auth).send().await;
    step("catalogue", res.map_err(|e| e.to_string())?.status(), 200)?;

    let body = serde_json::json!({
        "request": {"Products": {"lines": [{"product_id": "expose-text", "quantity": 1 + n % 3, "circle": null}]}},
        "idempotency_key": format!("soak-{n}"),
    });
    let res = client.post(format!("{base}/api/create_order")).header("authorization", &auth).json(&body).send().await;
    let res = res.map_err(|e| e.to_string())?;
    step("order", res.status(), 200)?;
    let placed: marktstand::contract::orders::PlacedOrder =
        postcard::from_bytes(&res.bytes().await.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    counts.orders.fetch_add(1, Ordering::Relaxed);

    let callback =
        signed(base, &format!("/orders/callback?order={}&status=success&transactionid=T{n}", placed.order_id), now());
    step("callback", client.get(callback).send().await.map_err(|e| e.to_string())?.status(), 200)?;
    counts.paid.fetch_add(1, Ordering::Relaxed);

    let hook = signed(
        base,
        &format!(
            "/webhooks/valuation-request?customerWebId=4711&userId={user}&estateid=815&email=soak{n}%40example.com"
        ),
        now(),
    );
    step("webhook", client.get(hook).send().await.map_err(|e| e.to_string())?.status(), 202)?;
    counts.webhooks.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

async fn count(db: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(db).await.unwrap()
}

#[tokio::main]
async fn main() {
    let secs = env_or("SOAK_SECS", 600);
    let rate = env_or("SOAK_RATE", 200).max(1);
    let file = std::env::temp_dir().join(format!("marktstand-soak-{}.db", std::process::id()));
    let database_url =
        std::env::var("SOAK_DATABASE_URL").unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", file.display()));
    let server = start_server(&database_url);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let ready = Instant::now();
    while client.get(format!("{}/healthz", server.base)).send().await.is_err() {
        assert!(ready.elapsed() < Duration::from_secs(20), "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pid = server.child.id();
    println!("soak: {secs} s at {rate} journeys/s (6 requests each) against {}", server.base);

    let counts = Arc::new(Counts::default());
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let (start, mut rss_first_minute, mut tasks) = (Instant::now(), 0, tokio::task::JoinSet::new());
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(secs) {
        tick.tick().await;
        n += 1;
        let (client, base, counts) = (client.clone(), server.base.clone(), counts.clone());
        let latencies = latencies.clone();
        tasks.spawn(async move {
            let began = Instant::now();
            let outcome = journey(&client, &base, n, &counts).await;
            latencies.lock().unwrap().push(began.elapsed().as_millis() as u32);
            match outcome {
                Ok(()) => counts.journeys.fetch_add(1, Ordering::Relaxed),
                Err(e) => {
                    if counts.errors.fetch_add(1, Ordering::Relaxed) < 10 {
                        eprintln!("soak: journey {n}: {e}");
                    }
                    0
                }
            };
        });
        while tasks.try_join_next().is_some() {}
        if rss_first_minute == 0 && start.elapsed() >= Duration::from_secs(60.min(secs)) {
            rss_first_minute = rss_kib(pid);
        }
        if n.is_multiple_of(rate * 60) {
            println!(
                "soak: {:>4} s, {n} journeys started, {} in flight, RSS {} KiB",
                start.elapsed().as_secs(),
                tasks.len(),
                rss_kib(pid)
            );
        }
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed().as_secs_f64();
    let rss_end = rss_kib(pid);

    // The worker finishes what was answered 202; then the database must match the answers.
    let db = {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&database_url).await.unwrap()
    };
    let settle = Instant::now();
    while count(&db, "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'done'").await > 0
        && settle.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed) as i64;
    let mut ms = std::mem::take(&mut *latencies.lock().unwrap());
    ms.sort_unstable();
    let pct = |p: usize| ms.get((ms.len() * p / 100).min(ms.len().saturating_sub(1))).copied().unwrap_or(0);
    let stored = [
        ("orders", c(&counts.orders), count(&db, "SELECT COUNT(*) FROM orders").await),
        ("paid orders", c(&counts.paid), count(&db, "SELECT COUNT(*) FROM orders WHERE status = 'success'").await),
        ("payment steps", c(&counts.paid), count(&db, "SELECT COUNT(*) FROM order_events").await),
        (
            "webhooks done",
            c(&counts.webhooks),
            count(&db, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'done'").await,
        ),
        ("valuation requests", c(&counts.webhooks), count(&db, "SELECT COUNT(*) FROM valuation_requests").await),
    ];
    let errors = c(&counts.errors);
    let requests = c(&counts.requests);
    let growth = (rss_end as f64 - rss_first_minute as f64) / rss_first_minute.max(1) as f64 * 100.0;
    println!("\n| figure | value |\n|---|---|");
    println!("| duration | {elapsed:.0} s |\n| journeys completed | {} of {n} |", c(&counts.journeys));
    println!("| requests | {requests} ({:.0}/s) |\n| errors | {errors} |", requests as f64 / elapsed);
    println!("| journey time (6 requests) median / p99 | {} ms / {} ms |", pct(50), pct(99));
    for (what, answered, in_db) in &stored {
        println!("| {what}: answered / in the database | {answered} / {in_db} |");
    }
    println!("| RSS after 1 min / at the end | {rss_first_minute} KiB / {rss_end} KiB ({growth:+.1} %) |");

    let lost = stored.iter().any(|(_, answered, in_db)| answered != in_db);
    if errors > 0 || lost || growth > 10.0 {
        eprintln!("soak: FAILED (errors {errors}, database mismatch {lost}, memory growth {growth:+.1} %)");
        std::process::exit(1);
    }
    let _ = std::fs::remove_file(&file);
}
