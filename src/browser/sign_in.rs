//! The back office's sign-in and language, kept for the tab in `sessionStorage` of the back
//! office's own page (the storefront never reads or writes storage).

use crate::contract::lang::Lang;

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
pub fn stored_lang() -> Option<Lang> {
    match storage()?.get_item(LANG_KEY).ok()??.as_str() {
        "de" => Some(Lang::De),
        "en" => Some(Lang::En),
        _ => None,
    }
}

pub fn remember_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
}
