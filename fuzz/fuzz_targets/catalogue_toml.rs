//! Arbitrary text as the provider's catalogue file: the loader must never panic, and
//! whatever it accepts keeps the promises the shop relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let public = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../public"));
    match marktstand::server::catalogue::parse(text, "fuzz.toml", public) {
        // Every refusal names the file, so the operator knows what to fix.
        Err(message) => assert!(message.starts_with("catalogue fuzz.toml"), "{message}"),
        Ok(catalogue) => {
            let mut ids = HashSet::new();
            for p in &catalogue.products {
                assert!(ids.insert(p.id.clone()) && !p.id.trim().is_empty(), "{:?}", p.id);
                assert!(p.price_cents > 0);
            }
            for s in &catalogue.subscriptions {
                assert!(ids.insert(s.id.clone()) && !s.id.trim().is_empty(), "{:?}", s.id);
                assert!(s.monthly_cents > 0 && s.duration_months > 0 && s.circles.len() <= 1);
            }
            assert!(!ids.is_empty());
        }
    }
});
