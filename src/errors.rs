//! One error type for everything the browser can be told, with the HTTP status it travels with.

use http::StatusCode;
use serde::{Deserialize, Serialize};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use thiserror::Error;

/// An error a server function or route answers with. Serialised as
/// `{"error": "...", ...}` so a machine (or a provider's support desk) can read the reason.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
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
    /// Details stay in the server log; the browser learns only that it failed.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure reported by the server function layer.
    #[error("request failed: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::LaunchRejected { .. } | AppError::SessionExpired | AppError::Unauthorized => {
                StatusCode::UNAUTHORIZED
            }
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Internal | AppError::Transport { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest { message: message.into() }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport { message: value.to_string() }
    }
}

/// Sets the response status to match `err` (server functions answer 500 otherwise).
#[cfg(feature = "ssr")]
pub fn respond(err: AppError) -> AppError {
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(err.status_code());
    }
    err
}
