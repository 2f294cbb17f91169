//! Kolibri24, a second real-estate CRM: it frames our widget (AppXchange) after checking
//! nothing itself, so we check every widget call with Kolibri24's `validateSignature`
//! endpoint (`widget`), and it posts webhook envelopes to a URL that carries a secret token
//! per registration (`webhooks`, `envelope`).

pub mod access;
pub mod entity_changed;
pub mod envelope;
pub mod requests;
pub mod webhooks;
pub mod widget;

use crate::server::AppState;
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use widget::{EndpointValidator, ValidCache, WidgetValidator};

/// Kolibri24's production `validateSignature`; the sandbox is
/// `https://sandbox-authorization.kolibri24.com/v1/validateSignature`.
pub const PRODUCTION_VALIDATE_URL: &str = "https://authorization.kolibri24.com/v1/validateSignature";
/// Who may frame the widget unless configured otherwise: Kolibri24's domain and its subdomains
/// (`https://*.kolibri24.com` alone does not cover `https://kolibri24.com`).
pub const DEFAULT_FRAME_ANCESTORS: &str = "https://kolibri24.com https://*.kolibri24.com";
/// How long a widget call waits for Kolibri24's answer before it is refused.
pub const VALIDATE_TIMEOUT: Duration = Duration::from_secs(3);

/// Kolibri24's settings.
#[derive(clap::Args, Debug, Clone)]
pub struct Kolibri24Args {
    /// Kolibri24's `validateSignature` endpoint (production or sandbox).
    #[arg(long = "kolibri24-validate-url", env = "MARKTSTAND_KOLIBRI24_VALIDATE_URL", default_value = PRODUCTION_VALIDATE_URL)]
    pub validate_url: String,
    /// Who may frame the widget: space-separated `https://host` or `https://*.host`.
    #[arg(long = "kolibri24-frame-ancestors", env = "MARKTSTAND_KOLIBRI24_FRAME_ANCESTORS", default_value = DEFAULT_FRAME_ANCESTORS)]
    pub frame_ancestors: String,
    /// The secret tokens of the webhook registrations (space-separated); none: webhooks off.
    #[arg(long = "kolibri24-webhook-tokens", env = "MARKTSTAND_KOLIBRI24_WEBHOOK_TOKENS", hide_env_values = true)]
    pub webhook_tokens: Option<String>,
}

impl Default for Kolibri24Args {
    fn default() -> Self {
        Kolibri24Args {
            validate_url: PRODUCTION_VALIDATE_URL.into(),
            frame_ancestors: DEFAULT_FRAME_ANCESTORS.into(),
            webhook_tokens: None,
        }
    }
}

/// Kolibri24 at run time: the validator with its cache, the frame rule, the webhook tokens.
#[derive(Clone)]
pub struct Kolibri24 {
    pub validator: Arc<dyn WidgetValidator>,
    pub cache: Arc<ValidCache>,
    pub frame_ancestors: Vec<String>,
    pub webhook_tokens: webhooks::Tokens,
}

impl std::fmt::Debug for Kolibri24 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kolibri24")
            .field("frame_ancestors", &self.frame_ancestors)
            .field("webhook_tokens", &format!("{} configured", self.webhook_tokens.len()))
            .finish_non_exhaustive()
    }
}

impl Kolibri24 {
    /// Checks the settings once at start.
    pub fn from_args(args: &Kolibri24Args) -> Result<Self, String> {
        let url = url::Url::parse(&args.validate_url)
            .map_err(|e| format!("MARKTSTAND_KOLIBRI24_VALIDATE_URL `{}` is not a URL: {e}", args.validate_url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("MARKTSTAND_KOLIBRI24_VALIDATE_URL must be an http(s) URL".into());
        }
        let frame_ancestors =
            super::parse_frame_ancestors(&args.frame_ancestors, "MARKTSTAND_KOLIBRI24_FRAME_ANCESTORS")?;
        Ok(Kolibri24 {
            validator: Arc::new(EndpointValidator::new(url.as_str(), VALIDATE_TIMEOUT)),
            cache: Arc::new(ValidCache::default()),
            frame_ancestors,
            webhook_tokens: webhooks::Tokens::parse(args.webhook_tokens.as_deref().unwrap_or("")),
        })
    }
}

/// The origin for `X-Frame-Options: ALLOW-FROM`, which names one: the page that framed us
/// (its `Referer`) when it is one of `sources`, else the first source that is no wildcard.
pub fn framing_origin(sources: &[String], referer: Option<&axum::http::HeaderValue>) -> String {
    let framer = referer.and_then(|r| url::Url::parse(r.to_str().ok()?).ok()).map(|u| u.origin().ascii_serialization());
    if let Some(framer) = framer.filter(|f| sources.iter().any(|s| source_matches(s, f))) {
        return framer;
    }
    let fixed = sources.iter().find(|s| !s.contains("*."));
    fixed.cloned().unwrap_or_else(|| sources.first().map(|s| s.replacen("*.", "", 1)).unwrap_or_default())
}

/// Whether CSP source `source` (`https://host` or `https://*.host`) covers `origin`.
fn source_matches(source: &str, origin: &str) -> bool {
    match source.split_once("*.") {
        Some((scheme, domain)) => origin.strip_prefix(scheme).is_some_and(|host| host.ends_with(&format!(".{domain}"))),
        None => source == origin,
    }
}

/// An announcement's own time (`timeStamp`: ISO 8601 or Unix seconds/milliseconds), else
/// when it was received; orders announcements that arrive out of order.
pub fn announced_at(announcement: &serde_json::Value, received_at: i64) -> i64 {
    let raw =
        announcement.get("timeStamp").or_else(|| announcement.get("timestamp")).map(crate::server::hosts::json::text);
    raw.and_then(|t| widget::valid_until(&t)).unwrap_or(received_at)
}

/// `/kolibri24/widget` and `/kolibri24/webhook/{token}`.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/kolibri24/widget", get(widget::page)).route(
        "/kolibri24/webhook/{token}",
        post(webhooks::receive).layer(RequestBodyLimitLayer::new(webhooks::MAX_BODY_BYTES)),
    )
}
