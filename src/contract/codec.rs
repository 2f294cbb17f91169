//! JSON on the wire where people read it (error bodies, the order request, the signed
//! parent-window message: support desks, curl, the load tests), without a JSON parser in the
//! browser bundle. On the server `serde_json` writes and reads the text; in the browser the
//! browser's own `JSON.parse` and `JSON.stringify` do, and `serde-wasm-bindgen` turns their
//! values into ours. The bytes on the wire are the same either way; the storefront's wasm is
//! smaller by serde_json's parser.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `application/json`, read and written as described above.
pub struct JsonText;

/// A server function's arguments as [`JsonText`] in a `POST` body.
pub type JsonBody = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = String;

    fn encode(value: &T) -> Result<Bytes, String> {
        to_json(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, String> {
        from_json(&bytes)
    }
}

/// `value` as JSON text.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| e.to_string())
}

/// A value read from JSON text.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_json<T: DeserializeOwned>(text: &[u8]) -> Result<T, String> {
    serde_json::from_slice(text).map_err(|e| e.to_string())
}

/// `value` as JSON text: serialised to a JavaScript value, written by `JSON.stringify`.
/// Absent options are left out (`undefined`), which serde reads back as `None`.
#[cfg(target_arch = "wasm32")]
pub fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let value = serde_wasm_bindgen::to_value(value).map_err(|e| e.to_string())?;
    let text = js_sys::JSON::stringify(&value).map_err(|_| "the value cannot be written as JSON".to_string())?;
    Ok(String::from(text).into_bytes())
}

/// A value read from JSON text: parsed by `JSON.parse`, deserialised from the JavaScript value.
#[cfg(target_arch = "wasm32")]
pub fn from_json<T: DeserializeOwned>(text: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(text).map_err(|e| e.to_string())?;
    let value =
        js_sys::JSON::parse(text).map_err(|_| format!("not JSON: {}", text.chars().take(80).collect::<String>()))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::errors::AppError;

    #[test]
    fn error_bodies_read_back_as_written() {
        let error = AppError::LaunchRejected { reason: "signature_mismatch".into() };
        let text = to_json(&error).unwrap();
        assert_eq!(text, br#"{"error":"launch_rejected","reason":"signature_mismatch"}"#);
        assert_eq!(from_json::<AppError>(&text).unwrap(), error);
        assert!(from_json::<AppError>(b"<html>").unwrap_err().contains("expected value"));
    }
}
