//! Provider activation: an administrator of the customer opens the signed activation iframe,
//! pastes the customer's API key and consents; the server unlocks the provider with onOffice.

use crate::browser::client::SessionClient;
use crate::contract::errors::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// What the activation page needs after the URL was verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationStart {
    /// Session token for [`activate`] (in memory only, like every session).
    pub token: String,
    pub customer_name: String,
    /// Whether credentials are already stored (a re-activation replaces them).
    pub active: bool,
    pub allowed_origins: std::sync::Arc<[String]>,
}

/// Verifies the activation iframe's query string exactly as it arrived.
#[server(endpoint = "activation_start", client = SessionClient, output = Postcard)]
pub async fn open_activation(query: String) -> Result<ActivationStart, AppError> {
    use crate::server::{call::handle, clock::now, hosts::onoffice::activation};
    handle(|state| async move { activation::start(&state, &query, now()).await }).await
}

/// Unlocks the provider with the pasted API key; stores the credentials on success.
#[server(endpoint = "activate", client = SessionClient, output = Postcard)]
pub async fn activate(api_key: String, consent: bool) -> Result<(), AppError> {
    use crate::server::{call::handle, clock::now, hosts::onoffice::activation, session};
    handle(|state| async move {
        let session = session::require_any(&state)?;
        activation::activate(&state, &session, &api_key, consent, now()).await
    })
    .await
}

/// What the storefront shows about the property or address it was opened from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PropertyInfo {
    /// Opened without an estate or address id.
    NoContext,
    /// The customer has not activated the provider, so nothing can be read.
    NotActivated,
    /// The session was resumed after payment and carries no `apiClaim`: the details need a
    /// fresh launch from onOffice.
    NeedsFreshLaunch,
    /// onOffice refused the launch's `apiClaim` as outdated or missing: reopening the
    /// service from onOffice gives a fresh one.
    ClaimOutdated,
    /// The customer's API user may not read this record.
    NoPermission,
    /// onOffice knows no such record (or the API user cannot see it).
    UnknownRecord,
    /// onOffice refused the stored key: an administrator must activate the service again.
    KeyRefused,
    /// onOffice could not be asked; the storefront keeps working.
    Unavailable {
        message: String,
    },
    Estate {
        id: String,
        title: String,
        address: String,
        number: String,
    },
    Address {
        id: String,
        name: String,
        address: String,
    },
}

/// Reads the launch's property or address through the onOffice API.
#[server(endpoint = "property_info", client = SessionClient, output = Postcard)]
pub async fn read_property() -> Result<PropertyInfo, AppError> {
    use crate::server::{hosts::onoffice::property, session::with_session};
    with_session(|state, session| async move { Ok(property::property_info(&state, &session).await) }).await
}
