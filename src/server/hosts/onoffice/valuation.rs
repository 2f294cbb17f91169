//! The valuation service: a webhook onOffice calls (e.g. from a process-manager step) whose
//! result is entered in the property it was triggered from.

use crate::server::hosts::onoffice::api::Problem;
use crate::server::ids::CustomerWebId;
use crate::server::jobs::{JobContext, JobError};
use crate::server::store;
use crate::server::webhooks::{Delivery, WebhookHandler};
use futures::future::BoxFuture;

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

    fn handle<'a>(&'a self, ctx: &'a JobContext, delivery: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let estate_id = delivery.param("estateid").filter(|s| !s.is_empty()).ok_or_else(|| {
                JobError::Permanent("no estateid: the webhook must be triggered from a property".into())
            })?;
            let email = delivery.param("email").filter(|s| !s.is_empty());
            let request = store::valuations::ValuationRequest {
                delivery_id: &delivery.id,
                customer_web_id: &delivery.customer_web_id,
                user_id: &delivery.user_id,
                estate_id,
                email,
                requested_at: delivery.received_at,
            };
            store::valuations::record(&ctx.db, &request).await?;
            tracing::info!(delivery = %delivery.id, customer = %delivery.customer_web_id, estate = estate_id, "valuation requested");
            let service = ctx.state.webhooks.service(&delivery.service);
            let settings = service.map(|s| ValuationSettings::read(&s.settings)).transpose();
            match settings.map_err(JobError::Permanent)?.flatten() {
                Some(settings) => enter_value(ctx, delivery, estate_id, &settings).await,
                None => Ok(()),
            }
        })
    }
}

/// Writes the valuation into the property; idempotent (the same value again).
async fn enter_value(
    ctx: &JobContext,
    d: &Delivery,
    estate_id: &str,
    settings: &ValuationSettings,
) -> Result<(), JobError> {
    let area = d.param("wohnflaeche").and_then(|a| a.trim().replace(',', ".").parse::<f64>().ok());
    let area = area.filter(|a| *a > 0.0).ok_or_else(|| {
        JobError::Permanent(
            "no living area: add `wohnflaeche=_wohnflaeche` to the webhook's URL in onOffice, and fill in the property's living area".into(),
        )
    })?;
    let value = (area * settings.eur_per_sqm).round() as i64;
    let state = &ctx.state;
    let customer = CustomerWebId::from(d.customer_web_id.as_str());
    let creds = match crate::server::hosts::onoffice::credentials::load(state, &customer).await {
        Ok(Some(creds)) => creds,
        Ok(None) => {
            return Err(JobError::Permanent(
                "the service is not activated for this onOffice customer: an administrator must activate it in onOffice first".into(),
            ))
        }
        Err(e) => return Err(JobError::Retry(format!("credentials: {e}"))),
    };
    let mut fields = serde_json::Map::new();
    fields.insert(settings.field.clone(), serde_json::json!(value));
    let written = state.api.modify_estate(&creds, estate_id, fields, d.param("apiClaim"), d.param("language")).await;
    crate::server::hosts::onoffice::credentials::note_api_use(state, &customer, &written, crate::server::clock::now())
        .await;
    written.map_err(|e| match e.problem() {
        Some(Problem::Server | Problem::Clock) | None => JobError::Retry(e.to_string()),
        Some(_) => JobError::Permanent(e.to_string()),
    })?;
    tracing::info!(delivery = %d.id, estate = estate_id, field = %settings.field, value, "valuation entered in the property");
    Ok(())
}
