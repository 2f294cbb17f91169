//! The provider's back office as both sides see it: signing in. The sign-in token is sealed
//! by the server (like storefront sessions) and kept by the back-office page in its tab's
//! `sessionStorage`, so a reload stays signed in and closing the tab signs out.

use crate::client::SessionClient;
use crate::errors::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// A back-office sign-in: what the page sends instead of the admin token from then on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackOfficeSignIn {
    pub token: String,
    /// Unix seconds after which the sign-in is refused.
    pub expires_at: i64,
}

/// Trades the admin token for a sign-in of a working day (wrong tokens are limited per
/// address like everywhere else). Changing the admin token ends every sign-in.
#[server(endpoint = "admin_sign_in", client = SessionClient, output = Postcard)]
pub async fn admin_sign_in(admin_token: String) -> Result<BackOfficeSignIn, AppError> {
    use crate::server::{admin, handle, now};
    handle(|state| async move { admin::sign_in(&state, &admin_token, admin::client(), now()) }).await
}

/// Where the page keeps the sign-in and the chosen language: the tab's `sessionStorage` of
/// the back office's own page (the storefront never reads or writes storage).
const SIGN_IN_KEY: &str = "marktstand.back-office.sign-in";
const LANG_KEY: &str = "marktstand.back-office.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The sign-in this tab keeps, if any.
pub fn stored_sign_in() -> Option<String> {
    storage()?.get_item(SIGN_IN_KEY).ok()?
}

pub fn remember_sign_in(token: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(SIGN_IN_KEY, token);
    }
}

pub fn forget_sign_in() {
    if let Some(s) = storage() {
        let _ = s.remove_item(SIGN_IN_KEY);
    }
}

/// The language chosen in this tab, if the provider switched.
pub fn stored_lang() -> Option<crate::i18n::Lang> {
    match storage()?.get_item(LANG_KEY).ok()??.as_str() {
        "de" => Some(crate::i18n::Lang::De),
        "en" => Some(crate::i18n::Lang::En),
        _ => None,
    }
}

pub fn remember_lang(lang: crate::i18n::Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
}
