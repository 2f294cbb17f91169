//! Byte-exact copies of the PHP functions the host signs with.
//!
//! The host computes its signatures with PHP's `parse_str`, `ksort` and
//! `http_build_query`. A signature only matches if we rebuild the same bytes,
//! so these follow PHP 8 (compared against PHP 8.2 on random input), quirks
//! included. Everything works on bytes: a decoded query need not be UTF-8.

mod compare;
mod encode;
mod parse;

pub use compare::compare_keys;
pub use encode::{http_build_query, http_build_query_into, urlencode, Encoding};
pub use parse::{parse_str, top_level_name, urldecode, ParsedQuery, MAX_INPUT_VARS, MAX_NESTING};

/// An array key. PHP turns canonical decimal strings ("17", "-3", not "017")
/// into integer keys, which sort and print differently from string keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PhpKey {
    Int(i64),
    Str(Vec<u8>),
}

impl PhpKey {
    /// The key PHP's symbol tables would store for these bytes.
    pub fn from_bytes(bytes: &[u8]) -> PhpKey {
        Self::from_vec(bytes.to_vec())
    }

    /// [`from_bytes`](Self::from_bytes), keeping `bytes` as the string key.
    pub fn from_vec(bytes: Vec<u8>) -> PhpKey {
        match canonical_int(&bytes) {
            Some(i) => PhpKey::Int(i),
            None => PhpKey::Str(bytes),
        }
    }

    /// The key as PHP would print it.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            PhpKey::Int(i) => i.to_string().into_bytes(),
            PhpKey::Str(s) => s.clone(),
        }
    }
}

impl From<&str> for PhpKey {
    fn from(s: &str) -> PhpKey {
        PhpKey::from_bytes(s.as_bytes())
    }
}

impl From<i64> for PhpKey {
    fn from(i: i64) -> PhpKey {
        PhpKey::Int(i)
    }
}

/// PHP's rule for numeric string keys: optional `-`, no leading zero (except
/// "0" itself, and "-0" stays a string), and the value fits in 64 bits.
fn canonical_int(b: &[u8]) -> Option<i64> {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits[0] == b'0' && b.len() > 1 {
        return None;
    }
    // At most 19 digits plus a sign: always valid UTF-8 and fits in i128.
    let v: i128 = std::str::from_utf8(b).ok()?.parse().ok()?;
    i64::try_from(v).ok()
}

/// An array value. PHP `null` has no place here: `http_build_query` skips it,
/// so converters simply leave such entries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhpValue {
    Str(Vec<u8>),
    Array(PhpArray),
}

impl PhpValue {
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            PhpValue::Str(s) => Some(s),
            PhpValue::Array(_) => None,
        }
    }

    pub fn as_array(&self) -> Option<&PhpArray> {
        match self {
            PhpValue::Array(a) => Some(a),
            PhpValue::Str(_) => None,
        }
    }
}

/// An ordered map like a PHP array: insertion order, integer or string keys,
/// and PHP's "next free integer index" for `$a[] = v`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhpArray {
    entries: Vec<(PhpKey, PhpValue)>,
    /// None until an integer key is used (PHP starts appending at 0 then).
    next_free: Option<i64>,
}

impl PhpArray {
    pub fn new() -> PhpArray {
        PhpArray::default()
    }

