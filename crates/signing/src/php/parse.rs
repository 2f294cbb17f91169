//! PHP's `parse_str` and `urldecode`, with one deliberate difference: a
//! parameter given twice is refused instead of silently overwritten.

use super::{PhpArray, PhpKey, PhpValue};
use crate::Rejection;
use std::borrow::Cow;

/// PHP's default `max_input_vars`. PHP ignores variables past this count, so
/// the host would sign fewer than we would see: we refuse such a query.
pub const MAX_INPUT_VARS: usize = 1000;

/// PHP's default `max_input_nesting_level`. A deeper variable is dropped,
/// together with everything already stored under its base name.
pub const MAX_NESTING: usize = 64;

/// A parsed query string: PHP's `$result` of `parse_str($query, $result)`.
pub type ParsedQuery = PhpArray;

/// PHP `urldecode`: `+` is a space, `%XX` a byte; a `%` not followed by two
/// hex digits stays as it is.
pub fn urldecode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => match (input.get(i + 1).and_then(hex_val), input.get(i + 2).and_then(hex_val)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex_val(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

/// PHP `parse_str` into a fresh array, refusing repeated parameters.
///
/// Repeated means: the same top-level name given twice as a plain value, the
/// same full bracket path given twice (`a[0]=1&a[0]=2`), or a name used both
/// as a value and as an array (`a=1&a[x]=2`). `a[]=1&a[]=2` is fine: each
/// `[]` appends a new index.
pub fn parse_str(query: &str) -> Result<ParsedQuery, Rejection> {
    // Room for one entry per `&`-separated piece (fewer when names repeat or nest).
    let pieces = query.bytes().filter(|&b| b == b'&').count() + 1;
    let mut result = PhpArray::with_capacity(pieces.min(MAX_INPUT_VARS));
    let pieces = query.as_bytes().split(|&b| b == b'&').filter(|p| !p.is_empty());
    for (count, piece) in pieces.enumerate() {
        if count >= MAX_INPUT_VARS {
            return Err(Rejection::QueryTooLarge);
        }
        let (raw_key, raw_val) = match piece.iter().position(|&b| b == b'=') {
            Some(eq) => (&piece[..eq], &piece[eq + 1..]),
            None => (piece, &b""[..]),
        };
        let key = decode_key(raw_key);
        let value = urldecode(raw_val);
        register(&mut result, &key, value)?;
    }
    Ok(result)
}

/// The top-level name PHP would store a raw (still encoded) query key under,
/// or None when PHP ignores the key. Lets callers drop a parameter by name.
pub fn top_level_name(raw_key: &[u8]) -> Option<PhpKey> {
    split_name(&decode_key(raw_key)).map(|n| PhpKey::from_bytes(&n.base))
}

/// PHP handles the decoded key as a C string: it ends at the first NUL.
/// A key with nothing to decode (most are) is used as it is, uncopied.
fn decode_key(raw_key: &[u8]) -> Cow<'_, [u8]> {
    if !raw_key.iter().any(|&b| matches!(b, b'%' | b'+' | 0)) {
        return Cow::Borrowed(raw_key);
    }
    let mut key = urldecode(raw_key);
    if let Some(nul) = key.iter().position(|&b| b == 0) {
        key.truncate(nul);
    }
    Cow::Owned(key)
}

/// A variable name taken apart the way PHP does it.
struct Name {
    /// Name before the first `[`, with ` ` and `.` turned into `_`.
    base: Vec<u8>,
    /// Bracket indices; None for `[]` (append).
    path: Vec<Option<Vec<u8>>>,
    /// More bracket levels than PHP accepts.
    too_deep: bool,
}

fn split_name(key: &[u8]) -> Option<Name> {
    let start = key.iter().position(|&b| b != b' ').unwrap_or(key.len());
    let var = &key[start..];
    let mut base = Vec::with_capacity(var.len());
    let mut bracket = None;
    for (i, &b) in var.iter().enumerate() {
        match b {
            b' ' | b'.' => base.push(b'_'),
            b'[' => {
                bracket = Some(i);
                break;
            }
            _ => base.push(b),
        }
    }
    if base.is_empty() {
        return None; // PHP ignores an empty name, e.g. "=x" or "[a]=x".
    }
    let mut name = Name { base, path: Vec::new(), too_deep: false };
    let Some(mut open) = bracket else {
        return Some(name);
    };
    loop {
        if name.path.len() + 1 > MAX_NESTING {
            name.too_deep = true;
            return Some(name);
        }
        let index_start = open + 1;
        let Some(close) = var[index_start..].iter().position(|&b| b == b']') else {
            // No closing bracket. On the first level PHP keeps the rest as
            // part of a plain name ("a[b" is "a_b"); deeper, it drops it.
            if name.path.is_empty() {
                name.base.push(b'_');
                name.base.extend(var[index_start..].iter().map(|&b| match b {
                    b' ' | b'.' | b'[' => b'_',
                    b => b,
                }));
            }
            return Some(name);
        };
        let close = index_start + close;
        let mut index = &var[index_start..close];
        // PHP reads an index of exactly one whitespace byte as `[]`.
        if let [b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '] = index {
            index = &[];
        }
        name.path.push(if index.is_empty() { None } else { Some(index.to_vec()) });
        // Only a `[` right after `]` continues; anything else is ignored.
        if var.get(close + 1) == Some(&b'[') {
            open = close + 1;
        } else {
            return Some(name);
        }
    }
}

fn register(result: &mut PhpArray, key: &[u8], value: Vec<u8>) -> Result<(), Rejection> {
    let Some(name) = split_name(key) else {
        return Ok(());
    };
    if name.too_deep {
        result.remove(&PhpKey::from_bytes(&name.base));
        return Ok(());
    }
    let repeated = || Rejection::RepeatedParameter(String::from_utf8_lossy(key).into_owned());
    let value = PhpValue::Str(value);
    let Some((leaf, containers)) = name.path.split_last() else {
        let base = PhpKey::from_vec(name.base);
        if result.contains_key(&base) {
            return Err(repeated());
        }
        result.insert(base, value);
        return Ok(());
    };
    let mut current = result;
    for index in std::iter::once(Some(name.base.as_slice())).chain(containers.iter().map(|i| i.as_deref())) {
        match descend(current, index) {
            Ok(Some(next)) => current = next,
            Ok(None) => return Ok(()), // PHP could not append: variable dropped.
            Err(()) => return Err(repeated()),
        }
    }
    match leaf {
        None => {
            current.push(value);
        }
        Some(k) => {
            let k = PhpKey::from_bytes(k);
            if current.contains_key(&k) {
                return Err(repeated());
            }
            current.insert(k, value);
        }
    }
    Ok(())
}

/// Step into (creating if needed) the array at `key`, or a new appended one.
/// Err when a plain value already sits there; Ok(None) when PHP cannot append.
fn descend<'a>(arr: &'a mut PhpArray, key: Option<&[u8]>) -> Result<Option<&'a mut PhpArray>, ()> {
    let key = match key {
        None => match arr.push(PhpValue::Array(PhpArray::new())) {
            Some(k) => k,
            None => return Ok(None),
        },
        Some(k) => {
            let k = PhpKey::from_bytes(k);
            if !arr.contains_key(&k) {
                arr.insert(k.clone(), PhpValue::Array(PhpArray::new()));
            }
            k
        }
    };
    match arr.get_mut(&key) {
        Some(PhpValue::Array(a)) => Ok(Some(a)),
        _ => Err(()),
    }
}
