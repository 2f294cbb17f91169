//! PHP 8 `ksort` with SORT_REGULAR.
//!
//! PHP does not sort keys purely byte-wise: integer keys compare as numbers,
//! and a numeric-looking string key ("1.5", "05", " 7") compares numerically
//! with integers and other numeric strings. Everything else compares as
//! bytes. Ties keep their original order (PHP 8 sorts stably). The
//! comparison is not always transitive, so we sort with a plain insertion
//! sort that cannot panic on such input (it may then order exotic keys
//! differently from PHP, which only makes such a signature fail).

use super::{PhpKey, PhpValue};
use std::cmp::Ordering;

/// A numeric string as PHP's `is_numeric_string` sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Long(i64),
    /// Value, and the sign of an integer that overflowed 64 bits (else 0).
    Double(f64, i8),
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// PHP 8 `is_numeric_string` with no errors allowed: optional surrounding
/// whitespace, a sign, decimal digits with optional fraction and exponent.
fn numeric(s: &[u8]) -> Option<Num> {
    let start = s.iter().position(|&b| !is_ws(b))?;
    let end = s.iter().rposition(|&b| !is_ws(b))? + 1;
    let t = &s[start..end];
    let mut i = usize::from(matches!(t.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while t.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let int_digits = digits(&mut i);
    let mut is_double = false;
    if t.get(i) == Some(&b'.') {
        i += 1;
        let frac = digits(&mut i);
        if int_digits == 0 && frac == 0 {
            return None;
        }
        is_double = true;
    } else if int_digits == 0 {
        return None;
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
        is_double = true;
    }
    if i != t.len() {
        return None;
    }
    let text = std::str::from_utf8(t).ok()?;
    let double = text.parse::<f64>().ok()?;
    if is_double {
        return Some(Num::Double(double, 0));
    }
    match text.parse::<i64>() {
        Ok(v) => Some(Num::Long(v)),
        Err(_) => Some(Num::Double(double, if t[0] == b'-' { -1 } else { 1 })),
    }
}

fn sign(x: f64) -> i32 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

fn ord(o: Ordering) -> i32 {
    o as i32
}

/// `zend_binary_strcmp`, normalised to -1/0/1.
fn bytes_cmp(a: &[u8], b: &[u8]) -> i32 {
    ord(a.cmp(b))
}

/// `zendi_smart_strcmp`: numeric when both strings are numeric.
fn smart_strcmp(a: &[u8], na: Option<Num>, b: &[u8], nb: Option<Num>) -> i32 {
    let (Some(x), Some(y)) = (na, nb) else {
        return bytes_cmp(a, b);
    };
    match (x, y) {
        (Num::Long(l1), Num::Long(l2)) => ord(l1.cmp(&l2)),
        (Num::Long(l1), Num::Double(d2, o2)) => {
            if o2 != 0 {
                return -i32::from(o2);
            }
            sign(l1 as f64 - d2)
        }
        (Num::Double(d1, o1), Num::Long(l2)) => {
            if o1 != 0 {
                return i32::from(o1);
            }
            sign(d1 - l2 as f64)
        }
        (Num::Double(d1, o1), Num::Double(d2, o2)) => {
            // Same-sided overflow or equal infinities: numbers say nothing.
            if (o1 != 0 && o1 == o2 && d1 - d2 == 0.0) || (d1 == d2 && !d1.is_finite()) {
                return bytes_cmp(a, b);
            }
            sign(d1 - d2)
        }
    }
}

/// PHP 8 `compare_longs_to_string`.
fn long_vs_string(l: i64, s: &[u8], ns: Option<Num>) -> i32 {
    match ns {
        Some(Num::Long(v)) => ord(l.cmp(&v)),
        Some(Num::Double(d, _)) => (l as f64).partial_cmp(&d).map_or(1, ord),
        None => bytes_cmp(l.to_string().as_bytes(), s),
    }
}

/// A key with its numeric reading computed once.
struct Sortable<'a> {
    key: &'a PhpKey,
    num: Option<Num>,
}

fn key_cmp(f: &Sortable, s: &Sortable) -> i32 {
    match (f.key, s.key) {
        (PhpKey::Int(a), PhpKey::Int(b)) => ord(a.cmp(b)),
        (PhpKey::Str(a), PhpKey::Str(b)) => smart_strcmp(a, f.num, b, s.num),
        (PhpKey::Int(a), PhpKey::Str(b)) => long_vs_string(*a, b, s.num),
        (PhpKey::Str(a), PhpKey::Int(b)) => -long_vs_string(*b, a, f.num),
    }
}

/// Compares two keys the way PHP 8 `ksort` (SORT_REGULAR) does, before its
/// tie-break on original position. Not a total order for every key set.
pub fn compare_keys(a: &PhpKey, b: &PhpKey) -> Ordering {
    key_cmp(&sortable(a), &sortable(b)).cmp(&0)
}

fn sortable(key: &PhpKey) -> Sortable<'_> {
    let num = match key {
        PhpKey::Str(s) => numeric(s),
        PhpKey::Int(_) => None,
    };
    Sortable { key, num }
}

