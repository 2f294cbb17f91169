//! `POST /api/launch-url`: the signed URL enterprise opens the service with.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::onoffice::query;
use crate::{now, ApiError, SimConfig};

/// Parameters that only enterprise's signing step may set.
const RESERVED: [&str; 2] = ["timestamp", "signature"];

/// How far in the past a stale launch is signed: well outside any sane window.
const STALE_BY_SECS: i64 = 3600;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LaunchMode {
    /// Signed exactly as enterprise signs it.
    #[default]
    Valid,
    /// Signed, then `customerName` changed: the signature no longer matches.
    Tampered,
    /// Signed with a timestamp an hour old.
    Stale,
}

/// Which iframe enterprise opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LaunchTarget {
    /// The service itself, at the storefront URL, with the service parameters.
    #[default]
    Service,
    /// The activation iframe at `/activate`, with the activation parameter set only.
    Activation,
}

/// The parameters enterprise sends to the activation iframe (besides timestamp/signature).
const ACTIVATION_PARAMS: [&str; 6] =
    ["apiClaim", "apiToken", "customerName", "customerWebId", "parameterCacheId", "userId"];

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LaunchRequest {
    /// Parameter name → value. Strings, numbers or lists; empty means omitted.
    pub params: BTreeMap<String, Value>,
    #[serde(default)]
    pub mode: LaunchMode,
    #[serde(default)]
    pub target: LaunchTarget,
}

#[derive(Serialize)]
pub struct LaunchResponse {
    url: String,
}

pub async fn handler(
    State(config): crate::State,
    Json(request): Json<LaunchRequest>,
) -> Result<Json<LaunchResponse>, ApiError> {
    let url = launch_url(&config, &request, now())?;
    tracing::info!(mode = ?request.mode, %url, "launch URL");
    Ok(Json(LaunchResponse { url }))
}

/// Builds and signs the service URL the way enterprise does.
pub fn launch_url(config: &SimConfig, request: &LaunchRequest, now: i64) -> Result<String, String> {
    let mut url = match request.target {
        LaunchTarget::Activation => crate::on_storefront(&config.storefront, "activate"),
        LaunchTarget::Service => config.storefront.clone(),
    };
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &request.params {
            let wanted = match request.target {
                LaunchTarget::Service => name != "apiToken",
                LaunchTarget::Activation => ACTIVATION_PARAMS.contains(&name.as_str()),
            };
            if !wanted {
                continue;
            }
            if RESERVED.contains(&name.as_str()) {
                return Err(format!("{name} is set by the signing step, not by the form"));
            }
            for (key, text) in encode_param(name, value)? {
                pairs.append_pair(&key, &text);
            }
        }
    }
    let timestamp = match request.mode {
        LaunchMode::Stale => now - STALE_BY_SECS,
        LaunchMode::Valid | LaunchMode::Tampered => now,
    };
    let signed = signing::url::sign_url(&config.secret, url.as_str(), timestamp)
        .map_err(|e| format!("signing failed: {}", e.code()))?;
    match request.mode {
        LaunchMode::Tampered => query::rewrite_param(&signed, "customerName", |old| match old {
            Some(name) => format!("{name} (changed)"),
            None => "(changed)".to_owned(),
        }),
        LaunchMode::Valid | LaunchMode::Stale => Ok(signed),
    }
}

/// Turns one form value into query pairs. Lists (and the comma-separated
/// `imageIds` field) become PHP-style `name[0]=…&name[1]=…`, the form a
/// macro that selects several images produces.
fn encode_param(name: &str, value: &Value) -> Result<Vec<(String, String)>, String> {
    let items: Vec<String> = match value {
        Value::Null => Vec::new(),
        Value::String(text) if name == "imageIds" => {
            return Ok(indexed(name, text.split(',').map(str::trim)));
        }
        Value::String(text) if text.trim().is_empty() => Vec::new(),
        Value::String(text) => vec![text.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![u8::from(*b).to_string()],
        Value::Array(list) => {
            let texts = list.iter().map(scalar).collect::<Result<Vec<_>, _>>()?;
            return Ok(indexed(name, texts.iter().map(|s| s.trim())));
        }
        Value::Object(_) => return Err(format!("{name}: nested objects are not supported")),
    };
    Ok(items.into_iter().map(|v| (name.to_owned(), v)).collect())
}

fn indexed<'a>(name: &str, items: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    items
        .filter(|item| !item.is_empty())
        .enumerate()
        .map(|(i, item)| (format!("{name}[{i}]"), item.to_owned()))
        .collect()
}

fn scalar(value: &Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("list items must be strings or numbers, got {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_ids_become_a_php_list_and_empties_are_dropped() {
        let pairs = encode_param("imageIds", &json!(" 853, 759,,")).unwrap();
        assert_eq!(pairs, vec![("imageIds[0]".into(), "853".into()), ("imageIds[1]".into(), "759".into())]);
        assert!(encode_param("groupId", &json!("")).unwrap().is_empty());
        assert_eq!(encode_param("userId", &json!(17)).unwrap(), vec![("userId".into(), "17".into())]);
    }
}
