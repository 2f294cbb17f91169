//! The signed-URL scheme: every rejection reason, the window edges, secret
//! rotation and the canonical form.

use signing::{canonical_query, sign_url, url_signature, Rejection, UrlVerifier, MAX_QUERY_BYTES};

const BASE: &str = "https://shop.example.com:8443/mp/shop/";
const NOW: i64 = 1_763_984_293;
const FAKE_SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The query of `BASE?params` signed by the host with `secret` at `ts`.
fn signed_query(secret: &str, params: &str, ts: i64) -> String {
    let url = sign_url(secret.as_bytes(), &format!("{BASE}?{params}"), ts).unwrap();
    url.split_once('?').unwrap().1.to_owned()
}

fn verifier() -> UrlVerifier {
    UrlVerifier::new(BASE, ["s3cr3t"])
}

#[test]
fn a_host_signed_link_verifies() {
    let q = signed_query("s3cr3t", "customerWebId=21477&userId=342&customerName=M%C3%BCller+%26+Co", NOW);
    let v = verifier().verify(&q, NOW + 5).unwrap();
    assert_eq!(v.get("customerWebId"), Some("21477"));
    assert_eq!(v.get("customerName"), Some("Müller & Co"));
    assert_eq!(v.get("signature"), None);
    assert_eq!(v.get("missing"), None);
    assert_eq!(v.timestamp(), NOW);
    assert_eq!(v.clock_difference(), 5);
    assert_eq!(
        v.canonical(),
        format!("{BASE}?customerName=M%C3%BCller+%26+Co&customerWebId=21477&timestamp={NOW}&userId=342")
    );
}

#[test]
fn a_value_taken_out_is_what_get_read_and_is_gone_after() {
    let q = signed_query("s3cr3t", "userId=342&17=int&customerName=M%C3%BCller&bad=%FF&imageIds[0]=a", NOW);
    let mut v = verifier().verify(&q, NOW).unwrap();
    assert_eq!(v.take("customerName").as_deref(), Some("Müller"));
    assert_eq!(v.get("customerName"), Some(""));
    assert_eq!(v.take("17").as_deref(), Some("int"), "an integer key is found by its text, as get finds it");
    // Not UTF-8, a list, absent: nothing taken, as get reads nothing.
    assert_eq!(v.take("bad"), None);
    assert_eq!(v.params().get_named(b"bad").and_then(|b| b.as_bytes()), Some(&b"\xff"[..]));
    assert_eq!(v.take("imageIds"), None);
    assert_eq!(v.list("imageIds"), ["a"]);
    assert_eq!(v.take("missing"), None);
    assert_eq!(v.get("userId"), Some("342"));
}

#[test]
fn repeated_parameter() {
    let q = format!("{}&userId=1", signed_query("s3cr3t", "userId=342", NOW));
    assert_eq!(verifier().verify(&q, NOW), Err(Rejection::RepeatedParameter("userId".into())));
    let q = format!("imageIds[0]=1&{}", signed_query("s3cr3t", "imageIds[0]=2", NOW));
    assert_eq!(verifier().verify(&q, NOW), Err(Rejection::RepeatedParameter("imageIds[0]".into())));
    let q = signed_query("s3cr3t", "imageIds[]=1&imageIds[]=2", NOW);
    assert_eq!(verifier().verify(&q, NOW).unwrap().list("imageIds"), ["1", "2"]);
}

#[test]
fn query_too_large() {
    let pad = |len: usize| format!("timestamp={NOW}&signature={FAKE_SIG}&pad={}", "x".repeat(len));
    let at_limit = pad(MAX_QUERY_BYTES - pad(0).len());
    assert_eq!(at_limit.len(), MAX_QUERY_BYTES);
    assert_eq!(verifier().verify(&at_limit, NOW), Err(Rejection::SignatureMismatch));
    let over = pad(MAX_QUERY_BYTES + 1 - pad(0).len());
    assert_eq!(verifier().verify(&over, NOW), Err(Rejection::QueryTooLarge));
    // A host-signed link is refused too once it is over the limit.
    let big = signed_query("s3cr3t", &format!("pad={}", "y".repeat(MAX_QUERY_BYTES)), NOW);
    assert_eq!(verifier().verify(&big, NOW), Err(Rejection::QueryTooLarge));
}

