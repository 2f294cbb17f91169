//! The launch: onOffice opens the storefront with a signed query string; the app hands it,
//! unparsed, to [`verify_launch`], and the server answers who is calling plus a session token.

use crate::browser::client::SessionClient;
use crate::contract::catalogue::Catalogue;
use crate::contract::errors::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Post, PostcardEncoding};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

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
    pub allowed_origins: Arc<[String]>,
    /// The catalogue, with a storefront launch: the first screen needs no second request.
    pub catalogue: Option<SharedCatalogue>,
}

/// The catalogue as the server holds it: one value shared by every launch answer, with its
/// postcard bytes written once (encoding it again for each launch was ~2 % of a launch's
/// time). Reads as a [`Catalogue`]; on the wire it is exactly a catalogue.
#[derive(Clone, Debug)]
pub struct SharedCatalogue {
    catalogue: Arc<Catalogue>,
    /// Empty where nothing is encoded (a catalogue read from an answer, in the browser).
    postcard: Bytes,
}

impl SharedCatalogue {
    pub fn new(catalogue: Catalogue) -> Self {
        let postcard = postcard::to_allocvec(&catalogue).expect("a catalogue serialises").into();
        SharedCatalogue { catalogue: Arc::new(catalogue), postcard }
    }

    /// The catalogue itself, copied only if it is still shared.
    pub fn into_inner(self) -> Catalogue {
        Arc::unwrap_or_clone(self.catalogue)
    }
}

impl std::ops::Deref for SharedCatalogue {
    type Target = Catalogue;

    fn deref(&self) -> &Catalogue {
        &self.catalogue
    }
}

impl PartialEq for SharedCatalogue {
    fn eq(&self, other: &Self) -> bool {
        self.catalogue == other.catalogue
    }
}

impl Eq for SharedCatalogue {}

impl Serialize for SharedCatalogue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.catalogue.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SharedCatalogue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let catalogue = Catalogue::deserialize(deserializer)?;
        Ok(SharedCatalogue { catalogue: Arc::new(catalogue), postcard: Bytes::new() })
    }
}

/// A launch answer in postcard, byte for byte what server functions' `Postcard` writes, but
/// with the shared catalogue's bytes copied in instead of encoded again.
pub struct LaunchPostcard;

impl ContentType for LaunchPostcard {
    const CONTENT_TYPE: &'static str = PostcardEncoding::CONTENT_TYPE;
}

impl FormatType for LaunchPostcard {
    const FORMAT_TYPE: Format = PostcardEncoding::FORMAT_TYPE;
}

impl Encodes<Launch> for LaunchPostcard {
    type Error = postcard::Error;

    fn encode(launch: &Launch) -> Result<Bytes, postcard::Error> {
        // Every field named: a new one cannot be forgotten here. Postcard writes a struct as
        // its fields one after the other, as it writes a tuple.
        let Launch { token, expires_at, context, allowed_origins, catalogue } = launch;
        // One allocation: the head is a few hundred bytes, the catalogue's are known.
        let room = 512 + catalogue.as_ref().map_or(0, |shared| 1 + shared.postcard.len());
        let head = postcard::to_extend(&(token, expires_at, context, allowed_origins), Vec::with_capacity(room))?;
        let out = match catalogue {
            Some(shared) if !shared.postcard.is_empty() => {
                let mut out = head;
                out.push(1); // `Some`
                out.extend_from_slice(&shared.postcard);
                out
            }
            other => postcard::to_extend(other, head)?,
        };
        Ok(out.into())
    }
}

impl Decodes<Launch> for LaunchPostcard {
    type Error = postcard::Error;

    fn decode(bytes: Bytes) -> Result<Launch, postcard::Error> {
        <PostcardEncoding as Decodes<Launch>>::decode(bytes)
    }
}

/// Verifies the launch query string exactly as it arrived (signature, freshness) and opens a
/// session. Answers 401 with the rejection reason when the link is expired or modified.
#[server(endpoint = "launch", client = SessionClient, input = Post<QueryText>, output = Post<LaunchPostcard>)]
pub async fn verify_launch(query: String) -> Result<Launch, AppError> {
    use crate::server::{call::handle, clock::now, hosts::onoffice::launch};
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
    use crate::contract::catalogue::{Localized, Product};

    fn launch(catalogue: Option<SharedCatalogue>) -> Launch {
        Launch {
            token: "token".into(),
            expires_at: 1_700_000_000,
            context: LaunchContext::customer("Muster GmbH".into(), "4711".into(), "17".into(), "pc".into()),
            allowed_origins: ["https://smart.onoffice.de".to_string()].into(),
            catalogue,
        }
    }

    #[test]
    fn the_launch_answer_is_plain_postcard_with_or_without_the_catalogue() {
        let text = |de: &str, en: &str| Localized { de: de.into(), en: en.into() };
        let product = Product {
            id: "floor-plan".into(),
            name: text("Grundriss", "Floor plan"),
            description: text("Maßstäblich", "To scale"),
            image: "images/floor-plan.svg".into(),
            price_cents: 4_900,
            circles: vec![],
            needs: None,
            oneflow_template: Some("template-1".into()),
        };
        let catalogue = Catalogue { products: vec![product], subscriptions: vec![] };
        for answer in [launch(Some(SharedCatalogue::new(catalogue))), launch(None)] {
            let ours = <LaunchPostcard as Encodes<Launch>>::encode(&answer).unwrap();
            assert_eq!(ours, <PostcardEncoding as Encodes<Launch>>::encode(&answer).unwrap());
            let back = <LaunchPostcard as Decodes<Launch>>::decode(ours).unwrap();
            assert_eq!(back, answer);
            assert_eq!(
                back.catalogue.map(SharedCatalogue::into_inner).map(|c| c.products.len()),
                answer.catalogue.map(|c| c.products.len())
            );
        }
    }

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
