//! The webhook handlers this storefront ships, each in the folder of the host it serves. A
//! handler does the work of one webhook service after its delivery has been stored and
//! answered.
//!
//! Adding one:
//! 1. Implement [`super::WebhookHandler`] for a type in its host's folder: `name()` is what
//!    `webhooks.toml` refers to; `handle()` reads the delivery's parameters with
//!    `delivery.param("…")` and returns `JobError::Retry` for trouble that may pass (it is
//!    retried with backoff) or `JobError::Permanent` for input that will never work (shown to
//!    the provider). Make it idempotent: key what it writes by `delivery.id`, since a delivery
//!    can run again after a crash.
//! 2. Register it in [`register`].
//! 3. Name it in `webhooks.toml` with the URL macros it needs as `parameters`, and register
//!    the URL `https://<public host>/webhooks/<name>?<macros>` for the service in onOffice.

use crate::server::hosts::{kolibri24, oneflow, onoffice};
use crate::server::webhooks::Registry;

/// Every handler a `webhooks.toml` may name.
pub fn register(registry: &mut Registry) {
    registry.register(onoffice::valuation::ValuationRequest);
    registry.register(kolibri24::entity_changed::EntityChanged);
    registry.register(kolibri24::access::AuthorizationChanged);
    registry.register(oneflow::contracts::ContractEvents);
}
