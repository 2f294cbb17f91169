//! The configuration loaders and the hosts' webhook parsers on generated input: the
//! stable-Rust companion of the `catalogue_toml`, `webhooks_toml` and `host_envelopes` fuzz
//! targets. A start-up file with any typo stops the server with a message naming the file;
//! no body a host (or anyone) sends makes a parser panic.

use marktstand::server::catalogue::parse;
use marktstand::server::hosts::kolibri24::envelope;
use marktstand::server::hosts::oneflow::notification;
use marktstand::server::webhooks::{Registry, WebhookConfig};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::Path;

const CATALOGUE: &str = include_str!("../../catalogue.toml");
const WEBHOOKS: &str = include_str!("../../webhooks.toml");

fn config() -> Config {
    Config { cases: 400, failure_persistence: None, ..Config::default() }
}

/// A shipped file with one piece cut out and something else put in: the typos people make.
fn edited(original: &'static str) -> impl Strategy<Value = String> {
    let junk = prop_oneof![
        proptest::sample::select(vec![
            "",
            "\"",
            "'",
            "=",
            "[",
            "]",
            "[[product]]",
            "[[webhook]]",
            "\n",
            "#",
            "-1",
            "0",
            "1e9",
            "99999999999999999999",
            "id = \"expose-text\"",
            "name = \"\"",
            "handler = \"nope\"",
            "lock_secs = 1",
            "{",
            "}",
            "..",
            "/",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ];
    (0..=original.len(), 0usize..40, junk).prop_map(move |(at, cut, junk)| {
        let at = (0..=at).rev().find(|&i| original.is_char_boundary(i)).unwrap_or(0);
        let end = (at + cut..=original.len()).find(|&i| original.is_char_boundary(i)).unwrap_or(original.len());
        format!("{}{}{}", &original[..at], junk, &original[end..])
    })
}

fn public() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/public"))
}

#[test]
fn the_shipped_files_load() {
    assert!(parse(CATALOGUE, "catalogue.toml", public()).is_ok());
    assert!(WebhookConfig::parse(WEBHOOKS, "webhooks.toml", &Registry::builtin()).is_ok());
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_broken_catalogue_is_refused_with_its_file_named(text in prop_oneof![edited(CATALOGUE), "\\PC{0,200}"]) {
        if let Err(message) = parse(&text, "typo.toml", public()) {
            prop_assert!(message.starts_with("catalogue typo.toml"), "{}", message);
        }
    }

    #[test]
    fn a_broken_webhook_file_is_refused_with_its_file_named(text in prop_oneof![edited(WEBHOOKS), "\\PC{0,200}"]) {
        match WebhookConfig::parse(&text, "typo.toml", &Registry::builtin()) {
            Err(message) => prop_assert!(message.starts_with("webhooks typo.toml"), "{}", message),
            Ok(config) => {
                for name in config.names() {
                    prop_assert!(!name.is_empty() && !name.contains('/'), "{:?}", name);
                }
            }
        }
    }
}

/// JSON-ish bodies: mostly the pieces the envelopes are made of.
fn body() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"items\"", "\"data\"", "\"messages\"", "\"id\"", "\"category\"",
            "\"callback_id\"", "\"signature\"", "\"contract\"", "\"events\"", "\"type\"", "\"x\"", "1", "null",
            "\"{\\\"category\\\":\\\"Entity\\\"}\"", "true",
        ])
        .prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..config() })]

    #[test]
    fn host_bodies_never_panic_and_every_message_has_an_id(text in body()) {
        if let Ok(messages) = envelope::parse(text.as_bytes()) {
            for m in messages {
                prop_assert!(!m.id.is_empty());
            }
        }
        if let Ok(n) = notification::verify(text.as_bytes(), &["k".into()]) {
            let expected = notification::signature(&n.callback_id, "k");
            prop_assert_eq!(n.body["signature"].as_str(), Some(expected.as_str()));
        }
    }
}
