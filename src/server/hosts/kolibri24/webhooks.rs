//! `POST /kolibri24/webhook/{token}`. Kolibri24 documents no signature for webhooks, so each
//! registration's URL carries a secret token (compared in constant time). Every message of
//! the envelope becomes one delivery, deduplicated by Kolibri24's message id; a message that
//! cannot be read is stored as failed with the reason, never dropped.

use super::envelope::{self, EnvelopeError};
use crate::contract::errors::AppError;
use crate::server::hosts::Host;
use crate::server::webhooks::{accept, Event};
use crate::server::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The largest envelope accepted (answered 413 beyond).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The configured tokens, kept as digests so every comparison has the same length.
#[derive(Clone, Default)]
pub struct Tokens(Vec<[u8; 32]>);

impl Tokens {
    pub fn parse(value: &str) -> Self {
        Tokens(value.split_whitespace().map(|t| Sha256::digest(t.as_bytes()).into()).collect())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `token` is one of them; every configured token is compared.
    pub fn accepts(&self, token: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        bool::from(self.0.iter().fold(subtle::Choice::from(0), |any, t| any | t.ct_eq(&given)))
    }
}

pub async fn receive(State(state): State<AppState>, Path(token): Path<String>, body: Bytes) -> Response {
    if !state.config.kolibri24.webhook_tokens.accepts(&token) {
        tracing::warn!(reason = "bad_token", "Kolibri24 webhook refused");
        return AppError::Unauthorized.into_response();
    }
    let messages = match envelope::parse(&body) {
        Ok(messages) => messages,
        Err(e) => {
            let err = AppError::bad_request(match e {
                EnvelopeError::NotJson(detail) => format!("not a Kolibri24 envelope: the body is not JSON ({detail})"),
                EnvelopeError::NoItems => "not a Kolibri24 envelope: no `items` list".into(),
            });
            return err.into_response();
        }
    };
    let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
    let events = messages
        .into_iter()
        .map(|message| Event {
            host: Host::Kolibri24,
            dedupe_key: format!("kolibri24:{}", message.id),
            service: message.category,
            customer_web_id: message.agency_id,
            user_id: String::new(),
            params: message.params,
            failure: message.defect,
        })
        .collect();
    let stored = match accept(&state, events, crate::server::clock::now()).await {
        Ok(stored) => stored,
        Err(err) => return err.into_response(),
    };
    let stored: Vec<Value> = ids
        .iter()
        .zip(stored)
        .map(|(message, s)| json!({"message": message, "id": s.id, "duplicate": s.duplicate}))
        .collect();
    (StatusCode::OK, Json(json!({"accepted": stored.len(), "deliveries": stored}))).into_response()
}
