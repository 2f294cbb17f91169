//! The views: the root component, one module per screen (`pages`), small reusable views
//! (`components`) and their texts in German and English (`i18n`). Views hold no rules: they
//! show the contract's types and call its server functions through the browser runtime.

pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;
