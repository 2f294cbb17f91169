//! Handlers for Kolibri24 announcements, registered by name and picked per category in
//! `webhooks.toml` (`[kolibri24] Entity = "kolibri24_entity"`).

use crate::server::webhooks::{Delivery, HandlerContext, HandlerError, WebhookHandler};
use futures::future::BoxFuture;
use serde_json::Value;

/// Records an `Entity` announcement (a property or contact changed in Kolibri24) against the
/// agency and entity, where the widget's requests for that entity can show it.
///
/// The announcement's fields beyond `category` are not documented by Kolibri24: `entityId`,
/// `entityType` and `realEstateAgencyId` are assumed to carry the same names as the widget's
/// parameters. Without `entityId` the delivery fails with that reason.
pub struct EntityChanged;

impl WebhookHandler for EntityChanged {
    fn name(&self) -> &'static str {
        "kolibri24_entity"
    }

    fn handle<'a>(&'a self, ctx: &'a HandlerContext, d: &'a Delivery) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            let announcement = d.value("announcement").cloned().unwrap_or(Value::Null);
            let field = |name: &str| announcement.get(name).map(crate::server::text).unwrap_or_default();
            let entity_id = field("entityId");
            if entity_id.is_empty() {
                return Err(HandlerError::Permanent("the announcement names no `entityId`".into()));
            }
            let name = d.value("name").and_then(Value::as_str).unwrap_or_default();
            sqlx::query(
                "INSERT INTO entity_changes (delivery_id, agency_id, entity_id, entity_type, name, changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id) DO NOTHING",
            )
            .bind(&d.id)
            .bind(&d.customer_web_id)
            .bind(&entity_id)
            .bind(field("entityType"))
            .bind(name)
            .bind(d.received_at)
            .execute(&ctx.db)
            .await?;
            Ok(())
        })
    }
}
