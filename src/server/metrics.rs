//! Prometheus metrics at `GET /metrics`, behind `MARKTSTAND_METRICS_TOKEN` (`Authorization:
//! Bearer …`; without the setting the route does not exist). Counters are kept by the
//! `metrics` crate in this process; queue depth and age are read from the database at each
//! scrape, so every replica reports the shared queue.
//!
//! Labels are bounded on purpose: request kinds, reason codes, hosts, statuses and route
//! templates, never an id, a customer or a Kolibri24 category (which a host chooses).

use crate::server::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use secrecy::ExposeSecret;
use std::sync::OnceLock;

/// How often request timings are folded into their histograms.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide recorder (installed once, however many servers a test starts). Each
/// request's timing is queued in the recorder until it is folded into its histogram, which a
/// scrape does, and nothing else unless asked: without a thread that folds them every few
/// seconds, a server nobody scrapes (no metrics token) grew by ~20 bytes a request.
fn handle() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
            .expect("buckets are valid")
            .install_recorder()
            .expect("the only metrics recorder");
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            })
            .expect("a thread for the metrics' upkeep");
        handle
    })
}

/// Starts recording (call once at start, before requests are served).
pub fn install() {
    handle();
}

/// A signed request from a host was verified or refused (`reason` is the rejection code).
/// Every launch counts one: the counters are looked up in the registry once per thread and
/// label pair, then kept (a lookup hashes the name and labels and takes a lock, ~0.5 % of a
/// launch's server time in `perf`).
pub fn signed_request(kind: &'static str, outcome: &'static str) {
    thread_local! {
        static COUNTERS: std::cell::RefCell<Vec<(&'static str, &'static str, metrics::Counter)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let lookup = || metrics::counter!("marktstand_signed_requests_total", "kind" => kind, "outcome" => outcome);
    if RECORDER.get().is_none() {
        // Nothing records (a command, not the server): a counter kept now would count nowhere.
        return lookup().increment(1);
    }
    COUNTERS.with_borrow_mut(|counters| {
        if let Some((_, _, counter)) = counters.iter().find(|(k, o, _)| *k == kind && *o == outcome) {
            return counter.increment(1);
        }
        let counter = lookup();
        counter.increment(1);
        counters.push((kind, outcome, counter));
    });
}

/// An order was placed or moved to `status`.
pub fn order(status: &'static str) {
    metrics::counter!("marktstand_orders_total", "status" => status).increment(1);
}

/// A payment callback was `applied`, `ignored` (not allowed from where the order stands) or `refused`.
pub fn callback(outcome: &'static str) {
    metrics::counter!("marktstand_payment_callbacks_total", "outcome" => outcome).increment(1);
}

/// A delivery from `host` (a host's code, as the queue stores it) was stored, or finished
/// with `status`.
pub fn delivery(host: &str, service: &str, status: &'static str) {
    // The label is the host's own static code: no allocation per delivery, and no label value
    // the hosts do not have.
    let host = crate::contract::host::Host::from_code(host).map_or("other", |h| h.code());
    // Services come from webhooks.toml or from an authenticated host, but a label must stay
    // a short, plain name whatever arrives.
    let plain = service.len() <= 40 && service.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    let service = if plain && !service.is_empty() { service.to_string() } else { "other".to_string() };
    metrics::counter!("marktstand_deliveries_total", "host" => host, "service" => service, "status" => status)
        .increment(1);
}

/// Times every request by its route template.
pub async fn time_requests(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let route = route.unwrap_or_else(|| "(static or unknown)".into());
    let status = response.status().as_u16().to_string();
    metrics::histogram!("marktstand_request_duration_seconds", "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the counters and histograms, plus the queue as it stands now.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.config.metrics_token.as_ref().map(|t| t.expose_secret()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let expected = format!("Bearer {token}");
    if !crate::server::sealing::same_secret(given, &expected) {
        return (StatusCode::UNAUTHORIZED, "metrics need Authorization: Bearer <MARKTSTAND_METRICS_TOKEN>\n")
            .into_response();
    }
    let queue = crate::server::store::jobs::waiting(&state.db).await;
    let now = crate::server::clock::now();
    let mut text = handle().render();
    match queue {
        Ok(rows) => {
            text.push_str("# TYPE marktstand_deliveries_waiting gauge\n");
            text.push_str("# TYPE marktstand_deliveries_oldest_waiting_seconds gauge\n");
            for status in ["queued", "retry", "working"] {
                let row = rows.iter().find(|(s, ..)| s == status);
                let count = row.map_or(0, |r| r.1);
                let age = row.and_then(|r| r.2).map_or(0, |at| (now - at).max(0));
                text.push_str(&format!("marktstand_deliveries_waiting{{status=\"{status}\"}} {count}\n"));
                text.push_str(&format!("marktstand_deliveries_oldest_waiting_seconds{{status=\"{status}\"}} {age}\n"));
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: queue not readable"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
