//! Arbitrary bodies as Kolibri24 webhook envelopes and Oneflow notifications: neither parser
//! may panic; every Kolibri24 message gets an id (deduplication depends on it), and a
//! Oneflow notification is accepted only with the signature of its own callback id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marktstand::server::hosts::kolibri24::envelope;
use marktstand::server::hosts::oneflow::notification::{self, NotificationError};

fuzz_target!(|data: &[u8]| {
    if let Ok(messages) = envelope::parse(data) {
        for m in messages {
            assert!(!m.id.is_empty());
            assert!(m.defect.is_some() || !m.category.is_empty(), "{m:?}");
        }
    }
    let keys = vec![secrecy::SecretString::from("fuzz-key")];
    match notification::verify(data, &keys) {
        Ok(n) => {
            assert!(!n.callback_id.is_empty());
            let given = n.body["signature"].as_str().unwrap_or_default();
            assert_eq!(given, notification::signature(&n.callback_id, "fuzz-key"));
        }
        Err(NotificationError::NotJson(_) | NotificationError::NoCallbackId | NotificationError::NoSignature) => {}
        Err(NotificationError::BadSignature) => {}
    }
});
