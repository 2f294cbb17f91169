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
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len() * 3);
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
    out
}

/// PHP `http_build_query($arr, '', '&', $enc)`: `key=value` pairs joined
/// with `&`, nested keys as `parent%5Bchild%5D`; empty arrays produce nothing.
pub fn http_build_query(arr: &PhpArray, enc: Encoding) -> String {
    let mut out = String::new();
    build(arr, None, enc, &mut out);
    out
}

fn build(arr: &PhpArray, prefix: Option<&str>, enc: Encoding, out: &mut String) {
    for (key, value) in arr.iter() {
        let ekey = match key {
            PhpKey::Int(i) => i.to_string(),
            PhpKey::Str(s) => urlencode(s, enc),
        };
        // Top level: `key`; nested: `prefix%5Bkey%5D`.
        let full = match prefix {
            None => ekey,
            Some(p) => format!("{p}%5B{ekey}%5D"),
        };
        match value {
            PhpValue::Array(child) => build(child, Some(&full), enc, out),
            PhpValue::Str(s) => {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&full);
                out.push('=');
                out.push_str(&urlencode(s, enc));
            }
        }
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
    }
}
