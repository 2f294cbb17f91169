//! onOffice enterprise as the storefront meets it: the page that frames the storefront
//! ([`page`]), signed launch URLs ([`launch`]), the messages the storefront posts to its
//! parent ([`messages`]), the payment popup's callback ([`callback`]), webhooks fired at the
//! storefront ([`webhook`]), and the onOffice API ([`api`]).

pub mod api;
pub(crate) mod callback;
pub(crate) mod launch;
pub(crate) mod messages;
pub(crate) mod page;
pub(crate) mod query;
pub(crate) mod webhook;
