//! The hosts marktstand runs inside or hears from, one folder each: how that host signs or
//! is checked, which origins may frame us for it, and what its webhooks look like. All of
//! them hand what arrives to the one inbound pipeline in [`super::webhooks`].

pub mod json;
pub mod kolibri24;
pub mod oneflow;
pub mod onoffice;

pub use crate::contract::host::Host;

/// Every host's routes.
pub fn routes() -> axum::Router<super::AppState> {
    onoffice::webhooks::routes().merge(kolibri24::routes()).merge(oneflow::routes())
}

/// CSP `frame-ancestors` sources as configured: space-separated `https://host[:port]`, where
/// the host may start with `*.` (a host's subdomains). Never `*` alone, no paths.
pub fn parse_frame_ancestors(value: &str, setting: &str) -> Result<Vec<String>, String> {
    let sources: Vec<String> = value.split_whitespace().map(str::to_string).collect();
    if sources.is_empty() {
        return Err(format!("{setting} is empty"));
    }
    for source in &sources {
        let rest = source.strip_prefix("https://").or_else(|| source.strip_prefix("http://"));
        let ok = rest.is_some_and(|rest| {
            let host = rest.strip_prefix("*.").unwrap_or(rest);
            !host.is_empty()
                && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
                && !host.starts_with(['.', ':'])
        });
        if !ok {
            return Err(format!(
                "{setting}: `{source}` must be like https://host or https://*.host (no path, no `*` alone)"
            ));
        }
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_are_hosts_or_their_subdomains() {
        assert_eq!(
            parse_frame_ancestors("https://*.kolibri24.com  http://127.0.0.1:3001", "X").unwrap(),
            vec!["https://*.kolibri24.com", "http://127.0.0.1:3001"]
        );
        for bad in ["", "*", "https://*", "kolibri24.com", "https://a.com/path", "https://a.com;script-src", "'self'"] {
            assert!(parse_frame_ancestors(bad, "X").is_err(), "{bad}");
        }
    }

    #[test]
    fn host_codes_round_trip() {
        for h in Host::ALL {
            assert_eq!(Host::from_code(h.code()), Some(h));
        }
    }
}
