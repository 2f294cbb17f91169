//! Starts a real server on a free loopback port for the HTTP tests.
#![allow(dead_code)]

use marktstand::server::config::{Config, ServeArgs};
use marktstand::server::routes::router;
use marktstand::server::shell::Shell;
use marktstand::server::{store, AppState};

pub const SECRET: &str = "test provider secret";
pub const ADMIN_TOKEN: &str = "test admin token";
/// The inline bootstrap Trunk writes; its hash must appear in the CSP.
pub const INDEX: &str = "<!DOCTYPE html><html><head><script type=\"module\">import init from '/app.js';init();</script></head><body></body></html>";

pub const BACK_OFFICE: &str = "<!DOCTYPE html><html><head><script type=\"module\">import init from '/back-office/app.js';init();</script></head><body></body></html>";

pub const WIDGET: &str = "<!DOCTYPE html><html><head><script type=\"module\">import init from '/widget/app.js';init();</script></head><body></body></html>";

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    /// The webhook worker; ends after `state.jobs.stop()`.
    pub worker: tokio::task::JoinHandle<()>,
}

pub fn args(db: &str) -> ServeArgs {
    ServeArgs {
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: "http://shop.test:8443/".into(),
        provider_secret: SECRET.into(),
        allowed_origins: "https://crm.onoffice.de https://crm-beta.onoffice.de".into(),
        freshness_secs: 300,
        session_ttl_secs: 600,
        session_key: Some("11".repeat(32)),
        database_url: db.into(),
        site_root: std::env::temp_dir().to_string_lossy().into_owned(),
        catalogue: "catalogue.toml".into(),
        admin_token: Some(ADMIN_TOKEN.into()),
        api_endpoint: "http://127.0.0.1:9/no-api-configured".into(),
        credentials_key: Some("22".repeat(32)),
        webhooks: concat!(env!("CARGO_MANIFEST_DIR"), "/webhooks.toml").into(),
        log_format: Default::default(),
        metrics_token: None,
        kolibri24: Default::default(),
        oneflow: Default::default(),
    }
}

pub async fn start_with(args: ServeArgs) -> TestServer {
    start_config(Config::from_args(args).expect("valid test config")).await
}

