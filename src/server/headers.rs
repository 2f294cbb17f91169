//! Response headers: who may frame us (CSP `frame-ancestors`, per host), a tight CSP, and the
//! id every request and its answer carry.
//!
//! `X-Frame-Options` only where it can say what `frame-ancestors` says: `DENY` on the back
//! office's sign-in (framed by nobody), and `ALLOW-FROM` on the Kolibri24 widget, whose host
//! checks for it. It cannot name several origins or a wildcard, and every browser that runs
//! the app honours `frame-ancestors`, which supersedes it.

use axum::http::{HeaderValue, Request, Response};
use tower_http::request_id::{MakeRequestId, RequestId};

/// The Content-Security-Policy for every response. `frame-ancestors` names exactly the
/// configured host origins; scripts are limited to our own files plus the hashes of the
/// inline bootstrap Trunk writes into `index.html`.
pub fn content_security_policy(allowed_origins: &[String], index_html: &str) -> HeaderValue {
    let hashes: String = inline_script_hashes(index_html).into_iter().map(|h| format!(" 'sha256-{h}'")).collect();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {}",
        allowed_origins.join(" ")
    );
    HeaderValue::from_str(&csp).expect("origins are validated ASCII")
}

/// Adds the security headers to a response; `hsts` when the public URL is https. A route
/// that set its own policy (a host's widget, framed by that host) keeps it.
pub fn apply<B>(res: &mut Response<B>, csp: &HeaderValue, hsts: bool) {
    let h = res.headers_mut();
    if hsts {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !h.contains_key("content-security-policy") {
        h.insert("content-security-policy", csp.clone());
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    // The launch URL carries the apiClaim: never leak it to anything we load.
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

/// A new request's `x-request-id`: a random (version 4) UUID, as tower-http's
/// `MakeRequestUuid` makes, but from the thread's CSPRNG (as session nonces are) instead of a
/// `getrandom` system call per request (a bare route ~3 % more requests/s, BENCHMARKS.md).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestUuid;

impl MakeRequestId for RequestUuid {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let uuid = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        HeaderValue::from_bytes(uuid.hyphenated().encode_lower(&mut text).as_bytes()).ok().map(RequestId::new)
    }
}

/// Base64 SHA-256 of each inline `<script>` body, for the CSP.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    use sha2::{Digest, Sha256};
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else { break };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else { break };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            hashes.push(STANDARD.encode(Sha256::digest(body.as_bytes())));
        }
        rest = &after[body_start + close..];
    }
    hashes
}

/// Whether `path` names a file Trunk hashed (`name-<12 or more hex digits>[_bg].ext`), whose
/// content never changes under that name.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let Some((stem, _ext)) = file.split_once('.') else { return false };
    let hash = stem.rsplit_once('-').map_or("", |(_, h)| h);
    // wasm-bindgen's module is `name-<hash>_bg.wasm`.
    let hash = hash.strip_suffix("_bg").unwrap_or(hash);
    hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::{is_hashed_asset, RequestUuid};
    use tower_http::request_id::MakeRequestId;

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let request = axum::http::Request::new(());
        let ids: Vec<uuid::Uuid> = (0..1000)
            .map(|_| RequestUuid.make_request_id(&request).expect("an id"))
            .map(|id| id.header_value().to_str().expect("ASCII").parse().expect("a UUID"))
            .collect();
        assert!(ids.iter().all(|id| id.get_version() == Some(uuid::Version::Random)));
        assert!(ids.iter().all(|id| id.get_variant() == uuid::Variant::RFC4122));
        assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), ids.len());
    }

    #[test]
    fn hashed_assets_are_told_by_their_names() {
        for yes in [
            "/marktstand-589ea60b75018ae2_bg.wasm",
            "/main-445ef1d10ba504.css",
            "/widget/marktstand-b60a09ad19a27576.js",
        ] {
            assert!(is_hashed_asset(yes), "{yes}");
        }
        assert!(is_hashed_asset("/marktstand-589ea60b75018ae2.js"));
        assert!(is_hashed_asset("/favicon-1a55a9a90ab221fb.svg"));
        for no in ["/", "/public/images/expose.svg", "/admin", "/kolibri24/widget", "/x-123.js", "/app.js"] {
            assert!(!is_hashed_asset(no), "{no}");
        }
    }
}
