//! `POST /api/callback-url`: the URL enterprise calls after the payment popup.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::onoffice::query;
use crate::{now, random_hex, ApiError, SimConfig};

/// Parameters enterprise sets on the callback; the callback URL's own values
/// for these are dropped so the storefront never sees two of them.
const OWNED_BY_HOST: [&str; 8] =
    ["status", "transactionid", "aboid", "message", "referenceid", "errorCodes", "timestamp", "signature"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Success,
    /// SEPA direct debit: accepted, money not yet there.
    Inprocess,
    Error,
}

impl PaymentStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Inprocess => "inprocess",
            Self::Error => "error",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::Success => "Zahlung erfolgreich",
            Self::Inprocess => "SEPA-Lastschrift in Bearbeitung",
            Self::Error => "Zahlung abgebrochen",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    /// A one-off purchase: answered with a `transactionid`.
    Products,
    /// A subscription (`abo` on the wire): answered with an `aboid`.
    #[serde(rename = "abo")]
    Subscription,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CallbackRequest {
    pub callbackurl: String,
    pub status: PaymentStatus,
    pub kind: OrderKind,
    /// Change `status` after signing, so the storefront must refuse the call.
    #[serde(default)]
    pub tamper: bool,
}

#[derive(Serialize)]
pub struct CallbackResponse {
    url: String,
}

pub async fn handler(
    State(config): crate::State,
    Json(request): Json<CallbackRequest>,
) -> Result<Json<CallbackResponse>, ApiError> {
    let url = callback_url(&config, &request, now())?;
    tracing::info!(status = ?request.status, tamper = request.tamper, %url, "payment callback");
    Ok(Json(CallbackResponse { url }))
}

/// Builds and signs the callback exactly as enterprise calls it.
pub fn callback_url(config: &SimConfig, request: &CallbackRequest, now: i64) -> Result<String, String> {
    let mut url = Url::parse(&request.callbackurl).map_err(|e| format!("invalid callbackurl: {e}"))?;
    // Only web URLs: the page loads the result into the service iframe.
    if !matches!(url.scheme(), "http" | "https") {
        return Err("callbackurl must be an http(s) URL".into());
    }
    let own: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !OWNED_BY_HOST.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(own);
        pairs.append_pair("status", request.status.as_str());
        if request.status != PaymentStatus::Error {
            match request.kind {
                OrderKind::Products => pairs.append_pair("transactionid", &format!("TX-{}", random_hex(8))),
                OrderKind::Subscription => pairs.append_pair("aboid", &rand::random::<u32>().to_string()),
            };
        }
        pairs.append_pair("message", request.status.message());
        pairs.append_pair("referenceid", &random_hex(8));
    }
    let signed = signing::url::sign_url(&config.secret, url.as_str(), now)
        .map_err(|e| format!("signing failed: {}", e.code()))?;
    if !request.tamper {
        return Ok(signed);
    }
    query::rewrite_param(&signed, "status", |old| if old == Some("success") { "error" } else { "success" }.to_owned())
}
