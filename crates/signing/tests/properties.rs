//! Properties on generated input, the stable-Rust companion of the fuzz
//! targets in `fuzz/` (see FUZZING.md). A fixed case budget and no
//! persistence files keep `cargo test` quick and the checkout clean.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};
use signing::{canonical_query, php, sign_message, sign_url, verify_message, Rejection, UrlVerifier};

const BASE: &str = "https://shop.example.com:8443/mp/shop/";
const SECRET: &[u8] = b"s3cr3t";
const NOW: i64 = 1_763_984_293;

fn config() -> Config {
    Config { cases: 2000, failure_persistence: None, ..Config::default() }
}

/// Query-like text: mostly the bytes that steer `parse_str`, some of anything.
fn raw_query() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(vec![
            "&", "=", "[", "]", "[]", "%", "%5B", "%5D", "%00", "%20", "+", ".", " ", "~",
            "signature", "timestamp", "a", "B", "0", "10", "-1", "05", "1e1", "%73ignature",
        ])
        .prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// A single value or a list (`name[]=…` or `name[i]=…`, shuffled) per name.
#[derive(Debug, Clone)]
enum Param {
    One(String),
    Appended(Vec<String>),
    Indexed(Vec<(u8, String)>),
}

/// `name[i]=…` entries with distinct indices, in shuffled order.
fn indexed_list() -> impl Strategy<Value = Param> {
    proptest::collection::btree_map(any::<u8>(), "\\PC{0,12}", 2..6)
        .prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(Param::Indexed)
}

fn params() -> impl Strategy<Value = Vec<(String, Param)>> {
    let value = "\\PC{0,12}";
    let param = prop_oneof![
        value.prop_map(Param::One),
        proptest::collection::vec(value, 1..4).prop_map(Param::Appended),
        indexed_list(),
    ];
    proptest::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,8}", param, 0..8)
        .prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
}

fn enc(s: &str) -> String {
    php::urlencode(s.as_bytes(), php::Encoding::Rfc3986)
}

/// The query as it goes on the wire.
fn wire(params: &[(String, Param)]) -> String {
    let mut pieces = Vec::new();
    for (name, p) in params {
        match p {
            Param::One(v) => pieces.push(format!("{name}={}", enc(v))),
            Param::Appended(vs) => pieces.extend(vs.iter().map(|v| format!("{name}[]={}", enc(v)))),
            Param::Indexed(vs) => pieces.extend(vs.iter().map(|(i, v)| format!("{name}%5B{i}%5D={}", enc(v)))),
        }
    }
    pieces.join("&")
}

fn is_reserved(name: &str) -> bool {
    name == "signature" || name == "timestamp"
}

/// The query of a URL signed with `sign_url`.
fn signed(params: &[(String, Param)]) -> String {
    let url = sign_url(SECRET, &format!("{BASE}?{}", wire(params)), NOW).expect("sign_url");
    url.split_once('?').expect("query").1.to_owned()
}

fn verifier() -> UrlVerifier {
    UrlVerifier::new(BASE, [SECRET])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_query_is_judged_without_panic(q in raw_query()) {
        let _ = php::parse_str(&q);
        let _ = verifier().inspect(&q, NOW);
        if let Ok(c) = canonical_query(&q) {
            prop_assert_eq!(canonical_query(&c), Ok(c.clone()), "canonical form is a fixed point");
        }
    }

    #[test]
    fn a_signed_url_verifies_at_its_time(ps in params()) {
        let q = signed(&ps);
        let v = verifier().verify(&q, NOW);
        prop_assert!(v.is_ok(), "{:?}\n{}", v, q);
        let v = v.unwrap();
        for (name, p) in ps.iter().filter(|(n, _)| !is_reserved(n)) {
            if let Param::One(value) = p {
                prop_assert_eq!(v.get(name), Some(value.as_str()));
            }
        }
    }

    #[test]
    fn a_changed_signature_is_refused(ps in params(), at in 0usize..64, by in 1u8..16) {
        let q = signed(&ps);
        let (stem, sig) = q.rsplit_once("signature=").expect("signature appended");
        let mut flipped = sig.as_bytes().to_vec();
        let digit = u8::from_str_radix(&sig[at..=at], 16).expect("hex");
        flipped[at] = b"0123456789abcdef"[usize::from((digit + by) % 16)];
        let flipped = format!("{stem}signature={}", String::from_utf8(flipped).expect("hex"));
        prop_assert_eq!(verifier().verify(&flipped, NOW), Err(Rejection::SignatureMismatch));
        if sig.bytes().any(|b| b.is_ascii_lowercase()) {
            let upper = format!("{stem}signature={}", sig.to_ascii_uppercase());
            prop_assert_eq!(verifier().verify(&upper, NOW), Err(Rejection::SignatureMismatch));
        }
    }

    #[test]
    fn reordering_a_signed_list_is_refused(ps in params(), list in indexed_list()) {
        // A name the generated ones cannot take (they have no `-`).
        let name = "image-ids";
        let Param::Indexed(entries) = &list else { unreachable!() };
        let mut ps = ps;
        ps.push((name.to_owned(), list.clone()));
        let q = signed(&ps);
        prop_assert!(verifier().verify(&q, NOW).is_ok());
        // The host signs the list in arrival order: swapping two entries on
        // the wire must break the signature, whatever their indices.
        let piece = |(i, v): &(u8, String)| format!("{name}%5B{i}%5D={}", enc(v));
        let (a, b) = (piece(&entries[0]), piece(&entries[1]));
        let pair = format!("{a}&{b}");
        prop_assert_eq!(q.matches(pair.as_str()).count(), 1);
        let swapped = q.replacen(&pair, &format!("{b}&{a}"), 1);
        prop_assert_eq!(verifier().verify(&swapped, NOW), Err(Rejection::SignatureMismatch));
    }

    #[test]
    fn a_signed_message_verifies(msg in json_object()) {
        let signed = sign_message(SECRET, msg.clone());
        let secrets = [b"old".as_slice(), SECRET];
        prop_assert_eq!(verify_message(&secrets, &signed), Ok(()));
        let text = serde_json::to_string(&signed).expect("serialise");
        let received: Value = serde_json::from_str(&text).expect("parse");
        prop_assert_eq!(verify_message(&secrets, &received), Ok(()));
        prop_assert_eq!(verify_message(&[b"other"], &signed), Err(Rejection::SignatureMismatch));
        let sig = signed["signature"].as_str().expect("signature").to_owned();
        if sig.bytes().any(|b| b.is_ascii_lowercase()) {
            let mut upper = signed.clone();
            upper["signature"] = Value::String(sig.to_ascii_uppercase());
            prop_assert_eq!(verify_message(&secrets, &upper), Err(Rejection::SignatureMismatch));
        }
    }
}

/// Nested JSON objects and arrays, keys including numeric-looking ones.
fn json_object() -> impl Strategy<Value = Value> {
    let key = prop_oneof!["[a-zA-Z_]{1,6}", "-?[0-9]{1,3}", "\\PC{0,4}"];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    });
    proptest::collection::vec(("[a-zA-Z_]{1,8}", value), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()))
}
