//! onOffice enterprise, the main host: it frames the storefront (origins in
//! `MARKTSTAND_ALLOWED_ORIGINS`), signs launch, activation, callback and webhook URLs with the
//! URL scheme of the signing core (checked in `server::signed_request`), and serves the API
//! the storefront reads the customer's data from.

pub mod api;
pub mod api_error;
pub mod webhooks;
