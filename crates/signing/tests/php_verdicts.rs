//! Our verdicts against PHP's own, entry by entry. The file is made by
//! `tests/php/make-vectors.php` with the host's functions (`parse_str`,
//! top-level `ksort`, `http_build_query`, `hash_hmac`, `hash_equals`);
//! regenerate it with `php tests/php/make-vectors.php > tests/vectors/php-verdicts.json`.
//!
//! One deliberate difference: PHP keeps the last of a repeated parameter, we
//! refuse the URL ([`Rejection::RepeatedParameter`]). So we may refuse what
//! PHP accepts, but only for that reason, and never accept what PHP refuses.

use serde::Deserialize;
use serde_json::Value;
use signing::{message_signature, php, sign_url, verify_message, Rejection, UrlVerifier};

#[derive(Deserialize)]
struct Verdicts {
    php: String,
    url: Vec<UrlVector>,
    message: Vec<MessageVector>,
    port: Vec<PortVector>,
}

/// One URL judged by both of PHP's checks: over the URL as opened (`with_port`) and over
/// scheme://host + path, as onOffice's demo shop does (`demo_shop`).
#[derive(Deserialize)]
struct PortVector {
    secret: String,
    url: String,
    with_port: bool,
    demo_shop: bool,
    note: String,
}

#[derive(Deserialize)]
struct UrlVector {
    secret: String,
    url: String,
    valid: bool,
    note: String,
}

#[derive(Deserialize)]
struct MessageVector {
    secret: String,
    message: Value,
    valid: bool,
    note: String,
}

fn verdicts() -> Verdicts {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/php-verdicts.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The top-level `timestamp`, so freshness never decides: each link is
/// judged at the moment it was signed.
fn timestamp(query: &str) -> Option<i64> {
    let params = php::parse_str(query).ok()?;
    let ts = params.get(&"timestamp".into())?.as_bytes()?;
    std::str::from_utf8(ts).ok()?.parse().ok()
}

fn signature(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let params = php::parse_str(query).ok()?;
    let sig = params.get(&"signature".into())?.as_bytes()?;
    String::from_utf8(sig.to_vec()).ok()
}

#[test]
fn url_verdicts_match_php() {
    let file = verdicts();
    assert!(file.php.starts_with("8."), "made with PHP {}", file.php);
    assert_eq!(file.url.len(), 183, "URL verdicts truncated or changed");
    let mut failures = Vec::new();
    let (mut valid, mut stricter) = (0, Vec::new());
    for (i, v) in file.url.iter().enumerate() {
        let (base, query) = v.url.split_once('?').expect("vector URL has a query");
        let ts = timestamp(query);
        let verifier = UrlVerifier::new(base, [v.secret.as_bytes()]);
        let result = verifier.verify(query, ts.unwrap_or(0));
        valid += usize::from(v.valid);
        match (&result, v.valid) {
            (Ok(_), true) => {
                let resigned = sign_url(v.secret.as_bytes(), &v.url, ts.expect("timestamp"));
                let resigned = resigned.ok().and_then(|u| signature(&u));
                if resigned != signature(&v.url) {
                    failures.push(format!("#{i} ({}): sign_url gave {resigned:?}", v.note));
                }
            }
            (Err(Rejection::RepeatedParameter(_)), true) => stricter.push(v.note.as_str()),
            (Err(_), false) => {}
            _ => {
                failures.push(format!("#{i} ({}): PHP says valid={}, we say {result:?}\n  {}", v.note, v.valid, v.url))
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disagree with PHP:\n{}",
        failures.len(),
        file.url.len(),
        failures.join("\n")
    );
    assert_eq!(valid, 112, "PHP-valid URLs");
    assert_eq!(
        stricter,
        [
            "repeated key, signed value last",
            "repeated key in the signed query",
            "repeated nested key, signed value last",
            "repeated signature, good one last",
        ],
        "URLs PHP accepts and we refuse for a repeated parameter"
    );
}

#[test]
fn message_verdicts_match_php() {
    let file = verdicts();
    assert_eq!(file.message.len(), 12, "message verdicts truncated or changed");
    let mut failures = Vec::new();
    for (i, v) in file.message.iter().enumerate() {
        let result = verify_message(&[v.secret.as_bytes()], &v.message);
        if result.is_ok() != v.valid {
            failures.push(format!("#{i} ({}): PHP says valid={}, we say {result:?}\n  {}", v.note, v.valid, v.message));
        } else if v.valid {
            let ours = message_signature(v.secret.as_bytes(), &v.message);
            if Some(ours.as_str()) != v.message["signature"].as_str() {
                failures.push(format!("#{i} ({}): message_signature gave {ours}", v.note));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(file.message.iter().filter(|v| v.valid).count(), 8);
}

#[test]
fn on_a_non_default_port_we_accept_what_either_of_php_s_checks_accepts() {
    let file = verdicts();
    assert_eq!(file.port.len(), 7, "port verdicts truncated or changed");
    for v in &file.port {
        let (base, query) = v.url.split_once('?').unwrap();
        let result = UrlVerifier::new(base, [v.secret.as_bytes()]).verify(query, timestamp(query).unwrap());
        assert_eq!(result.is_ok(), v.with_port || v.demo_shop, "{}: {result:?}", v.note);
        if let Ok(verified) = result {
            assert_eq!(verified.with_port(), v.with_port && base.contains(":8443"), "{}", v.note);
        }
    }
    assert_eq!(
        file.port.iter().filter(|v| v.demo_shop && !v.with_port).count(),
        1,
        "a portless signature is among them"
    );
}
