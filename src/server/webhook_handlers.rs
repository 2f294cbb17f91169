//! The webhook handlers this storefront ships. A handler does the work of one webhook
//! service after its delivery has been stored and answered.
//!
//! Adding one:
//! 1. Implement [`WebhookHandler`] for a type here: `name()` is what `webhooks.toml` refers
//!    to; `handle()` reads the delivery's parameters with `delivery.param("…")` and returns
//!    `HandlerError::Retry` for trouble that may pass (it is retried with backoff) or
//!    `HandlerError::Permanent` for input that will never work (shown to the provider).
//!    Make it idempotent: key what it writes by `delivery.id`, since a delivery can run
//!    again after a crash.
//! 2. Register it in [`register_builtin`].
//! 3. Name it in `webhooks.toml` with the URL macros it needs as `parameters`, and register
//!    the URL `https://<public host>/webhooks/<name>?<macros>` for the service in onOffice.

use super::hosts::onoffice::api::Problem;
use super::webhooks::{Delivery, HandlerContext, HandlerError, Registry, WebhookHandler};
use futures::future::BoxFuture;

/// Every handler a `webhooks.toml` may name.
pub fn register_builtin(registry: &mut Registry) {
    registry.register(ValuationRequest);
    registry.register(super::hosts::kolibri24::handlers::EntityChanged);
    registry.register(super::hosts::kolibri24::access::AuthorizationChanged);
    registry.register(super::hosts::oneflow::contracts::ContractEvents);
}

/// A valuation requested for the property the webhook was triggered from (e.g. by a
/// process-manager step): recorded with the e-mail address from the `email` macro when
/// configured, and, as onOffice's process-manager page describes such a service, its result
/// entered in the property. The result here is an indicative market value, the living area
/// (macro `wohnflaeche=_wohnflaeche`) times the service's `eur_per_sqm`, written into the
/// estate field `field` with the customer's stored credentials (`modify` on `estate`, in the
/// call's `language` version). Without `field` in the service's settings nothing is written.
pub struct ValuationRequest;

/// `[webhook.settings]` of a `valuation_request` service.
#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuationSettings {
    /// The estate field the value is written into (one the customer's onOffice has).
    pub field: String,
    /// Euros per square metre of living area.
    pub eur_per_sqm: f64,
}

impl ValuationSettings {
    fn read(settings: &toml::Table) -> Result<Option<Self>, String> {
        if settings.is_empty() {
            return Ok(None);
        }
        let parsed: Self = toml::Value::Table(settings.clone()).try_into().map_err(|e| e.to_string())?;
        if parsed.field.trim().is_empty() || parsed.eur_per_sqm.is_nan() || parsed.eur_per_sqm <= 0.0 {
            return Err("`field` must name an estate field and `eur_per_sqm` be above 0".into());
        }
        Ok(Some(parsed))
    }
}

impl WebhookHandler for ValuationRequest {
    fn name(&self) -> &'static str {
        "valuation_request"
    }

    fn check_settings(&self, settings: &toml::Table) -> Result<(), String> {
        ValuationSettings::read(settings).map(drop)
    }

    fn handle<'a>(
        &'a self,
        ctx: &'a HandlerContext,
        delivery: &'a Delivery,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            let estate_id = delivery.param("estateid").filter(|s| !s.is_empty()).ok_or_else(|| {
                HandlerError::Permanent("no estateid: the webhook must be triggered from a property".into())
            })?;
            let email = delivery.param("email").filter(|s| !s.is_empty());
            sqlx::query(
                "INSERT INTO valuation_requests (delivery_id, customer_web_id, user_id, estate_id, email, requested_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id) DO NOTHING",
            )
            .bind(&delivery.id)
            .bind(&delivery.customer_web_id)
            .bind(&delivery.user_id)
            .bind(estate_id)
            .bind(email)
            .bind(delivery.received_at)
            .execute(&ctx.db)
            .await?;
            tracing::info!(delivery = %delivery.id, customer = %delivery.customer_web_id, estate = estate_id, "valuation requested");
            let service = ctx.state.webhooks.service(&delivery.service);
            let settings = service.map(|s| ValuationSettings::read(&s.settings)).transpose();
            match settings.map_err(HandlerError::Permanent)?.flatten() {
                Some(settings) => enter_value(ctx, delivery, estate_id, &settings).await,
                None => Ok(()),
            }
        })
    }
}

/// Writes the valuation into the property; idempotent (the same value again).
async fn enter_value(
    ctx: &HandlerContext,
    d: &Delivery,
    estate_id: &str,
    settings: &ValuationSettings,
) -> Result<(), HandlerError> {
    let area = d.param("wohnflaeche").and_then(|a| a.trim().replace(',', ".").parse::<f64>().ok());
    let area = area.filter(|a| *a > 0.0).ok_or_else(|| {
        HandlerError::Permanent(
            "no living area: add `wohnflaeche=_wohnflaeche` to the webhook's URL in onOffice, and fill in the property's living area".into(),
        )
    })?;
    let value = (area * settings.eur_per_sqm).round() as i64;
    let state = &ctx.state;
    let creds = match super::credentials::load(state, &d.customer_web_id).await {
        Ok(Some(creds)) => creds,
        Ok(None) => {
            return Err(HandlerError::Permanent(
                "the service is not activated for this onOffice customer: an administrator must activate it in onOffice first".into(),
            ))
        }
        Err(e) => return Err(HandlerError::Retry(format!("credentials: {e}"))),
    };
    let mut fields = serde_json::Map::new();
    fields.insert(settings.field.clone(), serde_json::json!(value));
    let written = state.api.modify_estate(&creds, estate_id, fields, d.param("apiClaim"), d.param("language")).await;
    super::credentials::note_api_use(state, &d.customer_web_id, &written, super::now()).await;
    written.map_err(|e| match e.problem() {
        Some(Problem::Server | Problem::Clock) | None => HandlerError::Retry(e.to_string()),
        Some(_) => HandlerError::Permanent(e.to_string()),
    })?;
    tracing::info!(delivery = %d.id, estate = estate_id, field = %settings.field, value, "valuation entered in the property");
    Ok(())
}
