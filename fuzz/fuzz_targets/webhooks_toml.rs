//! Arbitrary text as the webhook services file: the loader must never panic, refusals
//! name the file, and every accepted service has a name usable as a URL path segment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marktstand::server::webhooks::{Registry, WebhookConfig};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match WebhookConfig::parse(text, "fuzz.toml", &Registry::builtin()) {
        Err(message) => assert!(message.starts_with("webhooks fuzz.toml"), "{message}"),
        Ok(config) => {
            let names = config.names();
            for name in &names {
                assert!(!name.is_empty());
                assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{name:?}");
                assert!(config.service(name).is_some());
            }
            let unique: std::collections::HashSet<_> = names.iter().collect();
            assert_eq!(unique.len(), names.len());
        }
    }
});
