//! onOffice enterprise, the main host, its whole story in this folder:
//! - it frames the storefront (origins in `MARKTSTAND_ALLOWED_ORIGINS`, headers in
//!   `server::headers`) and opens it with a signed launch URL ([`launch`]);
//! - it signs launch, activation, payment-callback and webhook URLs with the signing core's
//!   URL scheme, checked by one rule ([`signed_request`], with the [`Verifiers`] built here);
//! - an administrator unlocks the provider in the activation iframe ([`activation`]), and the
//!   customer's API credentials are kept sealed ([`credentials`]);
//! - the storefront reads the launch's property through its API ([`api`], [`api_error`],
//!   [`property`]) and asks enterprise's window to refresh or close with signed messages
//!   ([`parent_message`]);
//! - payment runs in enterprise's popup, which calls our payment callback ([`payment`]);
//! - its webhooks arrive at `/webhooks/{service}` ([`webhooks`]), and the valuation service
//!   writes its result into the property ([`valuation`]).

pub mod activation;
pub mod api;
pub mod api_error;
pub mod credentials;
pub mod launch;
pub mod parent_message;
pub mod payment;
pub mod property;
pub mod signed_request;
pub mod valuation;
pub mod webhooks;

use crate::server::config::Config;
use signing::url::UrlVerifier;

/// One verifier per signed URL onOffice calls, built once at start.
pub struct Verifiers {
    /// The service iframe (the storefront's launch).
    pub launch: UrlVerifier,
    /// enterprise's calls of our payment callback.
    pub callback: UrlVerifier,
    /// The activation iframe.
    pub activation: UrlVerifier,
}

impl Verifiers {
    pub fn new(config: &Config) -> Self {
        Verifiers {
            launch: config.verifier(config.service_base()),
            callback: config.verifier(config.callback_base()),
            activation: config.verifier(config.activation_base()),
        }
    }
}
