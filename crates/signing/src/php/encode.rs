//! PHP's `urlencode`/`rawurlencode` and `http_build_query`.

use super::{PhpArray, PhpKey, PhpValue};

/// The two encodings `http_build_query` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// PHP_QUERY_RFC1738 (the default, `urlencode`): space as `+`, `~` encoded.
    Rfc1738,
    /// PHP_QUERY_RFC3986 (`rawurlencode`): space as `%20`, `~` kept.
    Rfc3986,
}

/// Percent-encode every byte except `A-Z a-z 0-9 - _ .` (and `~` in
/// RFC 3986), with upper-case hex.
pub fn urlencode(input: &[u8], enc: Encoding) -> String {
    let mut out = String::with_capacity(input.len() * 3);
    urlencode_into(input, enc, &mut out);
    out
}

/// [`urlencode`], appended to `out`: building a query writes every key and
/// value straight into the one string (a launch builds one per request).
fn urlencode_into(input: &[u8], enc: Encoding, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in input {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b'~' if enc == Encoding::Rfc3986 => out.push('~'),
            b' ' if enc == Encoding::Rfc1738 => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xf)] as char);
            }
        }
    }
}

/// PHP `http_build_query($arr, '', '&', $enc)`: `key=value` pairs joined
/// with `&`, nested keys as `parent%5Bchild%5D`; empty arrays produce nothing.
pub fn http_build_query(arr: &PhpArray, enc: Encoding) -> String {
    let mut out = String::with_capacity(256);
    http_build_query_into(arr, enc, &mut out);
    out
}

/// [`http_build_query`], appended to `out` (which may already hold the URL
/// the query belongs to: the signed string is built in one buffer).
pub fn http_build_query_into(arr: &PhpArray, enc: Encoding, out: &mut String) {
    let mut name = String::with_capacity(64);
    let start = out.len();
    build(arr, &mut name, false, enc, start, out);
}

/// Writes `arr`'s pairs after `out[..start]`; `name` holds the encoded name
/// of `arr` itself when `nested` (an empty key is a name too) and is restored
/// before returning.
fn build(arr: &PhpArray, name: &mut String, nested: bool, enc: Encoding, start: usize, out: &mut String) {
    for (key, value) in arr.iter() {
        let len = name.len();
        // Top level: `key`; nested: `prefix%5Bkey%5D`.
        if nested {
            name.push_str("%5B");
        }
        match key {
            PhpKey::Int(i) => name.push_str(&i.to_string()),
            PhpKey::Str(s) => urlencode_into(s, enc, name),
        }
        if nested {
            name.push_str("%5D");
        }
        match value {
            PhpValue::Array(child) => build(child, name, true, enc, start, out),
            PhpValue::Str(s) => {
                if out.len() > start {
                    out.push('&');
                }
                out.push_str(name);
                out.push('=');
                urlencode_into(s, enc, out);
            }
        }
        name.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_differ_only_in_space_and_tilde() {
        let s = b"a b~c-_.*/\xc3\xa4";
        assert_eq!(urlencode(s, Encoding::Rfc1738), "a+b%7Ec-_.%2A%2F%C3%A4");
        assert_eq!(urlencode(s, Encoding::Rfc3986), "a%20b~c-_.%2A%2F%C3%A4");
    }

    #[test]
    fn nested_and_empty() {
        let mut inner = PhpArray::new();
        inner.insert(PhpKey::from("x y"), PhpValue::Str(b"1".to_vec()));
        let mut deeper = PhpArray::new();
        deeper.insert(PhpKey::Int(0), PhpValue::Str(b"z".to_vec()));
        inner.insert(PhpKey::from("d"), PhpValue::Array(deeper));
        let mut arr = PhpArray::new();
        arr.insert(PhpKey::from("empty"), PhpValue::Array(PhpArray::new()));
        arr.insert(PhpKey::from("a"), PhpValue::Array(inner));
        arr.insert(PhpKey::from("b"), PhpValue::Str(Vec::new()));
        assert_eq!(http_build_query(&arr, Encoding::Rfc1738), "a%5Bx+y%5D=1&a%5Bd%5D%5B0%5D=z&b=");
        // An empty name is still a name: its children are `%5B…%5D` (JSON keys can be empty).
        let mut child = PhpArray::new();
        child.insert(PhpKey::from("k"), PhpValue::Str(b"v".to_vec()));
        let mut top = PhpArray::new();
        top.insert(PhpKey::from(""), PhpValue::Array(child));
        assert_eq!(http_build_query(&top, Encoding::Rfc3986), "%5Bk%5D=v");
    }

    #[test]
    fn a_query_appended_to_a_url_is_the_query_alone_after_it() {
        let mut arr = PhpArray::new();
        arr.insert(PhpKey::from("a"), PhpValue::Str(b"1".to_vec()));
        arr.insert(PhpKey::from("b"), PhpValue::Str(b"2 3".to_vec()));
        let mut url = "https://x.test/p?".to_string();
        http_build_query_into(&arr, Encoding::Rfc1738, &mut url);
        assert_eq!(url, format!("https://x.test/p?{}", http_build_query(&arr, Encoding::Rfc1738)));
        assert_eq!(url, "https://x.test/p?a=1&b=2+3");
    }
}