/// Like `start_with`, for a config a test has adjusted (e.g. its own webhook handlers).
pub async fn start_config(config: Config) -> TestServer {
    let db = store::connect(&config.database_url).await.expect("database");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue =
        marktstand::server::catalogue::load(&root.join("catalogue.toml"), &root.join("public")).expect("catalogue");
    let state = AppState::new(config, db, catalogue);
    let shell = Shell::new(&state, INDEX.to_string(), BACK_OFFICE.to_string(), WIDGET.to_string());
    let app = router(state.clone(), shell);
    let worker = marktstand::server::jobs::spawn_worker(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    TestServer { base: format!("http://{addr}"), state, worker }
}

/// A fresh SQLite file per server, like the embedded default, under the target's scratch
/// directory (`scripts/test` empties it first), not the machine's `/tmp`.
pub fn temp_db() -> String {
    let name = format!("marktstand-test-{}-{}.db", std::process::id(), rand_suffix());
    format!("sqlite://{}?mode=rwc", scratch().join(name).display())
}

/// The target's scratch directory (`scripts/test` empties it before the tests).
pub fn scratch() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// A new, empty directory under [`scratch`], named after what it is for.
pub fn scratch_dir(purpose: &str) -> std::path::PathBuf {
    let dir = scratch().join(format!("marktstand-{purpose}-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed) ^ (now() as u64) << 16
}

/// The test PostgreSQL (`scripts/test` starts one). `None` only on request
/// (`MARKTSTAND_SKIP_POSTGRES=1`): a missing server never passes silently.
pub fn postgres() -> Option<String> {
    match std::env::var("MARKTSTAND_TEST_POSTGRES") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("MARKTSTAND_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!("PostgreSQL half skipped on request (MARKTSTAND_SKIP_POSTGRES=1)");
            None
        }
        Err(_) => {
            panic!("set MARKTSTAND_TEST_POSTGRES=postgres://… (scripts/test starts one) or MARKTSTAND_SKIP_POSTGRES=1")
        }
    }
}

pub async fn start() -> TestServer {
    start_with(args(&temp_db())).await
}

pub fn now() -> i64 {
    marktstand::server::clock::now()
}

/// A launch URL's query as onOffice would send it for the test server's public URL.
pub fn signed_query(params: &str, secret: &str, at: i64) -> String {
    let url = format!("http://shop.test:8443/?{params}");
    let signed = signing::url::sign_url(secret.as_bytes(), &url, at).unwrap();
    signed.split_once('?').unwrap().1.to_string()
}

pub const PARAMS: &str = "customerName=Musterfirma%20Immobilien&customerWebId=4711&userId=17&groupId=3&apiClaim=claim-abc-123&parameterCacheId=pc42&estateid=815&UserLanguage=ENG&imageIds%5B0%5D=5&imageIds%5B1%5D=9";

pub async fn post_form(base: &str, path: &str, form: &[(&str, &str)], token: Option<&str>) -> reqwest::Response {
    let body: String = form.iter().map(|(k, v)| format!("{}={}", k, urlencode(v))).collect::<Vec<_>>().join("&");
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    req.send().await.unwrap()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `POST /api/launch` with `query` as its body, as the storefront's page sends it.
pub async fn post_launch(base: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/launch"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(query.to_string())
        .send()
        .await
        .unwrap()
}

/// A session token from a real launch with `params`.
pub async fn launch_token(server: &TestServer, params: &str) -> String {
    let res = post_launch(&server.base, &signed_query(params, SECRET, now())).await;
    assert_eq!(res.status(), 200);
    decode::<marktstand::contract::launch::Launch>(res).await["token"].as_str().unwrap().to_string()
}

/// A server function's answer: successes travel as postcard (small for the browser bundle);
/// decoded into `T` and shown as JSON so tests can look into it.
pub async fn decode<T: serde::de::DeserializeOwned + serde::Serialize>(res: reqwest::Response) -> serde_json::Value {
    let status = res.status();
    let bytes = res.bytes().await.unwrap();
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&bytes));
    let value: T = postcard::from_bytes(&bytes).expect("postcard answer");
    serde_json::to_value(value).unwrap()
}

pub async fn post_json(base: &str, path: &str, body: serde_json::Value, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(format!("{base}{path}")).json(&body);
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    req.send().await.unwrap()
}

/// `create_order` with `request` under idempotency key `key`.
pub async fn order(server: &TestServer, token: &str, request: serde_json::Value, key: &str) -> reqwest::Response {
    let body = serde_json::json!({"request": request, "idempotency_key": key});
    post_json(&server.base, "/api/create_order", body, Some(token)).await
}

/// An `OrderRequest::Products` with `lines`.
pub fn products(lines: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"Products": {"lines": lines}})
}

/// A pending order of one product, placed through a real launch; its id.
pub async fn placed_order(server: &TestServer) -> String {
    let token = launch_token(server, PARAMS).await;
    let request = products(serde_json::json!([{"product_id": "expose-text", "quantity": 1, "circle": null}]));
    let placed = decode::<marktstand::contract::orders::PlacedOrder>(
        order(server, &token, request, &format!("k{}-{}", now(), rand_suffix())).await,
    )
    .await;
    placed["order_id"].as_str().unwrap().to_string()
}

/// The path and query of a payment callback for order `id`, signed at `at`.
pub fn callback(id: &str, extra: &str, at: i64) -> String {
    let url = format!("http://shop.test:8443/orders/callback?order={id}&{extra}");
    signing::url::sign_url(SECRET.as_bytes(), &url, at).unwrap().split_once("8443").unwrap().1.to_string()
}

pub async fn status_of(server: &TestServer, id: &str) -> &'static str {
    marktstand::server::store::orders::order(&server.state.db, &id.into()).await.unwrap().unwrap().status.code()
}

