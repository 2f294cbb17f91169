//! The signed-URL scheme: the host appends `timestamp` and `signature` to
//! every URL it opens, the signature being lowercase hex HMAC-SHA256 over
//! `scheme://host[:port]/path?canonical_query`.
//!
//! Where it differs from the JSON scheme ([`crate::message`]), following the
//! host's PHP check (PROTOCOL.md, "Where the two onOffice schemes differ"):
//! - `ksort` of the **top level only**: a nested array
//!   (`imageIds[1]=b&imageIds[0]=a`) is written back in arrival order;
//! - `http_build_query` in RFC 1738 form: space as `+`, `~` encoded.
//!
//! Shared by both: the signature is compared as lowercase hex text, the way
//! `hash_equals` does, so an upper-case signature does not verify.
//!
//! The port: onOffice's published check (the demo shop's `CheckSignature`)
//! signs `scheme://host` + path, without the port; how enterprise signs a URL
//! on a non-default port is not published. So on a non-default port a
//! signature made either way verifies ([`Verified::with_port`] says which).

use crate::php::{self, Encoding, PhpArray, PhpKey, PhpValue};
use crate::Rejection;

/// How far the signed timestamp may lie from our clock, either way. The
/// host names no limit; a few minutes absorbs clock drift and slow loads.
pub const DEFAULT_WINDOW_SECS: i64 = 300;

/// Longest query string we look at. The host's links are far shorter; a
/// limit keeps parsing and hashing cheap for anything hostile.
pub const MAX_QUERY_BYTES: usize = 8192;

const SIGNATURE: &str = "signature";
const TIMESTAMP: &str = "timestamp";

/// The query the host signs: PHP `parse_str`, drop `signature`, `ksort` of
/// the top level (nested arrays keep their order), `http_build_query`
/// (RFC 1738). The wire form may differ (`%20` for space, other order),
/// which is why the raw string is never hashed.
pub fn canonical_query(raw_query: &str) -> Result<String, Rejection> {
    let mut params = php::parse_str(raw_query)?;
    let mut query = String::with_capacity(raw_query.len());
    canonicalise(&mut params, &mut query);
    Ok(query)
}

/// Takes `signature` out (returned), sorts the top level in place (the
/// host's `ksort` is not recursive) and appends the canonical query to `out`.
fn canonicalise(params: &mut PhpArray, out: &mut String) -> Option<PhpValue> {
    let signature = params.remove(&PhpKey::from(SIGNATURE));
    params.ksort();
    php::http_build_query_into(params, Encoding::Rfc1738, out);
    signature
}

/// Lowercase hex signature of `base?canonical_query`, where `base` is
/// `scheme://host[:port]/path` exactly as registered with the host.
pub fn url_signature(secret: &[u8], base: &str, raw_query: &str) -> Result<String, Rejection> {
    let signed = format!("{base}?{}", canonical_query(raw_query)?);
    Ok(hex::encode(crate::hmac_sha256(secret, signed.as_bytes())))
}

/// Signs a URL the way the host does: any old `timestamp`/`signature` are
/// removed, `timestamp` is appended, then `signature` last. Other parameters
/// keep their wire form and order, which matters: entries of a nested array
/// are signed in the order they appear. A `#fragment` is kept at the end.
pub fn sign_url(secret: &[u8], url: &str, timestamp: i64) -> Result<String, Rejection> {
    let (url, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let dropped = [PhpKey::from(SIGNATURE), PhpKey::from(TIMESTAMP)];
    let mut kept: Vec<&str> = query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .filter(|piece| {
            let raw_key = piece.split('=').next().unwrap_or_default();
            php::top_level_name(raw_key.as_bytes()).is_none_or(|name| !dropped.contains(&name))
        })
        .collect();
    let ts = format!("{TIMESTAMP}={timestamp}");
    kept.push(&ts);
    let query = kept.join("&");
    let signature = url_signature(secret, base, &query)?;
    Ok(format!("{base}?{query}&{SIGNATURE}={signature}{fragment}"))
}

/// Checks signed URLs for one public base URL. Several secrets may be valid
/// at once while the provider secret is rotated.
#[derive(Debug, Clone)]
pub struct UrlVerifier {
    /// `scheme://host[:port]/path` from configuration, never from the request
    /// (a reverse proxy may report another scheme, host or port).
    pub base: String,
    /// `base` without its port, when it names one: the form onOffice's
    /// published check signs (see the module's notes). Set by [`UrlVerifier::new`].
    pub portless_base: Option<String>,
    pub secrets: Vec<Vec<u8>>,
    pub window_secs: i64,
    pub max_query_bytes: usize,
}

/// A verified query: its parameters (without `signature`, top level ksorted)
/// and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    params: PhpArray,
    timestamp: i64,
    now: i64,
    canonical: String,
    with_port: bool,
}

