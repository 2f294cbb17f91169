//! `webhooks.toml`: which onOffice webhook services exist, which handler runs each, and
//! which extra parameters (URL macros) each may carry; which handler runs each Kolibri24
//! announcement category and Oneflow's notifications. Checked once at start, like the catalogue, so a
//! typo stops the server instead of failing deliveries later.

use crate::server::catalogue::{line_defining, line_of};
use crate::server::webhooks::handler::{Registry, WebhookHandler};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// The service parameters onOffice may append to any service URL; always accepted.
pub const STANDARD_PARAMETERS: &[&str] = &[
    "customerName",
    "customerWebId",
    "userId",
    "groupId",
    "apiClaim",
    "parameterCacheId",
    "timestamp",
    "signature",
    "estateid",
    "addressid",
    "language",
    "UserLanguage",
    "imageIds",
];

/// All configured webhook services; empty when the file does not exist.
#[derive(Clone)]
pub struct WebhookConfig {
    pub services: Vec<WebhookService>,
    /// Kolibri24 announcement category → its handler. A category without one is stored and
    /// marked done (nothing to do for it).
    pub kolibri24: BTreeMap<String, Arc<dyn WebhookHandler>>,
    /// The handler of Oneflow's notifications, if any.
    pub oneflow: Option<Arc<dyn WebhookHandler>>,
    /// How long a worker's claim on a delivery holds. When a process dies mid-delivery,
    /// another worker (or the restarted one) takes the delivery over after this time.
    pub lock_secs: i64,
    /// Attempts before a delivery that keeps asking for a retry fails (1 to 20).
    pub max_attempts: i64,
}

/// The default claim: a minute, so a slow handler is not run twice by accident.
pub const DEFAULT_LOCK_SECS: i64 = 60;

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            services: Vec::new(),
            kolibri24: BTreeMap::new(),
            oneflow: None,
            lock_secs: DEFAULT_LOCK_SECS,
            max_attempts: crate::server::jobs::MAX_ATTEMPTS,
        }
    }
}

/// One `[[webhook]]` entry with its handler resolved.
#[derive(Clone)]
pub struct WebhookService {
    /// URL-safe; the service is called at `/webhooks/{name}`.
    pub name: String,
    pub handler: Arc<dyn WebhookHandler>,
    /// Extra parameters the service's URL defines (macros such as `email`, `price`).
    pub parameters: Vec<String>,
    /// How long onOffice's call waits for the outcome before it is answered 202 and the work
    /// goes on in the background. Below the timeout registered with onOffice (1 to 999 s);
    /// 0 answers 202 at once and leaves all the work to the background worker.
    pub deadline_secs: u64,
    /// Refuse a delivery with a parameter not listed (by default it is kept and ignored).
    pub strict: bool,
    /// The handler's own settings (`[webhook.settings]`), checked by the handler at start.
    pub settings: toml::Table,
}

/// The default deadline: within any timeout a provider would register, and long enough for
/// one onOffice API call.
pub const DEFAULT_DEADLINE_SECS: u64 = 5;

impl WebhookService {
    /// Whether a top-level parameter of this name may appear in a delivery.
    pub fn accepts(&self, parameter: &str) -> bool {
        STANDARD_PARAMETERS.contains(&parameter) || self.parameters.iter().any(|p| p == parameter)
    }
}

impl std::fmt::Debug for WebhookService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookService")
            .field("name", &self.name)
            .field("handler", &self.handler.name())
            .field("parameters", &self.parameters)
            .field("deadline_secs", &self.deadline_secs)
            .field("strict", &self.strict)
            .finish()
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("services", &self.services)
            .field("kolibri24", &self.kolibri24.iter().map(|(c, h)| (c, h.name())).collect::<Vec<_>>())
            .field("oneflow", &self.oneflow.as_ref().map(|h| h.name()))
            .field("lock_secs", &self.lock_secs)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    lock_secs: Option<i64>,
    max_attempts: Option<i64>,
    #[serde(default)]
    webhook: Vec<Entry>,
    /// `Category = "handler"`.
    #[serde(default)]
    kolibri24: BTreeMap<String, String>,
    oneflow: Option<OneflowEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OneflowEntry {
    handler: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    handler: String,
    #[serde(default)]
    parameters: Vec<String>,
    deadline_secs: Option<u64>,
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    settings: toml::Table,
}