    /// An empty array with room for `n` entries.
    pub fn with_capacity(n: usize) -> PhpArray {
        PhpArray { entries: Vec::with_capacity(n), next_free: None }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&PhpKey, &PhpValue)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &PhpKey) -> Option<&PhpValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// [`get`](Self::get) by the key's bytes, without building a key: the
    /// same rule ([`PhpKey::from_bytes`]) decides between an integer and a
    /// string key.
    pub fn get_named(&self, name: &[u8]) -> Option<&PhpValue> {
        match canonical_int(name) {
            Some(i) => self.get(&PhpKey::Int(i)),
            None => self.entries.iter().find(|(k, _)| matches!(k, PhpKey::Str(s) if s == name)).map(|(_, v)| v),
        }
    }

    /// [`get_named`](Self::get_named), for changing the value.
    pub fn get_named_mut(&mut self, name: &[u8]) -> Option<&mut PhpValue> {
        match canonical_int(name) {
            Some(i) => self.get_mut(&PhpKey::Int(i)),
            None => self.entries.iter_mut().find(|(k, _)| matches!(k, PhpKey::Str(s) if s == name)).map(|(_, v)| v),
        }
    }

    pub fn get_mut(&mut self, key: &PhpKey) -> Option<&mut PhpValue> {
        self.entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &PhpKey) -> bool {
        self.get(key).is_some()
    }

    /// `$a[key] = value`: an existing key keeps its position (as in PHP) and
    /// its old value is returned.
    pub fn insert(&mut self, key: PhpKey, value: PhpValue) -> Option<PhpValue> {
        if let PhpKey::Int(i) = key {
            if self.next_free.is_none_or(|n| i >= n) {
                self.next_free = Some(i.saturating_add(1));
            }
        }
        if let Some(slot) = self.get_mut(&key) {
            return Some(std::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        None
    }

    /// `$a[] = value`. Returns the key used, or None when PHP would refuse
    /// (the next index would overflow).
    pub fn push(&mut self, value: PhpValue) -> Option<PhpKey> {
        let i = self.next_free.unwrap_or(0);
        let key = PhpKey::Int(i);
        if self.contains_key(&key) {
            return None;
        }
        self.insert(key.clone(), value);
        Some(key)
    }

    pub fn remove(&mut self, key: &PhpKey) -> Option<PhpValue> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// PHP 8 `ksort($a)` with the default SORT_REGULAR flag.
    pub fn ksort(&mut self) {
        compare::ksort_entries(&mut self.entries);
    }

    /// `ksort` at every level, as the host does for the JSON scheme (its
    /// URL scheme sorts the top level only: [`PhpArray::ksort`]).
    pub fn ksort_recursive(&mut self) {
        self.ksort();
        for (_, v) in self.entries.iter_mut() {
            if let PhpValue::Array(a) = v {
                a.ksort_recursive();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_by_its_bytes_as_php_would_store_it() {
        let mut arr = PhpArray::new();
        arr.insert(PhpKey::from("10"), PhpValue::Str(b"int".to_vec()));
        arr.insert(PhpKey::from("010"), PhpValue::Str(b"str".to_vec()));
        arr.insert(PhpKey::from("userId"), PhpValue::Str(b"17".to_vec()));
        assert_eq!(arr.get_named(b"10"), Some(&PhpValue::Str(b"int".to_vec())));
        assert_eq!(arr.get_named(b"010"), Some(&PhpValue::Str(b"str".to_vec())));
        assert_eq!(arr.get_named(b"userId"), arr.get(&PhpKey::from("userId")));
        assert_eq!(arr.get_named(b"userid"), None);
    }

    #[test]
    fn numeric_keys_follow_php() {
        assert_eq!(PhpKey::from("0"), PhpKey::Int(0));
        assert_eq!(PhpKey::from("17"), PhpKey::Int(17));
        assert_eq!(PhpKey::from("-3"), PhpKey::Int(-3));
        assert_eq!(PhpKey::from("-9223372036854775808"), PhpKey::Int(i64::MIN));
        for s in ["05", "+1", "-0", "", "-", "1.0", " 1", "9223372036854775808"] {
            assert_eq!(PhpKey::from(s), PhpKey::Str(s.as_bytes().to_vec()), "{s:?}");
        }
    }

    #[test]
    fn push_follows_php_8_3() {
        let mut a = PhpArray::new();
        assert_eq!(a.push(PhpValue::Str(b"x".to_vec())), Some(PhpKey::Int(0)));
        a.insert(PhpKey::Int(7), PhpValue::Str(b"y".to_vec()));
        assert_eq!(a.push(PhpValue::Str(b"z".to_vec())), Some(PhpKey::Int(8)));
        let mut b = PhpArray::new();
        b.insert(PhpKey::Int(-3), PhpValue::Str(b"a".to_vec()));
        assert_eq!(b.push(PhpValue::Str(b"b".to_vec())), Some(PhpKey::Int(-2)));
    }
}