#[test]
fn malformed_signature() {
    let good = signed_query("s3cr3t", "userId=1", NOW);
    let sig = good.rsplit_once("signature=").unwrap().1;
    let stem = format!("userId=1&timestamp={NOW}");
    let cases = [
        format!("{stem}&signature={}", "z".repeat(64)),
        format!("{stem}&signature={}", &sig[..63]),
        format!("{stem}&signature={sig}0"),
        format!("{stem}&signature="),
        format!("{stem}&signature[]={sig}"),
    ];
    for q in cases {
        assert_eq!(verifier().verify(&q, NOW), Err(Rejection::MalformedSignature), "{q}");
    }
}

#[test]
fn missing_signature_and_timestamp() {
    assert_eq!(verifier().verify(&format!("userId=1&timestamp={NOW}"), NOW), Err(Rejection::MissingSignature));
    assert_eq!(verifier().verify("", NOW), Err(Rejection::MissingSignature));
    assert_eq!(verifier().verify(&format!("userId=1&signature={FAKE_SIG}"), NOW), Err(Rejection::MissingTimestamp));
}

#[test]
fn malformed_timestamp() {
    for ts in ["", "abc", "1.5", "1e9", "+17", " 17", "0x11", "1234567890123456789", "t[]"] {
        let q = if ts == "t[]" {
            format!("timestamp[]=1&signature={FAKE_SIG}")
        } else {
            format!("timestamp={ts}&signature={FAKE_SIG}")
        };
        assert_eq!(verifier().verify(&q, NOW), Err(Rejection::MalformedTimestamp), "{ts:?}");
    }
}

#[test]
fn window_edges() {
    let q = signed_query("s3cr3t", "userId=1", NOW);
    let v = verifier();
    assert!(v.verify(&q, NOW + 300).is_ok(), "exactly 300 s old is accepted");
    assert!(v.verify(&q, NOW - 300).is_ok(), "exactly 300 s ahead is accepted");
    assert_eq!(v.verify(&q, NOW + 301), Err(Rejection::Expired { age_secs: 301 }));
    assert_eq!(v.verify(&q, NOW - 301), Err(Rejection::NotYetValid { ahead_secs: 301 }));
    let narrow = UrlVerifier { window_secs: 10, ..verifier() };
    assert_eq!(narrow.verify(&q, NOW + 11), Err(Rejection::Expired { age_secs: 11 }));
}

#[test]
fn tampering_is_reported_before_staleness() {
    let q = signed_query("s3cr3t", "userId=1", NOW).replace("userId=1", "userId=2");
    assert_eq!(verifier().verify(&q, NOW + 10_000), Err(Rejection::SignatureMismatch));
}

#[test]
fn secret_rotation() {
    let v = UrlVerifier::new(BASE, ["old secret", "new secret"]);
    assert!(v.verify(&signed_query("old secret", "userId=1", NOW), NOW).is_ok());
    assert!(v.verify(&signed_query("new secret", "userId=1", NOW), NOW).is_ok());
    let third = signed_query("other secret", "userId=1", NOW);
    assert_eq!(v.verify(&third, NOW), Err(Rejection::SignatureMismatch));
    let none = UrlVerifier::new(BASE, Vec::<Vec<u8>>::new());
    assert_eq!(none.verify(&third, NOW), Err(Rejection::SignatureMismatch));
}

#[test]
fn another_base_does_not_verify() {
    let q = signed_query("s3cr3t", "userId=1", NOW);
    for base in [
        "https://shop.example.com/mp/shop/",
        "http://shop.example.com:8443/mp/shop/",
        "https://shop.example.com:8443/mp/shop",
    ] {
        assert_eq!(UrlVerifier::new(base, ["s3cr3t"]).verify(&q, NOW), Err(Rejection::SignatureMismatch), "{base}");
    }
}