/// Starts the server binary `command` on a port the system picks (`MARKTSTAND_LISTEN`
/// `127.0.0.1:0`, so no port is picked and released) and returns it with its base URL, read
/// from its "listening on" line. Everything it prints keeps going to `log` (drained, so it
/// never blocks); a server that exits or stays silent for 30 s fails the test with its log.
pub fn spawn_server(mut command: std::process::Command, log: &std::path::Path) -> (std::process::Child, String) {
    use std::io::{BufRead, Write};
    // The command's own log filter (warnings by default), plus the line with the address.
    let filter = command
        .get_envs()
        .find(|(k, _)| *k == "RUST_LOG")
        .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "warn".into());
    let mut child = command
        .env("MARKTSTAND_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", format!("{filter},marktstand::server::cli=info"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let (found, address) = std::sync::mpsc::channel();
    let streams: [Box<dyn std::io::Read + Send>; 2] =
        [Box::new(child.stdout.take().unwrap()), Box::new(child.stderr.take().unwrap())];
    for stream in streams {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("log file");
        let found = found.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr: String =
                        rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
                    let _ = found.send(addr);
                }
                let _ = writeln!(file, "{line}");
            }
        });
    }
    match address.recv_timeout(std::time::Duration::from_secs(30)) {
        Ok(addr) => (child, format!("http://{addr}")),
        Err(_) => {
            let _ = child.kill();
            panic!("the server did not start listening: {}", std::fs::read_to_string(log).unwrap_or_default());
        }
    }
}

/// Waits until the webhook worker has nothing left to do: no delivery queued, working or
/// waiting for a retry. For checks that something did *not* happen, without a guessed pause.
pub async fn deliveries_settled(server: &TestServer) {
    let sql = "SELECT COUNT(*) FROM webhook_deliveries WHERE status IN ('queued', 'working', 'retry')";
    for _ in 0..300 {
        let (open,): (i64,) = sqlx::query_as(sql).fetch_one(&server.state.db).await.unwrap();
        if open == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("webhook deliveries still open after 15 s");
}

/// A webhook handler that fails its first call with `first()` and succeeds from then on,
/// counting its calls: a permanent failure the provider fixes and retries, or a busy upstream.
pub struct FailsFirst {
    pub name: &'static str,
    pub calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub first: fn() -> marktstand::server::jobs::JobError,
}

impl marktstand::server::webhooks::WebhookHandler for FailsFirst {
    fn name(&self) -> &'static str {
        self.name
    }

    fn handle<'a>(
        &'a self,
        _: &'a marktstand::server::jobs::JobContext,
        _: &'a marktstand::server::webhooks::Delivery,
    ) -> futures::future::BoxFuture<'a, Result<(), marktstand::server::jobs::JobError>> {
        Box::pin(async move {
            match self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 => Err((self.first)()),
                _ => Ok(()),
            }
        })
    }
}

/// A server whose webhook service `service` is run by `handler` (registered beside the
/// built-in ones).
pub async fn start_with_handler(
    service: &str,
    handler: impl marktstand::server::webhooks::WebhookHandler + 'static,
) -> TestServer {
    use marktstand::server::webhooks::{Registry, WebhookConfig};
    let file = scratch_dir("webhooks").join(format!("{service}.toml"));
    std::fs::write(&file, format!("[[webhook]]\nname = \"{service}\"\nhandler = \"{}\"\n", handler.name())).unwrap();
    let mut registry = Registry::builtin();
    registry.register(handler);
    let mut config = Config::from_args(args(&temp_db())).unwrap();
    config.webhooks = WebhookConfig::load_with(&file, &registry).unwrap();
    start_config(config).await
}

/// POSTs `body` as JSON, exactly as given (a host's example is sent byte for byte); the status
/// and the answer read as JSON (`null` when it is none).
pub async fn post_to(server: &TestServer, path: &str, body: String) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", server.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(serde_json::Value::Null))
}
