//! Changing one parameter of an already signed URL.
//!
//! The tampering modes need a URL whose signature was right until a value
//! changed; everything else in the query must stay as it was signed.

use url::Url;

/// Replaces the value of `key` (or appends it when missing) without re-signing.
/// The query is decoded and re-encoded, which keeps its meaning: the signature
/// is computed over the canonical form, not the bytes on the wire.
pub fn rewrite_param(signed: &str, key: &str, change: impl Fn(Option<&str>) -> String) -> Result<String, String> {
    let mut url = Url::parse(signed).map_err(|e| format!("cannot parse signed URL: {e}"))?;
    let mut pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    match pairs.iter_mut().find(|(k, _)| k == key) {
        Some((_, value)) => *value = change(Some(value)),
        None => {
            // Keep `signature` last, where enterprise puts it.
            let at = pairs.iter().position(|(k, _)| k == "signature").unwrap_or(pairs.len());
            pairs.insert(at, (key.to_owned(), change(None)));
        }
    }
    url.query_pairs_mut().clear().extend_pairs(pairs);
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_only_the_named_value() {
        let out = rewrite_param("https://s.example/p/?a=1&customerName=A+B&signature=ff", "customerName", |v| {
            format!("{} (changed)", v.unwrap_or_default())
        })
        .unwrap();
        assert_eq!(out, "https://s.example/p/?a=1&customerName=A+B+%28changed%29&signature=ff");
    }

    #[test]
    fn appends_a_missing_value_before_the_signature() {
        let out = rewrite_param("https://s.example/?a=1&signature=ff", "status", |_| "x".into()).unwrap();
        assert_eq!(out, "https://s.example/?a=1&status=x&signature=ff");
    }
}
