//! `POST /api/fire-webhook`: plays enterprise calling a webhook service. The call is made
//! server to server, as enterprise does: a signed GET to `/webhooks/{service}` on the
//! storefront's origin. enterprise reads the answer as the outcome: a 2xx is a successful
//! call (fields configured "to be emptied on call" are emptied), anything else a failure that
//! enterprise e-mails to the user with the cause (`enterprise` says which it would be).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::{now, ApiError};

#[derive(Debug, Deserialize)]
pub struct FireRequest {
    pub service: String,
    /// Parameters (customer, user, property, macros); empty values are left out.
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct FireResponse {
    pub url: String,
    pub status: u16,
    pub body: String,
    /// What enterprise makes of the answer.
    pub enterprise: String,
}

pub async fn handler(
    State(config): crate::State,
    Json(request): Json<FireRequest>,
) -> Result<Json<FireResponse>, ApiError> {
    if request.service.is_empty() || !request.service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ApiError("the service name may only hold letters, digits and '-'".into()));
    }
    let mut url = crate::on_storefront(&config.storefront, &format!("webhooks/{}", request.service));
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in request.params.iter().filter(|(_, v)| !v.is_empty()) {
            if name == "timestamp" || name == "signature" {
                continue;
            }
            if name == "imageIds" {
                for (i, id) in value.split(',').map(str::trim).filter(|s| !s.is_empty()).enumerate() {
                    pairs.append_pair(&format!("imageIds[{i}]"), id);
                }
            } else {
                pairs.append_pair(name, value);
            }
        }
    }
    let signed = signing::url::sign_url(&config.secret, url.as_str(), now())
        .map_err(|e| ApiError(format!("signing failed: {}", e.code())))?;
    let answer = reqwest::Client::new()
        .get(&signed)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| ApiError(format!("the storefront did not answer: {e}")))?;
    let status = answer.status().as_u16();
    let body = answer.text().await.unwrap_or_default();
    tracing::info!(%signed, status, "webhook fired");
    let enterprise = if (200..300).contains(&status) {
        "success: the fields to be emptied on call are emptied".to_string()
    } else {
        let cause = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned));
        format!("failure: the user is e-mailed the cause ({})", cause.unwrap_or_else(|| format!("HTTP {status}")))
    };
    Ok(Json(FireResponse { url: signed, status, body, enterprise }))
}
