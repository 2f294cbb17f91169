//! Handlers for Kolibri24 announcements, registered by name and picked per category in
//! `webhooks.toml` (`[kolibri24] Entity = "kolibri24_entity"`).

use crate::server::jobs::{JobContext, JobError};
use crate::server::store;
use crate::server::webhooks::{Delivery, WebhookHandler};
use futures::future::BoxFuture;
use serde_json::Value;

/// Records an `Entity` announcement (a property or contact changed in Kolibri24) against the
/// agency and entity, where the widget's requests for that entity can show it.
///
/// The entity is inside the announcement's `entityDetails`, as Kolibri24 documents the
/// details object; its fields are not published to us, so `entityId` (or `id`) and
/// `entityType` (or `type`) are read there, with the same names at the top level as a
/// fallback. Without an entity id the delivery fails with that reason.
pub struct EntityChanged;

impl WebhookHandler for EntityChanged {
    fn name(&self) -> &'static str {
        "kolibri24_entity"
    }

    fn handle<'a>(&'a self, ctx: &'a JobContext, d: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let announcement = d.value("announcement").cloned().unwrap_or(Value::Null);
            let details = announcement.get("entityDetails").filter(|v| v.is_object());
            let field = |names: &[&str]| {
                let places = details.into_iter().flat_map(|d| names.iter().map(move |n| d.get(*n)));
                let top = names.iter().take(1).map(|n| announcement.get(*n));
                places
                    .chain(top)
                    .flatten()
                    .map(crate::server::hosts::json::text)
                    .find(|t| !t.is_empty())
                    .unwrap_or_default()
            };
            let entity_id = field(&["entityId", "id"]);
            if entity_id.is_empty() {
                return Err(JobError::Permanent("the announcement names no entity (`entityDetails.entityId`)".into()));
            }
            let entity_type = field(&["entityType", "type"]);
            let name = d.value("name").and_then(Value::as_str).unwrap_or_default();
            let change = store::kolibri24::EntityChange {
                delivery_id: &d.id,
                agency_id: &d.customer_web_id,
                entity_id: &entity_id,
                entity_type: &entity_type,
                name,
                changed_at: d.received_at,
            };
            store::kolibri24::record_entity_change(&ctx.db, &change).await?;
            Ok(())
        })
    }
}
