//! Webhooks from onOffice enterprise (save, delete, process-manager step, menu click).
//!
//! enterprise signs a webhook's URL like a service URL, does not document the method or the
//! answer it expects, and e-mails the user when a call fails. So a delivery is verified,
//! checked against the service's configured parameters, committed to the database (group
//! commit, see `writer`), answered with 202 at once, and processed in the background by the
//! handler `webhooks.toml` names (see `worker`), idempotently and with retries. Failures
//! keep their reason for the provider's page.

mod config;
mod handler;
mod worker;
mod writer;

pub use config::{WebhookConfig, WebhookService, DEFAULT_LOCK_SECS, STANDARD_PARAMETERS};
pub use handler::{Delivery, HandlerContext, HandlerError, Registry, WebhookHandler};
pub use worker::{backoff_secs, next_step, Step, MAX_ATTEMPTS, MAX_BACKOFF_SECS};

use super::config::Config;
use super::storage::Db;
use super::AppState;
use crate::errors::AppError;
use crate::webhooks::{DeliveryStatus, WebhookRow};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use signing::php::{PhpKey, PhpValue};
use signing::url::{UrlVerifier, Verified};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, Notify};

/// The configured services, and the writer that stores their deliveries.
#[derive(Clone)]
pub struct Webhooks(Arc<Shared>);

struct Shared {
    config: WebhookConfig,
    /// One verifier per service (its URL is part of what onOffice signs), built once.
    verifiers: HashMap<String, UrlVerifier>,
    db: Db,
    /// What the worker and handlers write through (see [`processing_pool`]).
    processing_db: Db,
    /// Started on first use, on the server's runtime.
    writer: OnceLock<mpsc::Sender<writer::Job>>,
    /// Signalled after each commit, so the worker starts at once instead of at its next poll.
    committed: Arc<Notify>,
}

impl Webhooks {
    pub fn new(server: &Config, db: Db) -> Self {
        let config = server.webhooks.clone();
        let verifiers = config
            .services
            .iter()
            .map(|s| (s.name.clone(), server.verifier(server.origin_path(&format!("/webhooks/{}", s.name)))))
            .collect();
        let processing_db = processing_pool(&db);
        Webhooks(Arc::new(Shared {
            config,
            verifiers,
            db,
            processing_db,
            writer: OnceLock::new(),
            committed: Arc::new(Notify::new()),
        }))
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.0.config
    }

    pub fn service(&self, name: &str) -> Option<&WebhookService> {
        self.0.config.service(name)
    }

    /// The database handlers write to.
    pub fn processing_db(&self) -> &Db {
        &self.0.processing_db
    }

    fn notify(&self) -> Arc<Notify> {
        self.0.committed.clone()
    }

    /// Stores a delivery durably; resolves after the commit.
    async fn store(&self, delivery: writer::NewDelivery) -> Result<writer::Stored, AppError> {
        let sender = self.0.writer.get_or_init(|| writer::spawn(self.0.db.clone(), self.0.committed.clone()));
        writer::submit(sender, delivery).await.map_err(|()| AppError::Internal)
    }
}

/// On SQLite, the worker and handlers get their own connections without an fsync per
/// commit (`synchronous=NORMAL`): with one fsync'ing commit per handler they held the write
/// lock so long that accepting deliveries stalled. Nothing promised is at risk: a process
/// crash loses no commit either way, and a power cut can only lose recent processing, which
/// then runs again (handlers are idempotent); the WAL keeps the order, so no later
/// acceptance survives without the processing before it. PostgreSQL and in-memory
/// databases share the main pool.
fn processing_pool(db: &Db) -> Db {
    let options = db.connect_options();
    let url = options.database_url.as_str();
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return db.clone();
    }
    sqlx::any::AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(conn, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;").await?;
                Ok(())
            })
        })
        .connect_lazy_with((*options).clone())
}

/// `/webhooks/{name}` for every configured service, by GET or POST.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/webhooks/{name}", get(receive).post(receive))
}

/// Starts the background worker (once per process; replicas each run one).
pub fn spawn_worker(state: AppState) {
    worker::spawn(state);
}

