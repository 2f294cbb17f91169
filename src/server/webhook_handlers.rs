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

use super::webhooks::{Delivery, HandlerContext, HandlerError, Registry, WebhookHandler};
use futures::future::BoxFuture;

/// Every handler a `webhooks.toml` may name.
pub fn register_builtin(registry: &mut Registry) {
    registry.register(ValuationRequest);
    registry.register(super::hosts::kolibri24::handlers::EntityChanged);
    registry.register(super::hosts::oneflow::contracts::ContractEvents);
}

/// Records a valuation request for the property the webhook was triggered from, e.g. by a
/// process-manager step, with the e-mail address from the `email` macro when configured.
pub struct ValuationRequest;

impl WebhookHandler for ValuationRequest {
    fn name(&self) -> &'static str {
        "valuation_request"
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
            Ok(())
        })
    }
}
