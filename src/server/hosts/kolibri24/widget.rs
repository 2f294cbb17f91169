//! How a Kolibri24 widget call is checked. Kolibri24 calls our widget URL with six values
//! and offers a `validateSignature` endpoint that says whether they are genuine. Anything
//! but a clear yes is a 401: Kolibri24's production checks that widgets refuse bad calls.
//!
//! Kolibri24 also mentions public-key validation without documenting its scheme, so no
//! scheme is guessed here; a second [`WidgetValidator`] can be added when it is documented.

use crate::contract::launch::LaunchContext;
use crate::contract::widget::SESSION_META;
use crate::server::shell::Shell;
use crate::server::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The six values of a widget call, as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WidgetCall {
    pub entity_id: String,
    pub real_estate_agency_id: String,
    pub entity_type: String,
    pub valid_until: String,
    pub signature: String,
    pub key_version: String,
}

/// The names Kolibri24 uses, in [`WidgetCall`]'s order.
pub const PARAMETERS: [&str; 6] =
    ["entityId", "realEstateAgencyId", "entityType", "validUntil", "signature", "keyVersion"];

/// Why a widget call was refused (all answered 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WidgetRefusal {
    #[error("parameter `{0}` is missing")]
    Missing(&'static str),
    #[error("the call expired (validUntil is past)")]
    Expired,
    #[error("Kolibri24 says the signature is not valid")]
    Invalid,
    #[error("Kolibri24's validation could not be reached: {0}")]
    Unreachable(String),
    #[error("Kolibri24's validation answered unexpectedly: {0}")]
    BadAnswer(String),
    #[error("the agency has revoked this app's access in Kolibri24")]
    Revoked,
}

impl WidgetRefusal {
    /// For the log: a short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            WidgetRefusal::Missing(_) => "missing_parameter",
            WidgetRefusal::Expired => "expired",
            WidgetRefusal::Invalid => "invalid_signature",
            WidgetRefusal::Unreachable(_) => "validation_unreachable",
            WidgetRefusal::BadAnswer(_) => "validation_bad_answer",
            WidgetRefusal::Revoked => "access_revoked",
        }
    }
}

impl WidgetCall {
    /// The six values from the query's parameters; any missing or empty one is a refusal.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, WidgetRefusal> {
        let mut values =
            PARAMETERS.iter().map(|name| get(name).filter(|v| !v.is_empty()).ok_or(WidgetRefusal::Missing(name)));
        let mut next = || values.next().expect("six names");
        Ok(WidgetCall {
            entity_id: next()?,
            real_estate_agency_id: next()?,
            entity_type: next()?,
            valid_until: next()?,
            signature: next()?,
            key_version: next()?,
        })
    }

    /// The body `validateSignature` expects: the six values under their own names.
    pub fn validation_body(&self) -> Value {
        json!({
            "entityId": self.entity_id,
            "realEstateAgencyId": self.real_estate_agency_id,
            "entityType": self.entity_type,
            "validUntil": self.valid_until,
            "signature": self.signature,
            "keyVersion": self.key_version,
        })
    }
}

/// `validUntil` as Unix seconds. Kolibri24 does not document its format, so ISO 8601 with a
/// zone, Unix seconds and Unix milliseconds are read; for anything else (None) Kolibri24's
/// own verdict decides, which covers `validUntil` too.
pub fn valid_until(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if !raw.is_empty() && raw.len() <= 16 && raw.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = raw.parse().ok()?;
        // Seconds stay below 10^11 until the year 5138; milliseconds pass it in 1973.
        return Some(if n >= 100_000_000_000 { n / 1000 } else { n });
    }
    // A `+01:00` zone sent unencoded in the query arrives as ` 01:00`.
    let raw = raw.replace(' ', "+");
    let format = time::format_description::well_known::Iso8601::DEFAULT;
    time::OffsetDateTime::parse(&raw, &format).ok().map(|t| t.unix_timestamp())
}

/// Says whether a widget call is genuine.
pub trait WidgetValidator: Send + Sync {
    fn validate<'a>(&'a self, call: &'a WidgetCall) -> BoxFuture<'a, Result<(), WidgetRefusal>>;
}

/// Kolibri24's `validateSignature` endpoint: POST the six values as JSON, no token.
pub struct EndpointValidator {
    url: String,
    client: reqwest::Client,
}

impl EndpointValidator {
    pub fn new(url: &str, timeout: Duration) -> Self {
        let client = reqwest::Client::builder().timeout(timeout).build().expect("HTTP client");
        EndpointValidator { url: url.to_string(), client }
    }
}

