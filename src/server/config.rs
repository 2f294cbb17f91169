//! Server configuration, from flags or environment variables (twelve-factor, so replicas
//! behind a load balancer share one definition).

use crate::server::hosts::kolibri24::{Kolibri24, Kolibri24Args};
use crate::server::hosts::oneflow::{Oneflow, OneflowArgs};
use clap::Args;
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use std::net::SocketAddr;

/// The enterprise origins allowed to frame us and to exchange messages with us: live and beta
/// clients. `https://smart.onoffice.de` was retired for `crm` in November 2025; configure it
/// only for a customer still on it.
pub const DEFAULT_ALLOWED_ORIGINS: &str = "https://crm.onoffice.de https://crm-beta.onoffice.de";

/// The longest a session token may live, whatever is configured: a token taken from a
/// machine stays useful for no longer than an agent's working session.
pub const MAX_SESSION_TTL_SECS: i64 = 4 * 3600;

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MARKTSTAND_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The service URL as registered with onOffice; launches are verified against it,
    /// never against what a proxy reports.
    #[arg(long, env = "MARKTSTAND_PUBLIC_URL", default_value = "http://127.0.0.1:3000/")]
    pub public_url: String,
    /// Provider secret(s), one per line; the first signs outgoing messages, the others are
    /// still accepted (rotation).
    #[arg(long, env = "MARKTSTAND_PROVIDER_SECRET", hide_env_values = true)]
    pub provider_secret: String,
    /// Host origins allowed to frame the storefront, separated by spaces or commas.
    #[arg(long, env = "MARKTSTAND_ALLOWED_ORIGINS", default_value = DEFAULT_ALLOWED_ORIGINS)]
    pub allowed_origins: String,
    /// How far a launch timestamp may be from now, in seconds, either way.
    #[arg(long, env = "MARKTSTAND_FRESHNESS_SECS", default_value_t = signing::url::DEFAULT_WINDOW_SECS)]
    pub freshness_secs: i64,
    /// Lifetime of a session token in seconds (at most [`MAX_SESSION_TTL_SECS`]).
    #[arg(long, env = "MARKTSTAND_SESSION_TTL_SECS", default_value_t = 1800)]
    pub session_ttl_secs: i64,
    /// 64 hex characters; all replicas need the same. Random per process when absent.
    /// Several keys (separated by spaces, commas or lines) rotate it: the first seals new
    /// sessions, all of them open existing ones, so nobody is logged out.
    #[arg(long, env = "MARKTSTAND_SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<String>,
    /// `sqlite://file.db` (default, created when missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://marktstand.db?mode=rwc")]
    pub database_url: String,
    /// Folder with the built app (Trunk's `dist`).
    #[arg(long, env = "MARKTSTAND_SITE_ROOT", default_value = "dist")]
    pub site_root: String,
    /// The provider's catalogue (TOML).
    #[arg(long, env = "MARKTSTAND_CATALOGUE", default_value = "catalogue.toml")]
    pub catalogue: String,
    /// Token for the provider's order list; the list is off when unset.
    #[arg(long, env = "MARKTSTAND_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The onOffice API endpoint.
    #[arg(long, env = "MARKTSTAND_API_ENDPOINT", default_value = "https://api.onoffice.de/api/stable/api.php")]
    pub api_endpoint: String,
    /// 64 hex characters: encrypts customers' API credentials at rest. Activation is off
    /// while it is unset.
    #[arg(long, env = "MARKTSTAND_CREDENTIALS_KEY", hide_env_values = true)]
    pub credentials_key: Option<String>,
    /// The webhook services (TOML); none when the file does not exist.
    #[arg(long, env = "MARKTSTAND_WEBHOOKS", default_value = "webhooks.toml")]
    pub webhooks: String,
    /// Token for `GET /metrics` (Prometheus); the route does not exist while it is unset.
    #[arg(long, env = "MARKTSTAND_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// `text` (readable) or `json` (one object a line, with a request id, for collectors).
    #[arg(long, env = "MARKTSTAND_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub kolibri24: Kolibri24Args,
    #[command(flatten)]
    pub oneflow: OneflowArgs,
}

