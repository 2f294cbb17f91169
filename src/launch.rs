//! The launch: onOffice opens the storefront with a signed query string; the app hands it,
//! unparsed, to [`verify_launch`], and the server answers who is calling plus a session token.

use crate::client::SessionClient;
use crate::errors::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Post, Postcard};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{Deserialize, Serialize};

/// Who opened the service and from where, as verified by the server.
/// The `apiClaim` is deliberately absent: it stays inside the server-sealed token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchContext {
    pub customer_name: String,
    pub customer_web_id: String,
    pub user_id: String,
    pub group_id: Option<String>,
    pub estate_id: Option<String>,
    pub address_id: Option<String>,
    /// The property's language (`language`), passed to the API as `estatelanguage`.
    pub language: Option<String>,
    /// The user's UI language (`UserLanguage`), e.g. `DEU` or `ENG`.
    pub user_language: Option<String>,
    pub image_ids: Vec<String>,
    pub parameter_cache_id: String,
}

impl LaunchContext {
    /// A context that names only the customer and user (the activation iframe): no group,
    /// property, address, languages or images.
    pub fn customer(
        customer_name: String,
        customer_web_id: String,
        user_id: String,
        parameter_cache_id: String,
    ) -> Self {
        LaunchContext {
            customer_name,
            customer_web_id,
            user_id,
            group_id: None,
            estate_id: None,
            address_id: None,
            language: None,
            user_language: None,
            image_ids: vec![],
            parameter_cache_id,
        }
    }
}

/// What a successful launch gives the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch {
    /// Short-lived, server-sealed session token for the `Authorization` header.
    pub token: String,
    /// Unix seconds after which the token is refused.
    pub expires_at: i64,
    pub context: LaunchContext,
    /// The host origins this storefront may talk to with postMessage.
    pub allowed_origins: Vec<String>,
    /// The catalogue, with a storefront launch: the first screen needs no second request.
    /// Shared on the server (every launch sends the same one).
    pub catalogue: Option<std::sync::Arc<crate::catalogue::Catalogue>>,
}

/// Verifies the launch query string exactly as it arrived (signature, freshness) and opens a
/// session. Answers 401 with the rejection reason when the link is expired or modified.
#[server(endpoint = "launch", client = SessionClient, input = Post<QueryText>, output = Postcard)]
pub async fn verify_launch(query: String) -> Result<Launch, AppError> {
    use crate::server::{handle, launch, now};
    handle(|state| async move { launch::open_session(&state, &query, now()) }).await
}

/// The launch's argument as the request body: the query string exactly as it arrived, as
/// `text/plain`. Nothing to encode in the page, nothing to decode on the server before the
/// signing core reads it (a form body cost a launch ~3 % of its time in `serde_qs`).
pub struct QueryText;

impl ContentType for QueryText {
    const CONTENT_TYPE: &'static str = "text/plain;charset=UTF-8";
}

impl FormatType for QueryText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<VerifyLaunch> for QueryText {
    type Error = std::convert::Infallible;

    fn encode(args: &VerifyLaunch) -> Result<Bytes, Self::Error> {
        Ok(Bytes::from(args.query.clone()))
    }
}

impl Decodes<VerifyLaunch> for QueryText {
    type Error = std::str::Utf8Error;

    fn decode(body: Bytes) -> Result<VerifyLaunch, Self::Error> {
        Ok(VerifyLaunch { query: std::str::from_utf8(&body)?.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launch_body_is_the_query_byte_for_byte() {
        // `+`, `%20` and `%2B` must reach the signing core as they were signed: a form
        // encoding would have turned them into each other.
        let query = "customerName=Muster+GmbH%20%2B%20Co&imageIds%5B0%5D=5&signature=ab".to_string();
        let body = <QueryText as Encodes<VerifyLaunch>>::encode(&VerifyLaunch { query: query.clone() }).unwrap();
        assert_eq!(&body[..], query.as_bytes());
        let back = <QueryText as Decodes<VerifyLaunch>>::decode(body).unwrap();
        assert_eq!(back.query, query);
        assert!(<QueryText as Decodes<VerifyLaunch>>::decode(Bytes::from_static(b"a=\xff")).is_err());
    }
}
