//! Arbitrary query strings through the URL scheme: PHP `parse_str`, the
//! canonical query and the verifier must never panic, and the properties
//! below must hold for every query PHP semantics accept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signing::{canonical_query, php, sign_url, Rejection, UrlVerifier};

const BASE: &str = "https://shop.example.com:8443/mp/shop/";
const SECRET: &[u8] = b"fuzz secret";
const NOW: i64 = 1_763_984_293;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let verifier = UrlVerifier::new(BASE, [SECRET]);
    let _ = php::parse_str(&query);
    let inspection = verifier.inspect(&query, NOW);

    let Ok(canonical) = canonical_query(&query) else {
        return;
    };
    // The canonical form is a fixed point: parsing and rebuilding it again
    // gives the same bytes (so the host and we agree on what was signed).
    assert_eq!(canonical_query(&canonical).as_deref(), Ok(canonical.as_str()), "{query:?}");
    if let Ok(verified) = &inspection.result {
        assert_eq!(verified.canonical(), format!("{BASE}?{canonical}"));
    }

    // Whatever we sign ourselves verifies with the same secret at that time.
    if query.contains('#') {
        return; // sign_url would read the rest as a fragment
    }
    if let Ok(url) = sign_url(SECRET, &format!("{BASE}?{query}"), NOW) {
        let signed = url.split_once('?').expect("signed URL has a query").1;
        match verifier.verify(signed, NOW) {
            Ok(_) | Err(Rejection::QueryTooLarge) => {}
            Err(e) => panic!("sign_url output refused: {e:?}\n  in:  {query:?}\n  out: {signed:?}"),
        }
        // The host's lowercase hex is the only accepted spelling.
        let (stem, sig) = signed.rsplit_once("signature=").expect("signature appended");
        if sig.bytes().any(|b| b.is_ascii_lowercase()) {
            let upper = format!("{stem}signature={}", sig.to_ascii_uppercase());
            assert!(verifier.verify(&upper, NOW).is_err(), "upper-case accepted: {upper:?}");
        }
    }
});