impl Verified {
    /// A top-level single value; None when absent, a list, or not UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        let bytes = self.params.get_named(name.as_bytes())?.as_bytes()?;
        std::str::from_utf8(bytes).ok()
    }

    /// Moves out the value [`get`](Self::get) would read, leaving an empty one:
    /// reading a verified query into owned fields copies nothing. None (and
    /// nothing taken) when absent, a list, or not UTF-8.
    pub fn take(&mut self, name: &str) -> Option<String> {
        let PhpValue::Str(bytes) = self.params.get_named_mut(name.as_bytes())? else {
            return None;
        };
        // Checked once, as it is moved; bytes that are not UTF-8 go back where they were.
        String::from_utf8(std::mem::take(bytes)).map_err(|e| *bytes = e.into_bytes()).ok()
    }

    /// The values of a bracket list (`imageIds[0]=…&imageIds[1]=…`) in key
    /// order (PHP `ksort`), whatever order they arrived in: the signature
    /// covers arrival order, callers want index order. Nested lists and
    /// values that are not UTF-8 are left out.
    pub fn list(&self, name: &str) -> Vec<String> {
        let Some(mut arr) = self.params.get(&PhpKey::from(name)).and_then(PhpValue::as_array).cloned() else {
            return Vec::new();
        };
        arr.ksort();
        arr.iter()
            .filter_map(|(_, v)| v.as_bytes())
            .filter_map(|b| std::str::from_utf8(b).ok())
            .map(str::to_owned)
            .collect()
    }

    /// All parameters except `signature`, as the host's check sees them:
    /// top level ksorted, nested arrays in arrival order (what was signed).
    pub fn params(&self) -> &PhpArray {
        &self.params
    }

    /// The signed `timestamp`, Unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// `now - timestamp`: positive when the link is older than our clock.
    pub fn clock_difference(&self) -> i64 {
        self.now.saturating_sub(self.timestamp)
    }

    /// The exact string that was signed: `base?canonical_query`.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Whether the signed string named the port; false also where the base
    /// names none (a default port).
    pub fn with_port(&self) -> bool {
        self.with_port
    }
}

/// `scheme://host/path` for a `scheme://host:port/path` base; None when the
/// base names no port (an IPv6 host keeps its brackets).
pub fn without_port(base: &str) -> Option<String> {
    let (scheme, rest) = base.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host_end = if authority.starts_with('[') { authority.find(']')? + 1 } else { authority.rfind(':')? };
    let (host, port) = authority.split_at(host_end);
    let digits = port.strip_prefix(':')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{scheme}://{host}{path}"))
}

/// Everything an operator needs to debug a refused link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// `base?canonical_query`, when the query could be parsed.
    pub canonical: Option<String>,
    /// `now - timestamp`, when the timestamp could be read.
    pub clock_difference: Option<i64>,
    pub result: Result<Verified, Rejection>,
}

impl Inspection {
    /// `valid`, or `invalid: CODE (explanation)`.
    pub fn verdict(&self) -> String {
        match &self.result {
            Ok(_) => "valid".to_owned(),
            Err(r) => format!("invalid: {} ({r})", r.code()),
        }
    }
}

/// A plain decimal integer: optional `-`, 1 to 18 digits (no overflow).
fn parse_timestamp(bytes: &[u8]) -> Option<i64> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