async fn receive(State(state): State<AppState>, Path(name): Path<String>, uri: Uri, body: Bytes) -> Response {
    let Some(service) = state.webhooks.service(&name) else {
        // Plain: an outsider learns nothing about which services exist.
        return (StatusCode::NOT_FOUND, Json(AppError::NotFound)).into_response();
    };
    match accept(&state, service, signed_query(uri.query(), &body), super::now()).await {
        Ok(stored) => {
            (StatusCode::ACCEPTED, Json(json!({"accepted": true, "id": stored.id, "duplicate": stored.duplicate})))
                .into_response()
        }
        Err(err) => (err.status_code(), Json(err)).into_response(),
    }
}

/// The URL's query; for a POST that carries its parameters as a form instead, the body.
fn signed_query<'a>(query: Option<&'a str>, body: &'a [u8]) -> &'a str {
    let query = query.unwrap_or("");
    if query.is_empty() && !body.is_empty() {
        return std::str::from_utf8(body).unwrap_or("");
    }
    query
}

/// Verifies, checks and stores one delivery.
async fn accept(state: &AppState, service: &WebhookService, query: &str, now: i64) -> Result<writer::Stored, AppError> {
    let verifier = state.webhooks.0.verifiers.get(&service.name).ok_or(AppError::NotFound)?;
    let verified = super::signed_request::verify(verifier, query, now, "webhook")?;
    if let Some((key, _)) = verified.params().iter().find(|(k, _)| !service.accepts(&key_name(k))) {
        let key = key_name(key);
        return Err(AppError::bad_request(format!(
            "parameter `{key}` is not configured for webhook `{}`; add it to `parameters` in webhooks.toml",
            service.name
        )));
    }
    let customer_web_id = verified
        .get("customerWebId")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::LaunchRejected { reason: "missing_customer_web_id".into() })?;
    let delivery = writer::NewDelivery {
        id: super::new_id(),
        dedupe_key: dedupe_key(&service.name, &verified, query),
        service: service.name.clone(),
        customer_web_id: customer_web_id.to_string(),
        user_id: verified.get("userId").unwrap_or_default().to_string(),
        params: Value::Object(params_json(&verified)).to_string(),
        received_at: now,
    };
    let stored = state.webhooks.store(delivery).await?;
    tracing::debug!(service = %service.name, id = %stored.id, duplicate = stored.duplicate, "webhook accepted");
    Ok(stored)
}

/// The same service, parameters, timestamp and signature: the same delivery.
fn dedupe_key(service: &str, verified: &Verified, query: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(service.as_bytes());
    hash.update(b"\n");
    hash.update(verified.canonical().as_bytes());
    hash.update(b"\n");
    hash.update(signature_of(query).to_ascii_lowercase().as_bytes());
    hex::encode(hash.finalize())
}

/// The raw `signature` value (verification has already checked there is exactly one).
fn signature_of(query: &str) -> String {
    let signature = PhpKey::from("signature");
    query
        .split('&')
        .filter_map(|piece| piece.split_once('=').or(Some((piece, ""))))
        .find(|(key, _)| signing::php::top_level_name(key.as_bytes()).as_ref() == Some(&signature))
        .map(|(_, value)| String::from_utf8_lossy(&signing::php::urldecode(value.as_bytes())).into_owned())
        .unwrap_or_default()
}

fn key_name(key: &PhpKey) -> String {
    String::from_utf8_lossy(&key.to_bytes()).into_owned()
}

/// Parameters as stored: single values as strings, bracket lists as arrays in key order.
fn params_json(verified: &Verified) -> Map<String, Value> {
    fn value(v: &PhpValue) -> Value {
        match v {
            PhpValue::Str(s) => Value::String(String::from_utf8_lossy(s).into_owned()),
            PhpValue::Array(items) => Value::Array(items.iter().map(|(_, v)| value(v)).collect()),
        }
    }
    verified.params().iter().map(|(k, v)| (key_name(k), value(v))).collect()
}

/// The newest deliveries, for the provider's page.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<WebhookRow>, AppError> {
    type Tuple = (String, String, String, String, i64, Option<String>, i64, Option<i64>);
    let rows: Vec<Tuple> = sqlx::query_as(
        "SELECT id, service, customer_web_id, status, attempts, last_error, received_at, processed_at \
         FROM webhook_deliveries ORDER BY received_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, service, customer_web_id, status, attempts, last_error, received_at, processed_at)| {
            Ok(WebhookRow {
                id,
                service,
                customer_web_id,
                status: DeliveryStatus::try_from(status).map_err(|e| {
                    tracing::error!(error = %e, "stored webhook delivery has an unknown status");
                    AppError::Internal
                })?,
                attempts,
                last_error,
                received_at,
                processed_at,
            })
        })
        .collect()
}