impl WidgetValidator for EndpointValidator {
    fn validate<'a>(&'a self, call: &'a WidgetCall) -> BoxFuture<'a, Result<(), WidgetRefusal>> {
        Box::pin(async move {
            let res = self
                .client
                .post(&self.url)
                .json(&call.validation_body())
                .send()
                .await
                .map_err(|e| WidgetRefusal::Unreachable(e.without_url().to_string()))?;
            let status = res.status();
            if status != reqwest::StatusCode::OK {
                return Err(WidgetRefusal::BadAnswer(format!("HTTP {status}")));
            }
            let answer: Value = res.json().await.map_err(|e| WidgetRefusal::BadAnswer(e.without_url().to_string()))?;
            match answer.get("isValid") {
                Some(Value::Bool(true)) => Ok(()),
                Some(Value::Bool(false)) => Err(WidgetRefusal::Invalid),
                _ => Err(WidgetRefusal::BadAnswer("no boolean `isValid`".into())),
            }
        })
    }
}

/// Remembers positive answers until their `validUntil`, for exactly the same six values, so
/// a widget reloaded within its validity does not wait for Kolibri24 again. Negative
/// answers are never remembered.
#[derive(Default)]
pub struct ValidCache(Mutex<HashMap<WidgetCall, i64>>);

/// Entries kept at most; the expired ones go first, then the cache starts over.
const CACHE_LIMIT: usize = 10_000;

impl ValidCache {
    pub fn holds(&self, call: &WidgetCall, now: i64) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(call).is_some_and(|&until| until >= now)
    }

    pub fn remember(&self, call: &WidgetCall, until: i64, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_LIMIT {
            map.retain(|_, &mut u| u >= now);
            if map.len() >= CACHE_LIMIT {
                map.clear();
            }
        }
        map.insert(call.clone(), until);
    }
}

/// How long a positive answer is remembered for a call whose `validUntil` we cannot read.
const UNREADABLE_UNTIL_SECS: i64 = 60;

/// The whole check: expiry (a time we can read that has passed is refused without calling),
/// the cache, the validator. A `validUntil` we cannot read is left to Kolibri24.
pub async fn check(
    validator: &dyn WidgetValidator,
    cache: &ValidCache,
    call: &WidgetCall,
    now: i64,
) -> Result<(), WidgetRefusal> {
    let until = valid_until(&call.valid_until);
    if until.is_some_and(|until| until < now) {
        return Err(WidgetRefusal::Expired);
    }
    if cache.holds(call, now) {
        return Ok(());
    }
    validator.validate(call).await?;
    cache.remember(call, until.unwrap_or(now + UNREADABLE_UNTIL_SECS), now);
    Ok(())
}

/// A query value decoded from percent-encoding only. Kolibri24 prints the signature into the
/// URL unencoded (`signature={value}=`), so a `+` in it is base64, not a space: form decoding
/// would hand `validateSignature` another signature (the same for a `validUntil` zone).
pub fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|piece| {
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        let key = percent_encoding::percent_decode_str(key).decode_utf8().ok()?;
        (key == name).then(|| percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned())
    })
}

