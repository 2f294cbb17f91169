//! The JSON signature scheme for parent-window messages and orders: drop
//! `signature`, `ksort` at every level, `http_build_query` with RFC 3986
//! encoding, HMAC-SHA256, lowercase hex.
//!
//! Where it differs from the URL scheme ([`crate::url`]), following the
//! host's PHP (PROTOCOL.md, "Where the two onOffice schemes differ"):
//! - `ksort` **recursively**, at every level (the URL scheme sorts only the
//!   top level);
//! - `http_build_query(…, PHP_QUERY_RFC3986)`: space as `%20`, `~` kept
//!   (the URL scheme uses RFC 1738: `+`, `%7E`).
//!
//! Shared by both: the signature is compared as lowercase hex text, the way
//! `hash_equals` does, so an upper-case signature does not verify.
//!
//! The host reads the JSON as a PHP array, so values are turned into what
//! PHP would print: integers in decimal, `true` as "1", `false` as "0",
//! floats as PHP prints them (14 significant digits), `null` left out.

use crate::php::{self, Encoding, PhpArray, PhpKey, PhpValue};
use crate::Rejection;
use serde_json::{Map, Value};

/// The exact string that is signed for `msg` (without its `signature`).
/// Anything but an object or array signs as an empty array.
pub fn message_canonical(msg: &Value) -> String {
    let mut arr = match msg {
        Value::Object(map) => object_to_php(map.iter().filter(|(k, _)| k.as_str() != "signature")),
        Value::Array(items) => array_to_php(items),
        _ => PhpArray::new(),
    };
    arr.ksort_recursive();
    php::http_build_query(&arr, Encoding::Rfc3986)
}

/// Lowercase hex signature of a message (its own `signature` is ignored).
pub fn message_signature(secret: &[u8], msg: &Value) -> String {
    hex::encode(crate::hmac_sha256(secret, message_canonical(msg).as_bytes()))
}

/// Returns the object with `signature` set. Only objects can carry a
/// signature: anything else is returned unchanged.
pub fn sign_message(secret: &[u8], mut msg: Value) -> Value {
    let signature = message_signature(secret, &msg);
    if let Value::Object(map) = &mut msg {
        map.insert("signature".to_owned(), Value::String(signature));
    }
    msg
}

/// Accepts the message when any secret produced its `signature`. Every
/// secret is tried, each comparison in constant time. The signature must be
/// lowercase hex like the host's: other hex is a [`Rejection::SignatureMismatch`].
pub fn verify_message<S: AsRef<[u8]>>(secrets: &[S], msg: &Value) -> Result<(), Rejection> {
    let given = match msg.get("signature") {
        None | Some(Value::Null) => return Err(Rejection::MissingSignature),
        Some(Value::String(s)) if crate::is_signature_text(s.as_bytes()) => s.as_bytes(),
        Some(_) => return Err(Rejection::MalformedSignature),
    };
    if crate::matches_any(secrets, message_canonical(msg).as_bytes(), given) {
        Ok(())
    } else {
        Err(Rejection::SignatureMismatch)
    }
}

fn object_to_php<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> PhpArray {
    let mut arr = PhpArray::new();
    for (k, v) in entries {
        if let Some(v) = to_php(v) {
            arr.insert(PhpKey::from(k.as_str()), v);
        }
    }
    arr
}

fn array_to_php(items: &[Value]) -> PhpArray {
    let mut arr = PhpArray::new();
    for (i, v) in items.iter().enumerate() {
        if let Some(v) = to_php(v) {
            arr.insert(PhpKey::Int(i as i64), v);
        }
    }
    arr
}

fn to_php(v: &Value) -> Option<PhpValue> {
    let s = match v {
        Value::Null => return None,
        Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            // PHP reads integers beyond 64 bits as floats.
            None => php_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => return Some(PhpValue::Array(array_to_php(items))),
        Value::Object(map) => return Some(PhpValue::Array(object_to_php_map(map))),
    };
    Some(PhpValue::Str(s.into_bytes()))
}

fn object_to_php_map(map: &Map<String, Value>) -> PhpArray {
    object_to_php(map.iter())
}

/// Significant digits PHP uses when it turns a float into a string (the
/// `precision` setting, 14 by default), which is what `http_build_query` does.
const PHP_PRECISION: usize = 14;

/// A float as PHP 8 turns it into a string: rounded to 14 significant
/// digits, trailing zeros dropped, positional when the decimal exponent is
/// -4..=13, otherwise `d.dddE+x` (at least one digit after the point).
pub fn php_float(f: f64) -> String {
    if f.is_nan() {
        return "NAN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "INF" } else { "-INF" }.to_owned();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    // Correctly rounded to PHP_PRECISION digits: "1.2345000000000e2".
    let sci = format!("{:.*e}", PHP_PRECISION - 1, f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !php_keeps_zeros(f.abs()) {
        digits.truncate(digits.trim_end_matches('0').len());
    }
    let exp: i32 = exp.parse().unwrap_or(0);
    let decpt = exp + 1; // position of the decimal point, as dtoa reports it
    let body = if decpt < -3 || decpt > PHP_PRECISION as i32 {
        let (first, rest) = digits.as_str().split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}.{rest}E{esign}{}", exp.abs())
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            format!("{digits}{}", "0".repeat(decpt - digits.len()))
        } else {
            format!("{}.{}", &digits[..decpt], &digits[decpt..])
        }
    };
    format!("{sign}{body}")
}

/// PHP's dtoa keeps trailing zeros in one case: a 15-digit whole number
/// ending in 5 that rounds (half to even) down, e.g. 658675038652105.0
/// prints as 6.5867503865210E+14.
fn php_keeps_zeros(a: f64) -> bool {
    if a.fract() != 0.0 || !(1e14..1e15).contains(&a) {
        return false;
    }
    let n = a as u64;
    n % 10 == 5 && (n / 10).is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_php() {
        let cases = [
            (1.0, "1"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (129.49, "129.49"),
            (0.0001, "0.0001"),
            (0.00001, "1.0E-5"),
            (1.5e-7, "1.5E-7"),
            (1e14, "1.0E+14"),
            (99999999999999.0, "99999999999999"),
            (1.25e25, "1.25E+25"),
            (123456.789, "123456.789"),
            (8033855134341.553, "8033855134341.6"),
            (608944825508566.8, "6.0894482550857E+14"),
            (3.9620213413704474e-10, "3.9620213413704E-10"),
            (9223372036854775808.0, "9.2233720368548E+18"),
            (5e-324, "4.9406564584125E-324"),
            (658675038652105.0, "6.5867503865210E+14"),
            (100000000000005.0, "1.0000000000000E+14"),
            (100000000000015.0, "1.0000000000002E+14"),
            (100000000000004.0, "1.0E+14"),
            (12345678901234.5, "12345678901234"),
            (-0.0, "-0"),
        ];
        for (f, want) in cases {
            assert_eq!(php_float(f), want, "{f:e}");
        }
    }

    #[test]
    fn canonical_form_of_an_order() {
        let msg = json!({
            "timestamp": 17, "signature": "x", "z": null, "flag": true, "off": false,
            "products": [{"name": "Foto ~ 50%", "circleofusers": null, "quantity": 1}],
            "empty": [], "n": {"10": "b", "2": "a"}
        });
        assert_eq!(
            message_canonical(&msg),
            "flag=1&n%5B2%5D=a&n%5B10%5D=b&off=0&products%5B0%5D%5Bname%5D=Foto%20~%2050%25\
             &products%5B0%5D%5Bquantity%5D=1&timestamp=17"
        );
    }
}