#[test]
fn canonical_form_ignores_wire_encoding_and_order() {
    let base = "https://shop.example.com/service";
    let sorted = "a=x+y&b=1&timestamp=1700000000";
    let wire = "timestamp=1700000000&b=1&a=x%20y&signature=ff";
    assert_eq!(canonical_query(wire).unwrap(), sorted);
    let sig = url_signature(b"k", base, sorted).unwrap();
    assert_eq!(url_signature(b"k", base, wire).unwrap(), sig);
    // python3: hmac.new(b"k", (base + "?" + sorted).encode(), hashlib.sha256).hexdigest()
    assert_eq!(sig, "ae9ca51a2cc738fe9ced4da362b56bcb6ca49aef0dbe2afe8ec5185918ebfc65");
    let v = UrlVerifier::new(base, ["k"]);
    let q = format!("b=1&timestamp=1700000000&a=x%20y&signature={sig}");
    assert!(v.verify(&q, 1_700_000_000).is_ok());
}

#[test]
fn list_entries_are_signed_in_arrival_order_and_listed_in_key_order() {
    let order = [7, 11, 0, 2, 10, 1, 3, 9, 4, 8, 5, 6];
    let params: Vec<String> = order.iter().map(|i| format!("imageIds%5B{i}%5D=img{i}")).collect();
    let q = signed_query("s3cr3t", &params.join("&"), NOW);
    let v = verifier().verify(&q, NOW).unwrap();
    let want: Vec<String> = (0..12).map(|i| format!("img{i}")).collect();
    assert_eq!(v.list("imageIds"), want);
    // The host's ksort is top level only: the list stays as it arrived.
    let signed: Vec<String> = order.iter().map(|i| format!("imageIds%5B{i}%5D=img{i}")).collect();
    assert!(v.canonical().contains(&signed.join("&")), "{}", v.canonical());
    assert!(v.list("customerName").is_empty());
}

#[test]
fn reordering_a_nested_list_breaks_the_signature() {
    let q = signed_query("s3cr3t", "imageIds[1]=b&imageIds[0]=a", NOW);
    assert!(verifier().verify(&q, NOW).is_ok());
    let swapped = q.replace("imageIds[1]=b&imageIds[0]=a", "imageIds[0]=a&imageIds[1]=b");
    assert_ne!(swapped, q);
    assert_eq!(verifier().verify(&swapped, NOW), Err(Rejection::SignatureMismatch));
    assert_eq!(
        canonical_query("x[b][2]=1&x[b][1]=2&x[a]=3&c=4").unwrap(),
        "c=4&x%5Bb%5D%5B2%5D=1&x%5Bb%5D%5B1%5D=2&x%5Ba%5D=3"
    );
}

#[test]
fn upper_case_signatures_do_not_match() {
    let q = signed_query("s3cr3t", "userId=1", NOW);
    let (stem, sig) = q.rsplit_once("signature=").unwrap();
    assert!(sig.bytes().any(|b| b.is_ascii_lowercase()), "{sig}");
    let mixed: String =
        sig.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c }).collect();
    for other in [sig.to_ascii_uppercase(), mixed] {
        assert_ne!(other, sig);
        assert_eq!(
            verifier().verify(&format!("{stem}signature={other}"), NOW),
            Err(Rejection::SignatureMismatch),
            "{other}"
        );
    }
}

#[test]
fn sign_url_replaces_old_values() {
    let url = format!("{BASE}?signature=old&a=1&timestamp=5&b=%20#frag");
    let signed = sign_url(b"s3cr3t", &url, NOW).unwrap();
    let (rest, frag) = signed.split_once('#').unwrap();
    assert_eq!(frag, "frag");
    let (base, q) = rest.split_once('?').unwrap();
    assert_eq!(base, BASE);
    assert!(q.starts_with(&format!("a=1&b=%20&timestamp={NOW}&signature=")), "{q}");
    assert!(verifier().verify(q, NOW).is_ok());
    assert!(matches!(sign_url(b"k", &format!("{BASE}?a=1&a=2"), NOW), Err(Rejection::RepeatedParameter(_))));
}

