//! Reading hosts' JSON, which is loose about types.

/// A JSON field as text: hosts send ids and codes as strings or numbers; anything else
/// (missing, null, an object) is empty.
pub fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}