/// Up to this many entries are sorted in place, each key read as it is compared: no buffer is
/// made for the handful of parameters a host's link carries (a launch sorts one per request).
const SORT_IN_PLACE_UP_TO: usize = 24;

/// Stable in-place sort of array entries by key.
pub(crate) fn ksort_entries(entries: &mut Vec<(PhpKey, PhpValue)>) {
    if entries.len() <= SORT_IN_PLACE_UP_TO {
        sort_in_place(entries);
    } else {
        sort_by_order(entries);
    }
}

/// Insertion sort on the entries themselves, each key read as it is compared.
fn sort_in_place(entries: &mut [(PhpKey, PhpValue)]) {
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && key_cmp(&sortable(&entries[j - 1].0), &sortable(&entries[j].0)) > 0 {
            entries.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The same insertion sort on an order of indices, each key read once, then the entries
/// moved into that order.
fn sort_by_order(entries: &mut Vec<(PhpKey, PhpValue)>) {
    let order = {
        let keys: Vec<Sortable> = entries.iter().map(|(k, _)| sortable(k)).collect();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        for i in 1..order.len() {
            let mut j = i;
            while j > 0 && key_cmp(&keys[order[j - 1]], &keys[order[j]]) > 0 {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        order
    };
    if order.iter().enumerate().all(|(i, &o)| i == o) {
        return;
    }
    let mut old: Vec<Option<(PhpKey, PhpValue)>> = entries.drain(..).map(Some).collect();
    entries.extend(order.into_iter().filter_map(|i| old[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sorts_put_any_keys_in_the_same_order() {
        // Keys PHP compares in every way it knows: integers, numeric and leading-numeric
        // strings, plain strings, empty; each array sorted both ways, values marking arrival.
        let pool: Vec<&str> =
            "0|10|2|-3| 12|12 |1e3|1.5|.5|abc|ABC|a||0x1A|9223372036854775808|05".split('|').collect();
        let mut seed = 0x2545_f491_u64;
        for len in 0..=SORT_IN_PLACE_UP_TO {
            for _ in 0..40 {
                let entries: Vec<(PhpKey, PhpValue)> = (0..len)
                    .map(|i| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        let key = PhpKey::from(pool[(seed >> 33) as usize % pool.len()]);
                        (key, PhpValue::Str(i.to_string().into_bytes()))
                    })
                    .collect();
                let mut in_place = entries.clone();
                sort_in_place(&mut in_place);
                let mut by_order = entries;
                sort_by_order(&mut by_order);
                assert_eq!(in_place, by_order);
            }
        }
    }

    fn k(s: &str) -> PhpKey {
        PhpKey::from(s)
    }

    fn php_key_cmp(a: &PhpKey, b: &PhpKey) -> i32 {
        compare_keys(a, b) as i32
    }

    #[test]
    fn numeric_strings() {
        assert_eq!(numeric(b"12"), Some(Num::Long(12)));
        assert_eq!(numeric(b" 12 "), Some(Num::Long(12)));
        assert_eq!(numeric(b"1.5"), Some(Num::Double(1.5, 0)));
        assert_eq!(numeric(b".5"), Some(Num::Double(0.5, 0)));
        assert_eq!(numeric(b"1e3"), Some(Num::Double(1000.0, 0)));
        assert_eq!(numeric(b"99999999999999999999"), Some(Num::Double(1e20, 1)));
        for s in ["", " ", ".", "1e", "0x1A", "1a", "e5", "+", "1 2"] {
            assert_eq!(numeric(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn key_order_matches_php_8() {
        // Integers numerically; strings byte-wise (upper case first).
        assert!(php_key_cmp(&k("2"), &k("10")) < 0);
        assert!(php_key_cmp(&k("UserLanguage"), &k("apiClaim")) < 0);
        // An integer against a numeric string: numerically.
        assert!(php_key_cmp(&k("4"), &k("05")) < 0);
        assert!(php_key_cmp(&k("1.5"), &k("10")) < 0);
        // An integer against a non-numeric string: as strings.
        assert!(php_key_cmp(&k("10"), &k("9a")) < 0);
        assert!(php_key_cmp(&k("a"), &k("1")) > 0);
    }
}
