//! One error type for everything the browser can be told, with the HTTP status it travels with.

use http::StatusCode;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An error a server function or route answers with. Serialised as
/// `{"error": "...", "reason"?: "...", "message"?: "..."}` so a machine (or a provider's
/// support desk) can read the reason.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(from = "ErrorBody", into = "ErrorBody")]
pub enum AppError {
    /// The launch URL failed verification; `reason` is the signing core's code.
    #[error("launch rejected: {reason}")]
    LaunchRejected { reason: String },
    /// The session token is past its lifetime: the user must reopen the service.
    #[error("session expired: reopen the service from onOffice")]
    SessionExpired,
    /// No or an unreadable session token.
    #[error("no valid session: reopen the service from onOffice")]
    Unauthorized,
    /// The request was well-formed but asks for something we refuse.
    #[error("{message}")]
    BadRequest { message: String },
    #[error("not found")]
    NotFound,
    /// The request conflicts with what already happened (e.g. an order already paid).
    #[error("{message}")]
    Conflict { message: String },
    /// A limit was reached; the message names it.
    #[error("{message}")]
    TooManyRequests { message: String },
    /// onOffice answered with an error (its message is passed on) or could not be reached.
    #[error("onOffice: {message}")]
    Upstream { message: String },
    /// A feature the provider has not configured.
    #[error("{message}")]
    Unavailable { message: String },
    /// Details stay in the server log; the browser learns only that it failed.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure reported by the server function layer.
    #[error("request failed: {message}")]
    Transport { message: String },
}

/// The wire form of [`AppError`]: a flat struct (an internally tagged enum would pull serde's
/// buffering deserializer into the browser bundle).
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl From<AppError> for ErrorBody {
    fn from(e: AppError) -> Self {
        let (error, reason, message) = match e {
            AppError::LaunchRejected { reason } => ("launch_rejected", Some(reason), None),
            AppError::SessionExpired => ("session_expired", None, None),
            AppError::Unauthorized => ("unauthorized", None, None),
            AppError::BadRequest { message } => ("bad_request", None, Some(message)),
            AppError::NotFound => ("not_found", None, None),
            AppError::Conflict { message } => ("conflict", None, Some(message)),
            AppError::TooManyRequests { message } => ("too_many_requests", None, Some(message)),
            AppError::Upstream { message } => ("upstream", None, Some(message)),
            AppError::Unavailable { message } => ("unavailable", None, Some(message)),
            AppError::Internal => ("internal", None, None),
            AppError::Transport { message } => ("transport", None, Some(message)),
        };
        ErrorBody { error: error.into(), reason, message }
    }
}

impl From<ErrorBody> for AppError {
    fn from(b: ErrorBody) -> Self {
        match b.error.as_str() {
            "launch_rejected" => AppError::LaunchRejected { reason: b.reason.unwrap_or_default() },
            "session_expired" => AppError::SessionExpired,
            "unauthorized" => AppError::Unauthorized,
            "bad_request" => AppError::BadRequest { message: b.message.unwrap_or_default() },
            "not_found" => AppError::NotFound,
            "conflict" => AppError::Conflict { message: b.message.unwrap_or_default() },
            "too_many_requests" => AppError::TooManyRequests { message: b.message.unwrap_or_default() },
            "upstream" => AppError::Upstream { message: b.message.unwrap_or_default() },
            "unavailable" => AppError::Unavailable { message: b.message.unwrap_or_default() },
            "internal" => AppError::Internal,
            other => AppError::Transport { message: b.message.unwrap_or_else(|| other.to_string()) },
        }
    }
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::LaunchRejected { .. } | AppError::SessionExpired | AppError::Unauthorized => {
                StatusCode::UNAUTHORIZED
            }
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal | AppError::Transport { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest { message: message.into() }
    }
}

impl FromServerFnError for AppError {
    /// JSON a person can read; no JSON parser in the browser bundle (`crate::contract::codec`).
    type Encoder = crate::contract::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server what fails to decode is the request: the caller's to fix, 400.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) | ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                crate::server::call::fail(AppError::BadRequest { message: format!("the request cannot be read: {m}") })
            }
            value => AppError::Transport { message: value.to_string() },
        }
    }
}
