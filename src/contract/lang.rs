//! The language a page speaks: German unless onOffice says the user works in English.

/// The UI language; German unless onOffice says the user works in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    /// From onOffice's `UserLanguage` (`DEU`, `ENG`, …).
    pub fn from_user_language(code: Option<&str>) -> Self {
        match code.map(|c| c.to_ascii_uppercase()) {
            Some(c) if c == "ENG" || c == "EN" => Lang::En,
            _ => Lang::De,
        }
    }

    /// Before verification the only use of the query is picking the language of an error page.
    pub fn from_raw_query(query: &str) -> Self {
        let code = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "UserLanguage")
            .map(|(_, v)| v);
        Self::from_user_language(code)
    }

    /// The language code of `<html lang>` and stored choices.
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}