impl WebhookConfig {
    /// Reads `path` with the built-in handlers. A missing file means no webhooks.
    pub fn load(path: &Path) -> Result<Self, String> {
        Self::load_with(path, &Registry::builtin())
    }

    /// Like [`load`](Self::load), resolving handler names in `registry`.
    pub fn load_with(path: &Path, registry: &Registry) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(WebhookConfig::default()),
            Err(e) => return Err(format!("webhooks {}: cannot read: {e}", path.display())),
        };
        Self::parse(&text, &path.display().to_string(), registry)
    }

    /// Parses and checks the file's text; `file` names it in messages.
    pub fn parse(text: &str, file: &str, registry: &Registry) -> Result<Self, String> {
        let parsed: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            format!("webhooks {file} line {line}: {}", e.message())
        })?;
        let mut names = HashSet::new();
        let mut services = Vec::new();
        for entry in parsed.webhook {
            let line = line_defining(text, "name", &entry.name);
            let at = format!("webhooks {file} line {line}: webhook `{}`", entry.name);
            if !url_safe(&entry.name) {
                return Err(format!("{at}: `name` must be lowercase letters, digits and `-`"));
            }
            if !names.insert(entry.name.clone()) {
                return Err(format!("{at}: `name` is used twice"));
            }
            let handler = registry.get(&entry.handler).ok_or_else(|| {
                format!("{at}: unknown handler `{}` (known: {})", entry.handler, registry.names().join(", "))
            })?;
            if let Some(bad) = entry.parameters.iter().find(|p| !parameter_ok(p)) {
                return Err(format!("{at}: parameter `{bad}` must be letters, digits, `_` or `-`"));
            }
            let deadline_secs = entry.deadline_secs.unwrap_or(DEFAULT_DEADLINE_SECS);
            if deadline_secs > 900 {
                return Err(format!(
                    "{at}: `deadline_secs` must be 0 to 900 seconds, below the timeout registered with onOffice"
                ));
            }
            handler.check_settings(&entry.settings).map_err(|e| format!("{at}: settings: {e}"))?;
            services.push(WebhookService {
                name: entry.name,
                handler,
                parameters: entry.parameters,
                deadline_secs,
                strict: entry.strict,
                settings: entry.settings,
            });
        }
        let resolve = |key: &str, value: &str, name: &str| {
            registry.get(name).ok_or_else(|| {
                let line = line_defining(text, key, value);
                format!(
                    "webhooks {file} line {line}: unknown handler `{name}` (known: {})",
                    registry.names().join(", ")
                )
            })
        };
        let mut kolibri24 = BTreeMap::new();
        for (category, name) in &parsed.kolibri24 {
            kolibri24.insert(category.clone(), resolve(category, name, name)?);
        }
        let oneflow = match &parsed.oneflow {
            Some(entry) => Some(resolve("handler", &entry.handler, &entry.handler)?),
            None => None,
        };
        let lock_secs = parsed.lock_secs.unwrap_or(DEFAULT_LOCK_SECS);
        if !(2..=3600).contains(&lock_secs) {
            let line = text.lines().position(|l| l.trim_start().starts_with("lock_secs")).map_or(0, |i| i + 1);
            return Err(format!("webhooks {file} line {line}: `lock_secs` must be 2 to 3600 seconds"));
        }
        let max_attempts = parsed.max_attempts.unwrap_or(crate::server::jobs::MAX_ATTEMPTS);
        if !(1..=20).contains(&max_attempts) {
            let line = text.lines().position(|l| l.trim_start().starts_with("max_attempts")).map_or(0, |i| i + 1);
            return Err(format!("webhooks {file} line {line}: `max_attempts` must be 1 to 20"));
        }
        Ok(WebhookConfig { services, kolibri24, oneflow, lock_secs, max_attempts })
    }

    pub fn service(&self, name: &str) -> Option<&WebhookService> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The configured names, for messages.
    pub fn names(&self) -> Vec<&str> {
        self.services.iter().map(|s| s.name.as_str()).collect()
    }
}

fn url_safe(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parameter_ok(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
