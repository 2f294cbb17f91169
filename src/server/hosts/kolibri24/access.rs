//! Whether an agency lets this app in: Kolibri24 announces a grant or a revocation with an
//! `Authorization` announcement. A revoked agency's widget calls are refused with a 401 that
//! says so; a later grant restores them. Announcements may arrive out of order, so the newest
//! by its own time wins.
//!
//! Kolibri24 names the details object (`authorizationDetails`) but publishes nothing we could
//! read about its fields, so every plausible form is read (see [`grant_of`]); one that says
//! neither grant nor revocation fails with what it carried, for the provider to look at.

use crate::server::jobs::{JobContext, JobError};
use crate::server::store;
use crate::server::webhooks::{Delivery, WebhookHandler};
use crate::server::AppState;
use futures::future::BoxFuture;
use serde_json::Value;

/// Whether the agency's latest announcement revoked access.
pub async fn is_revoked(state: &AppState, agency_id: &str) -> bool {
    match store::kolibri24::revoked(&state.db, agency_id).await {
        Ok(revoked) => revoked.unwrap_or(false),
        Err(e) => {
            // Kolibri24 confirmed the call; a database hiccup must not lock the agency out.
            tracing::warn!(agency = %agency_id, error = %e, "Kolibri24 access not read");
            false
        }
    }
}

/// Grant (`Some(true)`), revocation (`Some(false)`), or neither, from the announcement's
/// `authorizationDetails` (or the announcement itself): a word in `action`, `status`, `type`,
/// `event` or `state`, a boolean such as `isAuthorized`/`granted`/`revoked`, or the message's
/// event name (e.g. `AuthorizationRevoked`).
pub fn grant_of(announcement: &Value, message_name: &str) -> Option<bool> {
    let details = announcement.get("authorizationDetails").filter(|d| d.is_object()).unwrap_or(announcement);
    for key in ["isAuthorized", "authorized", "isGranted", "granted", "hasAccess", "isActive", "active", "enabled"] {
        if let Some(flag) = details.get(key).and_then(Value::as_bool) {
            return Some(flag);
        }
    }
    for key in ["isRevoked", "revoked", "disabled"] {
        if let Some(flag) = details.get(key).and_then(Value::as_bool) {
            return Some(!flag);
        }
    }
    let words = ["action", "status", "type", "event", "state", "authorizationAction", "authorizationStatus"];
    words.iter().filter_map(|key| details.get(*key).and_then(Value::as_str)).chain([message_name]).find_map(word)
}

fn word(text: &str) -> Option<bool> {
    let text = text.to_ascii_lowercase();
    // Revocations first: "unauthorized" contains "authorized", "uninstalled" "installed".
    const REVOKED: [&str; 9] =
        ["revok", "remov", "delet", "disabl", "denied", "deny", "uninstall", "withdr", "unauthori"];
    // "authorized", not "authoriz": the category's own name says nothing either way.
    const GRANTED: [&str; 7] = ["grant", "added", "authorized", "authorised", "enabl", "install", "creat"];
    if REVOKED.iter().any(|w| text.contains(w)) {
        Some(false)
    } else if GRANTED.iter().any(|w| text.contains(w)) {
        Some(true)
    } else {
        None
    }
}

/// Records an `Authorization` announcement against its agency (`realEstateAgencyId`).
pub struct AuthorizationChanged;

impl WebhookHandler for AuthorizationChanged {
    fn name(&self) -> &'static str {
        "kolibri24_authorization"
    }

    fn handle<'a>(&'a self, ctx: &'a JobContext, d: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let announcement = d.value("announcement").cloned().unwrap_or(Value::Null);
            if d.customer_web_id.is_empty() {
                return Err(JobError::Permanent("the announcement names no `realEstateAgencyId`".into()));
            }
            let name = d.value("name").and_then(Value::as_str).unwrap_or_default();
            let granted = grant_of(&announcement, name).ok_or_else(|| {
                let details = announcement.get("authorizationDetails").unwrap_or(&Value::Null);
                JobError::Permanent(format!(
                    "cannot tell a grant from a revocation in this Authorization announcement (authorizationDetails: {details})"
                ))
            })?;
            let at = super::announced_at(&announcement, d.received_at);
            store::kolibri24::set_access(&ctx.db, &d.customer_web_id, granted, at, &d.id).await?;
            tracing::info!(agency = %d.customer_web_id, granted, "Kolibri24 access changed");
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::grant_of;
    use serde_json::json;

    #[test]
    fn grants_and_revocations_in_every_plausible_form() {
        let fixture = |name: &str| -> serde_json::Value {
            let path = format!("{}/tests/fixtures/hosts/kolibri24/{name}", env!("CARGO_MANIFEST_DIR"));
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        assert_eq!(grant_of(&fixture("announcement-authorization.json"), ""), Some(false));
        assert_eq!(grant_of(&fixture("announcement-authorization-granted.json"), ""), Some(true));
        let cases = [
            (json!({"authorizationDetails": {"status": "REVOKED"}}), "", Some(false)),
            (json!({"authorizationDetails": {"isAuthorized": false}}), "", Some(false)),
            (json!({"authorizationDetails": {"revoked": true}}), "", Some(false)),
            (json!({"authorizationDetails": {"granted": true}}), "", Some(true)),
            (json!({"authorizationDetails": {"type": "AppInstalled"}}), "", Some(true)),
            (json!({"action": "AccessRemoved"}), "", Some(false)),
            (json!({"authorizationDetails": {}}), "AuthorizationRevoked", Some(false)),
            (json!({"authorizationDetails": {}}), "AuthorizationGranted", Some(true)),
            (json!({"authorizationDetails": {"note": "x"}}), "Authorization", None),
            (json!({"authorizationDetails": {"status": "Unauthorized"}}), "", Some(false)),
            (json!({"authorizationDetails": {"note": "x"}}), "Changed", None),
        ];
        for (announcement, name, expected) in cases {
            assert_eq!(grant_of(&announcement, name), expected, "{announcement} {name}");
        }
    }
}
