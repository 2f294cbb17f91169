//! The host's own test vectors (made with PHP's parse_str, ksort,
//! http_build_query and hash_hmac). Missing files fail the test: a check
//! that silently skips would prove nothing.

use serde::Deserialize;
use serde_json::Value;
use signing::{message_signature, php, sign_url, verify_message, Rejection, UrlVerifier};
use std::path::PathBuf;

#[derive(Deserialize)]
struct UrlVector {
    secret: String,
    url: String,
    valid: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct MessageVector {
    secret: String,
    message: Value,
    valid: bool,
    #[serde(default)]
    note: Option<String>,
}

fn load<T: serde::de::DeserializeOwned>(file: &str) -> Vec<T> {
    let dir = std::env::var_os("MARKTSTAND_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors")));
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "test vectors missing: cannot read {} ({e}); set MARKTSTAND_VECTORS to the vectors folder",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

fn signature_of(url: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let params = php::parse_str(query).expect("signed URL parses");
    let sig = params.get(&"signature".into()).and_then(|v| v.as_bytes()).expect("signature present");
    String::from_utf8(sig.to_vec()).expect("hex")
}

#[test]
fn url_vectors() {
    let vectors: Vec<UrlVector> = load("onoffice-url-signatures.json");
    assert_eq!(vectors.len(), 197, "URL vector file truncated or changed");
    let mut failures = Vec::new();
    let mut valid = 0;
    for (i, v) in vectors.iter().enumerate() {
        let (base, query) = v.url.split_once('?').expect("vector URL has a query");
        let verifier = UrlVerifier::new(base, [v.secret.as_bytes()]);
        let ts = php::parse_str(query)
            .ok()
            .and_then(|p| p.get(&"timestamp".into()).and_then(|t| t.as_bytes()).map(<[u8]>::to_vec))
            .and_then(|t| String::from_utf8(t).ok()?.parse::<i64>().ok());
        let now = ts.unwrap_or(1_763_900_000);
        let result = verifier.verify(query, now);
        let note = v.note.as_deref().unwrap_or("");
        if result.is_ok() != v.valid {
            failures.push(format!("#{i} ({note}): expected valid={}, got {result:?}\n  {}", v.valid, v.url));
            continue;
        }
        // Every altered vector (a value, a parameter, the path, the secret) is a mismatch of
        // the signature; the altered timestamps are no longer numbers (`…x`), and say so.
        let expected = match ts {
            None if note == "value of timestamp changed" => Rejection::MalformedTimestamp,
            _ => Rejection::SignatureMismatch,
        };
        if !v.valid && result != Err(expected.clone()) {
            failures.push(format!("#{i} ({note}): expected {expected:?}, got {result:?}"));
        }
        if v.valid {
            valid += 1;
            let resigned = sign_url(v.secret.as_bytes(), &v.url, ts.expect("valid vector has a timestamp"))
                .expect("sign_url accepts a host URL");
            if signature_of(&resigned) != signature_of(&v.url) {
                failures.push(format!("#{i} ({note}): sign_url gave another signature\n  {resigned}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} URL vectors failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(valid, 40, "expected 40 host-signed URLs");
}

#[test]
fn message_vectors() {
    let vectors: Vec<MessageVector> = load("onoffice-message-signatures.json");
    assert_eq!(vectors.len(), 60, "message vector file truncated or changed");
    let mut failures = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        let note = v.note.as_deref().unwrap_or("");
        let secrets = [v.secret.as_bytes().to_vec()];
        let result = verify_message(&secrets, &v.message);
        if result.is_ok() != v.valid {
            failures.push(format!("#{i} ({note}): expected valid={}, got {result:?}\n  {}", v.valid, v.message));
            continue;
        }
        if v.valid {
            let computed = message_signature(v.secret.as_bytes(), &v.message);
            if Some(computed.as_str()) != v.message["signature"].as_str() {
                failures.push(format!("#{i} ({note}): message_signature gave {computed}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} message vectors failed:\n{}", failures.len(), failures.join("\n"));
}

/// The repository's copies of the PHP-made vectors must not drift from the team's shared
/// ones: when `../shared/vectors` sits beside the repository, every file there is here too,
/// byte for byte.
#[test]
fn the_copied_vectors_equal_the_shared_ones() {
    let ours = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors"));
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors"));
    let Ok(entries) = std::fs::read_dir(&shared) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let theirs = std::fs::read(entry.path()).unwrap();
        let copy = std::fs::read(ours.join(&name)).unwrap_or_else(|e| {
            panic!("tests/vectors/{} missing ({e}): copy it from ../shared/vectors", name.to_string_lossy())
        });
        assert!(
            copy == theirs,
            "tests/vectors/{} differs from ../shared/vectors: copy it again",
            name.to_string_lossy()
        );
    }
}
