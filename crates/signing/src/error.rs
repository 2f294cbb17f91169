//! Why a signed request or message was refused.
//!
//! Every variant has a stable machine-readable [`Rejection::code`] for logs and
//! metrics, and a Display text addressed to the operator who has to fix it.

/// A refused URL, query string or message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The query string is longer than the verifier accepts (or has more
    /// parameters than PHP would read), so it is refused before parsing.
    #[error("the query string is too long or has too many parameters; the host never sends one this large, so the link was probably altered or built by hand")]
    QueryTooLarge,
    /// The same single-value parameter appears twice. PHP would silently keep
    /// the last one; we refuse, because the two readings could differ.
    #[error(
        "parameter `{0}` appears more than once; a signed link names each parameter once, so the link was altered"
    )]
    RepeatedParameter(String),
    /// No `signature` parameter (or message field).
    #[error("the `signature` parameter is missing; open the service from onOffice enterprise so that the host signs the link")]
    MissingSignature,
    /// `signature` is not 64 hexadecimal characters.
    #[error("the `signature` parameter is not 64 hexadecimal characters; the link was truncated or altered")]
    MalformedSignature,
    /// No `timestamp` parameter.
    #[error("the `timestamp` parameter is missing; open the service from onOffice enterprise so that the host signs the link")]
    MissingTimestamp,
    /// `timestamp` is not a plain decimal integer.
    #[error("the `timestamp` parameter is not a plain whole number of seconds; the link was altered")]
    MalformedTimestamp,
    /// No configured secret produces the given signature. This includes a
    /// well-formed signature in upper- or mixed-case hex: the host compares
    /// lowercase hex strings (PHP `hash_equals`), so it would not match there
    /// either. Deliberately not [`Rejection::MalformedSignature`], which is
    /// kept for text that is not 64 hex digits at all.
    #[error("the signature does not match; check that the provider secret is configured correctly and that the public URL (scheme, host, port, path) is exactly the one registered with onOffice")]
    SignatureMismatch,
    /// The signature is correct but the link is older than the window.
    #[error("the link was signed {age_secs} seconds ago, longer than the allowed window; reopen the service from onOffice enterprise, and check this server's clock if it keeps happening")]
    Expired {
        /// now - timestamp, in seconds.
        age_secs: i64,
    },
    /// The signature is correct but the timestamp lies in the future.
    #[error("the link is dated {ahead_secs} seconds in the future, more than the allowed window; check this server's clock (NTP)")]
    NotYetValid {
        /// timestamp - now, in seconds.
        ahead_secs: i64,
    },
}

impl Rejection {
    /// Stable snake_case reason, safe to log, count and show to machines.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::QueryTooLarge => "query_too_large",
            Rejection::RepeatedParameter(_) => "repeated_parameter",
            Rejection::MissingSignature => "missing_signature",
            Rejection::MalformedSignature => "malformed_signature",
            Rejection::MissingTimestamp => "missing_timestamp",
            Rejection::MalformedTimestamp => "malformed_timestamp",
            Rejection::SignatureMismatch => "signature_mismatch",
            Rejection::Expired { .. } => "expired",
            Rejection::NotYetValid { .. } => "not_yet_valid",
        }
    }
}