/// `GET /kolibri24/widget`: the widget for a genuine call, framable by Kolibri24 only; a 401
/// page saying why in German and English for anything else.
pub async fn page(
    State(state): State<AppState>,
    axum::Extension(shell): axum::Extension<std::sync::Arc<Shell>>,
    request_headers: axum::http::HeaderMap,
    uri: Uri,
) -> Response {
    let query = uri.query().unwrap_or("");
    let kolibri24 = &state.config.kolibri24;
    let call = WidgetCall::from_params(|name| match name {
        // Base64 and a zone's `+`: Kolibri24's own characters, never a space.
        "signature" | "validUntil" => query_value(query, name),
        _ => url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned()),
    });
    let checked = match &call {
        Ok(call) => {
            match check(kolibri24.validator.as_ref(), &kolibri24.cache, call, crate::server::clock::now()).await {
                Ok(()) if super::access::is_revoked(&state, &call.real_estate_agency_id).await => {
                    Err(WidgetRefusal::Revoked)
                }
                Ok(()) => Ok(()),
                refused => refused,
            }
        }
        Err(refusal) => Err(refusal.clone()),
    };
    let (status, body, csp) = match (checked, call) {
        (Ok(()), Ok(call)) => {
            (StatusCode::OK, with_session(&state, &shell.widget_html, &call), shell.kolibri24_csp.clone())
        }
        (Err(refusal), _) | (_, Err(refusal)) => {
            tracing::warn!(reason = refusal.code(), detail = %refusal, "Kolibri24 widget call refused");
            let csp = format!("default-src 'none'; frame-ancestors {}", kolibri24.frame_ancestors.join(" "));
            (StatusCode::UNAUTHORIZED, refusal_page(&refusal), HeaderValue::from_str(&csp).expect("checked sources"))
        }
    };
    let mut res = (status, Html(body)).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    // Kolibri24's page says the X-Frame-Options "must be set" for framing in its domain, and
    // checks it; browsers that know CSP go by `frame-ancestors` above and ignore this.
    let framer = super::framing_origin(&kolibri24.frame_ancestors, request_headers.get(header::REFERER));
    if let Ok(value) = HeaderValue::from_str(&format!("ALLOW-FROM {framer}")) {
        headers.insert(header::X_FRAME_OPTIONS, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The app shell with a widget session for the call's agency and entity in a `<meta>`: the
/// app reads it from the page it was served in, so no cookie or storage is needed.
fn with_session(state: &AppState, shell_html: &str, call: &WidgetCall) -> String {
    let agency = &call.real_estate_agency_id;
    let mut context = LaunchContext::customer(agency.clone(), agency.clone(), String::new(), String::new());
    context.estate_id = Some(call.entity_id.clone());
    let (token, _) = state.sessions.issue_widget(&context, &call.entity_type, crate::server::clock::now());
    // The token is URL-safe base64: nothing in it needs escaping in an attribute.
    let meta = format!("<meta name=\"{SESSION_META}\" content=\"{token}\">");
    match shell_html.find("<head>") {
        Some(at) => format!("{}{meta}{}", &shell_html[..at + 6], &shell_html[at + 6..]),
        None => format!("{meta}{shell_html}"),
    }
}

/// What the agent reads in the widget's frame: what happened and what to do, no internals.
fn refusal_page(refusal: &WidgetRefusal) -> String {
    let (de, en) = match refusal {
        WidgetRefusal::Missing(_) => (
            "Dieser Aufruf ist unvollständig. Bitte öffnen Sie das Widget erneut aus Kolibri24.",
            "This call is incomplete. Please open the widget again from Kolibri24.",
        ),
        WidgetRefusal::Expired => (
            "Dieser Aufruf ist abgelaufen. Bitte laden Sie die Seite in Kolibri24 neu.",
            "This call has expired. Please reload the page in Kolibri24.",
        ),
        WidgetRefusal::Invalid => (
            "Kolibri24 hat diesen Aufruf nicht bestätigt. Bitte öffnen Sie das Widget erneut aus Kolibri24.",
            "Kolibri24 did not confirm this call. Please open the widget again from Kolibri24.",
        ),
        WidgetRefusal::Revoked => (
            "Ihre Agentur hat den Zugriff dieser App in Kolibri24 entzogen. Eine Administratorin oder ein Administrator kann ihn in Kolibri24 wieder erteilen.",
            "Your agency has revoked this app's access in Kolibri24. An administrator can grant it again in Kolibri24.",
        ),
        WidgetRefusal::Unreachable(_) | WidgetRefusal::BadAnswer(_) => (
            "Der Aufruf konnte gerade nicht bei Kolibri24 geprüft werden. Bitte versuchen Sie es in einer Minute erneut.",
            "The call could not be checked with Kolibri24 just now. Please try again in a minute.",
        ),
    };
    format!(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>401</title></head><body><main>\
         <h1>Nicht bestätigt</h1><p id=\"reason-de\">{de}</p>\
         <h1 lang=\"en\">Not confirmed</h1><p id=\"reason-en\" lang=\"en\">{en}</p>\
         <p><small>{}</small></p></main></body></html>",
        refusal.code()
    )
}

#[cfg(test)]
mod tests {
    use super::valid_until;

    #[test]
    fn valid_until_reads_iso_8601_with_zone_and_unix_seconds_or_milliseconds() {
        // date -d '2026-11-24T10:00:00Z' +%s
        assert_eq!(valid_until("2026-11-24T10:00:00Z"), Some(1_795_514_400));
        assert_eq!(valid_until("2026-11-24T11:00:00+01:00"), Some(1_795_514_400));
        assert_eq!(valid_until("2026-11-24T11:00:00 01:00"), Some(1_795_514_400), "an unencoded `+`");
        assert_eq!(valid_until("2026-11-24T10:00:00.250Z"), Some(1_795_514_400));
        assert_eq!(valid_until("1795514400"), Some(1_795_514_400));
        assert_eq!(valid_until("1795514400123"), Some(1_795_514_400));
        for bad in ["2026-11-24T10:00:00", "2026-11-24", "tomorrow", "-5", "1e9", "", "17955144001230000000"] {
            assert_eq!(valid_until(bad), None, "{bad}");
        }
    }
}
