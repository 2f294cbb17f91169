//! Webhooks from onOffice enterprise (save, delete, process-manager step, menu click).
//!
//! enterprise signs a webhook's URL like a service URL, does not document the method, e-mails
//! the user when a call fails and empties the configured fields only after a successful call.
//! So a delivery is verified, stored durably, and processed at once by the handler the
//! service names (`webhooks.toml`), within the service's deadline: done → 200; failed for
//! good → 422 with the reason (what the user reads in onOffice's e-mail); still running or to
//! be retried → 202, and it goes on in the background. Parameters the service does not list
//! are kept and ignored, unless the service is `strict`.

use crate::contract::errors::AppError;
use crate::server::hosts::Host;
use crate::server::jobs::{await_outcome, Outcome, Stored};
use crate::server::webhooks::{Event, WebhookService};
use crate::server::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use signing::php::{PhpKey, PhpValue};
use signing::url::Verified;

/// `/webhooks/{name}` for every configured service, by GET or POST.
/// A webhook carries its parameters in the URL, or as a form of the same size limit.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/webhooks/{name}", get(receive).post(receive))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(signing::MAX_QUERY_BYTES))
}

async fn receive(State(state): State<AppState>, Path(name): Path<String>, uri: Uri, body: Bytes) -> Response {
    let Some(service) = state.webhooks.service(&name) else {
        // Plain: an outsider learns nothing about which services exist.
        return AppError::NotFound.into_response();
    };
    let stored = match accept(&state, service, signed_query(uri.query(), &body), crate::server::clock::now()).await {
        Ok(stored) => stored,
        Err(err) => return err.into_response(),
    };
    if service.deadline_secs == 0 {
        return answer(&stored, Outcome::Running);
    }
    let deadline = std::time::Duration::from_secs(service.deadline_secs);
    let outcome = match await_outcome(&state, &stored.id, deadline).await {
        Ok(outcome) => outcome,
        Err(e) => {
            // Stored: the worker takes it up; only its outcome could not be read.
            tracing::warn!(delivery = %stored.id, error = %e, "webhook stored, not processed at once");
            Outcome::Running
        }
    };
    answer(&stored, outcome)
}

/// The answer enterprise reads as the webhook's outcome.
fn answer(stored: &Stored, outcome: Outcome) -> Response {
    let (id, duplicate) = (&stored.id, stored.duplicate);
    match outcome {
        Outcome::Done => (StatusCode::OK, Json(json!({"done": true, "id": id, "duplicate": duplicate}))),
        Outcome::Failed(reason) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "webhook_failed", "message": reason, "id": id, "duplicate": duplicate})),
        ),
        Outcome::WillRetry(reason) => (
            StatusCode::ACCEPTED,
            Json(json!({"accepted": true, "retrying": reason, "id": id, "duplicate": duplicate})),
        ),
        Outcome::Running => (StatusCode::ACCEPTED, Json(json!({"accepted": true, "id": id, "duplicate": duplicate}))),
    }
    .into_response()
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
async fn accept(state: &AppState, service: &WebhookService, query: &str, now: i64) -> Result<Stored, AppError> {
    let verifier = state.webhooks.verifier(&service.name).ok_or(AppError::NotFound)?;
    let verified = crate::server::hosts::onoffice::signed_request::verify(verifier, query, now, "webhook")?;
    let unlisted = verified.params().iter().map(|(k, _)| key_name(k)).find(|k| !service.accepts(k));
    match unlisted {
        Some(key) if service.strict => {
            return Err(AppError::bad_request(format!(
                "parameter `{key}` is not configured for webhook `{}`; add it to `parameters` in webhooks.toml",
                service.name
            )));
        }
        Some(key) => tracing::debug!(service = %service.name, parameter = %key, "unlisted parameter kept, ignored"),
        None => {}
    }
    let customer_web_id = verified
        .get("customerWebId")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::LaunchRejected { reason: "missing_customer_web_id".into() })?;
    let event = Event {
        host: Host::OnOffice,
        dedupe_key: dedupe_key(&service.name, &verified, query),
        service: service.name.clone(),
        customer_web_id: customer_web_id.to_string(),
        user_id: verified.get("userId").unwrap_or_default().to_string(),
        params: params_json(&verified),
        failure: None,
    };
    let stored = crate::server::webhooks::accept(state, vec![event], now).await?.remove(0);
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