#[test]
fn inspection_for_operators() {
    let q = signed_query("s3cr3t", "userId=1", NOW);
    let i = verifier().inspect(&q, NOW + 1000);
    assert_eq!(i.result, Err(Rejection::Expired { age_secs: 1000 }));
    assert_eq!(i.clock_difference, Some(1000));
    assert_eq!(i.canonical.as_deref(), Some(format!("{BASE}?timestamp={NOW}&userId=1").as_str()));
    assert!(i.verdict().starts_with("invalid: expired ("), "{}", i.verdict());
    assert_eq!(verifier().inspect(&q, NOW).verdict(), "valid");
    let too_big = verifier().inspect(&"x".repeat(MAX_QUERY_BYTES + 1), NOW);
    assert_eq!((too_big.canonical, too_big.clock_difference), (None, None));
}

#[test]
fn reasons_have_stable_codes_and_explanations() {
    let all = [
        Rejection::QueryTooLarge,
        Rejection::RepeatedParameter("a".into()),
        Rejection::MissingSignature,
        Rejection::MalformedSignature,
        Rejection::MissingTimestamp,
        Rejection::MalformedTimestamp,
        Rejection::SignatureMismatch,
        Rejection::Expired { age_secs: 1 },
        Rejection::NotYetValid { ahead_secs: 1 },
    ];
    let codes: Vec<&str> = all.iter().map(Rejection::code).collect();
    assert_eq!(
        codes,
        [
            "query_too_large",
            "repeated_parameter",
            "missing_signature",
            "malformed_signature",
            "missing_timestamp",
            "malformed_timestamp",
            "signature_mismatch",
            "expired",
            "not_yet_valid"
        ]
    );
    for r in &all {
        assert!(r.to_string().len() > 30, "{r:?}");
    }
}

/// The query of `base?params` signed at `ts`.
fn signed_for(base: &str, params: &str, ts: i64) -> String {
    let url = sign_url(b"s3cr3t", &format!("{base}?{params}"), ts).unwrap();
    url.split_once('?').unwrap().1.to_owned()
}

#[test]
fn on_a_non_default_port_a_signature_with_or_without_the_port_verifies() {
    // onOffice's published check signs scheme://host + path; enterprise may sign with the port.
    let portless = signed_for("https://shop.example.com/mp/shop/", "userId=1", NOW);
    let v = verifier().verify(&portless, NOW).unwrap();
    assert!(!v.with_port());
    assert!(v.canonical().starts_with("https://shop.example.com/mp/shop/?"));
    let ported = signed_for(BASE, "userId=1", NOW);
    assert!(verifier().verify(&ported, NOW).unwrap().with_port());
    // Another path or scheme without the port is still another URL.
    for other in ["https://shop.example.com/mp/", "http://shop.example.com/mp/shop/"] {
        let q = signed_for(other, "userId=1", NOW);
        assert_eq!(verifier().verify(&q, NOW), Err(Rejection::SignatureMismatch), "{other}");
    }
    // A stale link signed without the port is reported stale, not tampered.
    let stale = signed_for("https://shop.example.com/mp/shop/", "userId=1", NOW - 1000);
    assert_eq!(verifier().verify(&stale, NOW), Err(Rejection::Expired { age_secs: 1000 }));
}

#[test]
fn without_a_port_in_the_base_nothing_else_is_tried() {
    let v = UrlVerifier::new("https://shop.example.com/mp/shop/", ["s3cr3t"]);
    assert_eq!(v.portless_base, None);
    let ported = signed_for(BASE, "userId=1", NOW);
    assert_eq!(v.verify(&ported, NOW), Err(Rejection::SignatureMismatch));
    assert!(!v.verify(&signed_for(&v.base, "userId=1", NOW), NOW).unwrap().with_port());
}

#[test]
fn the_portless_form_of_a_base() {
    use signing::url::without_port;
    assert_eq!(without_port(BASE).as_deref(), Some("https://shop.example.com/mp/shop/"));
    assert_eq!(without_port("http://127.0.0.1:3000/").as_deref(), Some("http://127.0.0.1/"));
    assert_eq!(without_port("http://[::1]:3000/x").as_deref(), Some("http://[::1]/x"));
    assert_eq!(without_port("http://[::1]/x"), None);
    assert_eq!(without_port("https://shop.example.com/a:b"), None);
    assert_eq!(without_port("https://shop.example.com:8443").as_deref(), Some("https://shop.example.com"));
}