impl UrlVerifier {
    /// A verifier with the default window and size limit.
    pub fn new<S: AsRef<[u8]>>(base: impl Into<String>, secrets: impl IntoIterator<Item = S>) -> Self {
        let base = base.into();
        UrlVerifier {
            portless_base: without_port(&base),
            base,
            secrets: secrets.into_iter().map(|s| s.as_ref().to_vec()).collect(),
            window_secs: DEFAULT_WINDOW_SECS,
            max_query_bytes: MAX_QUERY_BYTES,
        }
    }

    /// Verifies a raw query string (without the leading `?`) at time `now`.
    ///
    /// The signature is checked before freshness, so a tampered stale link
    /// is reported as tampered.
    pub fn verify(&self, raw_query: &str, now: i64) -> Result<Verified, Rejection> {
        self.evaluate(raw_query, now).0
    }

    /// Like [`verify`](Self::verify), but also returns the signed string and
    /// the clock difference, for an operator's diagnostics.
    pub fn inspect(&self, raw_query: &str, now: i64) -> Inspection {
        let (result, refused_canonical, clock_difference) = self.evaluate(raw_query, now);
        let canonical = match &result {
            Ok(verified) => Some(verified.canonical.clone()),
            Err(_) => refused_canonical,
        };
        Inspection { canonical, clock_difference, result }
    }

    /// The verdict, the signed string of a refused query (when it could be
    /// parsed; a verified one keeps its own) and the clock difference (when
    /// the timestamp could be read). Nothing is copied for a verified query.
    fn evaluate(&self, raw_query: &str, now: i64) -> (Result<Verified, Rejection>, Option<String>, Option<i64>) {
        if raw_query.len() > self.max_query_bytes {
            return (Err(Rejection::QueryTooLarge), None, None);
        }
        let mut params = match php::parse_str(raw_query) {
            Ok(p) => p,
            Err(e) => return (Err(e), None, None),
        };
        // `base?query` in one buffer; the canonical query is about as long as the raw one.
        let mut canonical = String::with_capacity(self.base.len() + 1 + raw_query.len() + 32);
        canonical.push_str(&self.base);
        canonical.push('?');
        let signature = canonicalise(&mut params, &mut canonical);
        let timestamp = params.get_named(TIMESTAMP.as_bytes()).map(|v| v.as_bytes().and_then(parse_timestamp));
        let clock_difference = timestamp.flatten().map(|ts| now.saturating_sub(ts));
        let mut with_port = self.portless_base.is_some();
        let mut result = self.check(signature.as_ref(), timestamp, &canonical, now);
        if let (Err(Rejection::SignatureMismatch), Some(portless)) = (&result, &self.portless_base) {
            // The same query under the base without its port; its verdict stands
            // unless that is a mismatch too (then the configured form is reported).
            let other = format!("{portless}{}", &canonical[self.base.len()..]);
            let second = self.check(signature.as_ref(), timestamp, &other, now);
            if second != Err(Rejection::SignatureMismatch) {
                (result, canonical, with_port) = (second, other, false);
            }
        }
        match result {
            Ok(timestamp) => (Ok(Verified { params, timestamp, now, canonical, with_port }), None, clock_difference),
            Err(rejection) => (Err(rejection), Some(canonical), clock_difference),
        }
    }

    /// The checks in their documented order; returns the timestamp.
    fn check(
        &self,
        signature: Option<&PhpValue>,
        timestamp: Option<Option<i64>>,
        canonical: &str,
        now: i64,
    ) -> Result<i64, Rejection> {
        let signature = signature.ok_or(Rejection::MissingSignature)?;
        let given =
            signature.as_bytes().filter(|s| crate::is_signature_text(s)).ok_or(Rejection::MalformedSignature)?;
        let ts = timestamp.ok_or(Rejection::MissingTimestamp)?.ok_or(Rejection::MalformedTimestamp)?;
        if !crate::matches_any(&self.secrets, canonical.as_bytes(), given) {
            return Err(Rejection::SignatureMismatch);
        }
        let age = now.saturating_sub(ts);
        if age > self.window_secs {
            return Err(Rejection::Expired { age_secs: age });
        }
        let ahead = ts.saturating_sub(now);
        if ahead > self.window_secs {
            return Err(Rejection::NotYetValid { ahead_secs: ahead });
        }
        Ok(ts)
    }
}