/// How log lines are written.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// A 256-bit key (sessions, credentials at rest): 32 bytes, checked when read.
pub type Key = SecretSlice<u8>;

/// The 32 bytes of `key` (a [`Key`] is 32 bytes long by construction).
pub fn key_bytes(key: &Key) -> [u8; 32] {
    key.expose_secret().try_into().expect("keys are read as 32 bytes")
}

/// Validated configuration. Its secrets are `secrecy` types: `Debug` shows them redacted.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_url: url::Url,
    pub provider_secrets: Vec<SecretSlice<u8>>,
    /// Shared with every launch answer, which carries it (no copy per launch).
    pub allowed_origins: std::sync::Arc<[String]>,
    pub freshness_secs: i64,
    pub session_ttl_secs: i64,
    /// The first seals, every one opens (rotation).
    pub session_keys: Vec<Key>,
    pub database_url: String,
    pub site_root: String,
    pub catalogue: String,
    pub admin_token: Option<SecretString>,
    pub api_endpoint: String,
    pub credentials_key: Option<Key>,
    pub webhooks: crate::server::webhooks::WebhookConfig,
    pub kolibri24: Kolibri24,
    pub oneflow: Oneflow,
    pub metrics_token: Option<SecretString>,
}

impl Config {
    /// Checks everything once at start, with messages that say which setting to fix.
    pub fn from_args(args: ServeArgs) -> Result<Self, String> {
        let public_url = url::Url::parse(&args.public_url)
            .map_err(|e| format!("MARKTSTAND_PUBLIC_URL `{}` is not a URL: {e}", args.public_url))?;
        if !matches!(public_url.scheme(), "http" | "https") || public_url.query().is_some() {
            return Err("MARKTSTAND_PUBLIC_URL must be an http(s) URL without a query".into());
        }
        let provider_secrets: Vec<SecretSlice<u8>> = args
            .provider_secret
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.as_bytes().to_vec().into())
            .collect();
        if provider_secrets.is_empty() {
            return Err("MARKTSTAND_PROVIDER_SECRET is empty".into());
        }
        let allowed_origins = parse_origins(&args.allowed_origins)?;
        if args.freshness_secs <= 0 || args.freshness_secs > 600 {
            return Err("MARKTSTAND_FRESHNESS_SECS must be between 1 and 600".into());
        }
        if args.session_ttl_secs <= 0 || args.session_ttl_secs > MAX_SESSION_TTL_SECS {
            return Err(format!("MARKTSTAND_SESSION_TTL_SECS must be between 1 and {MAX_SESSION_TTL_SECS} (4 hours)"));
        }
        let credentials_key = match args.credentials_key.as_deref().filter(|k| !k.is_empty()) {
            Some(hex_key) => Some(Key::from(parse_key(hex_key, "MARKTSTAND_CREDENTIALS_KEY")?.to_vec())),
            None => None,
        };
        let webhooks = crate::server::webhooks::WebhookConfig::load(std::path::Path::new(&args.webhooks))?;
        let kolibri24 = Kolibri24::from_args(&args.kolibri24)?;
        let oneflow = Oneflow::from_args(&args.oneflow)?;
        let mut session_keys = Vec::new();
        for hex_key in
            args.session_key.as_deref().unwrap_or_default().split([' ', ',', '\n']).filter(|k| !k.trim().is_empty())
        {
            session_keys.push(Key::from(parse_key(hex_key, "MARKTSTAND_SESSION_KEY")?.to_vec()));
        }
        if session_keys.is_empty() {
            tracing::warn!("MARKTSTAND_SESSION_KEY not set: using a random key, sessions will not survive a restart or work across replicas");
            session_keys.push(Key::from(rand::random::<[u8; 32]>().to_vec()));
        }
        Ok(Config {
            listen: args.listen,
            public_url,
            provider_secrets,
            allowed_origins: allowed_origins.into(),
            freshness_secs: args.freshness_secs,
            session_ttl_secs: args.session_ttl_secs,
            session_keys,
            database_url: args.database_url,
            site_root: args.site_root,
            catalogue: args.catalogue,
            admin_token: args.admin_token.filter(|t| !t.is_empty()).map(SecretString::from),
            api_endpoint: args.api_endpoint,
            credentials_key,
            webhooks,
            kolibri24,
            oneflow,
            metrics_token: args.metrics_token.filter(|t| !t.trim().is_empty()).map(SecretString::from),
        })
    }

    /// Whether browsers reach us over TLS (then `Strict-Transport-Security` is sent).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// `scheme://host[:port]/path` of the registered service URL: what onOffice signs.
    pub fn service_base(&self) -> String {
        let u = &self.public_url;
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{}{}{}", u.scheme(), u.host_str().unwrap_or_default(), port, u.path())
    }
}

