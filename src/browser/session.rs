//! The browser's side of a session: the verified launch and its language as context for the
//! views, and [`Fatal`], which every later call reports a lost session to.

use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::contract::launch::Launch;
use leptos::prelude::*;

/// Set when a later call finds the session gone: the whole app then asks to reopen.
#[derive(Clone, Copy)]
pub struct Fatal(pub RwSignal<Option<AppError>>);

impl Fatal {
    /// Records session errors; returns the error for the caller's own message otherwise.
    pub fn check(self, err: AppError) -> AppError {
        if matches!(err, AppError::SessionExpired | AppError::Unauthorized) {
            self.0.set(Some(err.clone()));
        }
        err
    }
}

/// Remembers the session token for later calls and provides the launch, its language and
/// the frame it was opened in to the views below. Returns the language.
pub fn provide_session(launch: Launch) -> Lang {
    let lang = Lang::from_user_language(launch.context.user_language.as_deref());
    crate::browser::client::set_token(Some(launch.token.clone()));
    provide_context(crate::browser::parent::detect_frame(&launch.allowed_origins));
    provide_context(lang);
    provide_context(launch);
    lang
}
