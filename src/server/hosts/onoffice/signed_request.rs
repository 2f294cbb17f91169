//! One rule for every signed request that arrives from onOffice (launch, activation, payment
//! callback, webhooks): the signing core decides from the parsed parameters, the reason is
//! logged, and the caller answers 401 with it.

use crate::contract::errors::AppError;
use signing::url::{UrlVerifier, Verified};

/// Verifies `query` (exactly as it arrived, with or without `?`) at `now`. `what` names the
/// kind of request in the log line.
pub fn verify(verifier: &UrlVerifier, query: &str, now: i64, what: &'static str) -> Result<Verified, AppError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let result = verifier.verify(query, now);
    let outcome = match &result {
        Ok(_) => "verified",
        Err(rejection) => rejection.code(),
    };
    crate::server::metrics::signed_request(what, outcome);
    result.map_err(|rejection| {
        tracing::info!(reason = rejection.code(), request = what, "signed request refused");
        AppError::LaunchRejected { reason: rejection.code().to_string() }
    })
}

/// A parameter that must be present and not empty, moved out of `v` (each is read once); its
/// absence refuses the request with `missing_<name in snake case>`.
pub fn required(v: &mut Verified, name: &str) -> Result<String, AppError> {
    optional(v, name).ok_or_else(|| AppError::LaunchRejected { reason: format!("missing_{}", snake(name)) })
}

/// An optional parameter, moved out of `v`; empty counts as absent.
pub fn optional(v: &mut Verified, name: &str) -> Option<String> {
    v.take(name).filter(|s| !s.is_empty())
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn missing_parameters_are_named_in_snake_case() {
        assert_eq!(super::snake("customerWebId"), "customer_web_id");
        assert_eq!(super::snake("apiClaim"), "api_claim");
    }
}