impl Config {
    /// Where enterprise calls us after payment: `/orders/callback` on the public origin.
    pub fn callback_base(&self) -> String {
        self.origin_path("/orders/callback")
    }

    /// The activation iframe's URL as registered with onOffice: `/activate` on the public origin.
    pub fn activation_base(&self) -> String {
        self.origin_path("/activate")
    }

    /// `scheme://host[:port]` + the service's path prefix + `path`: where onOffice calls the
    /// route `path` of a storefront registered under a path (`https://host/mp/shop/`).
    pub fn origin_path(&self, path: &str) -> String {
        let u = &self.public_url;
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{}{}{}{}", u.scheme(), u.host_str().unwrap_or_default(), port, self.base_path(), path)
    }

    /// The path the service is registered under, without its trailing `/`: `""` at the
    /// host's root, `/mp/shop` for `https://host/mp/shop/`. Every route is served below it
    /// (a reverse proxy forwards the prefix as it is).
    pub fn base_path(&self) -> &str {
        let path = self.public_url.path();
        let folder = if path.ends_with('/') { path } else { path.rsplit_once('/').map_or("", |(f, _)| f) };
        folder.trim_end_matches('/')
    }

    /// A verifier for URLs onOffice signs for `base`, with all provider secrets and the
    /// configured freshness window.
    pub fn verifier(&self, base: String) -> signing::url::UrlVerifier {
        let mut verifier =
            signing::url::UrlVerifier::new(base, self.provider_secrets.iter().map(|s| s.expose_secret()));
        verifier.window_secs = self.freshness_secs;
        verifier
    }

    pub fn callback_url(&self, order_id: &str) -> String {
        format!("{}?order={order_id}", self.callback_base())
    }
}

fn parse_key(hex_key: &str, name: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| format!("{name} must be 64 hex characters"))?;
    bytes.try_into().map_err(|_| format!("{name} must be 64 hex characters"))
}

/// Origins as `scheme://host[:port]`, no paths, never `*`.
pub fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    for item in list.split([' ', ',', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let parsed = url::Url::parse(item).map_err(|_| {
            format!("MARKTSTAND_ALLOWED_ORIGINS: `{item}` is not an origin like https://crm.onoffice.de")
        })?;
        let origin = parsed.origin().ascii_serialization();
        if item.contains('*') || origin == "null" || origin != item.trim_end_matches('/') {
            return Err(format!("MARKTSTAND_ALLOWED_ORIGINS: `{item}` must be an exact origin like https://crm.onoffice.de (no path, no wildcard)"));
        }
        origins.push(origin);
    }
    if origins.is_empty() {
        return Err("MARKTSTAND_ALLOWED_ORIGINS is empty".into());
    }
    Ok(origins)
}
