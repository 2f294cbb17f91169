//! The catalogue: what the provider sells, from a TOML file the provider edits.
//! Shared with the browser (read-only); prices are integer cents, never floats.

use crate::browser::client::SessionClient;
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use serde::{Deserialize, Serialize};

/// Text in both UI languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub de: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.de,
            Lang::En => &self.en,
        }
    }
}

crate::codes! {
    /// onOffice's `circleofusers`: who in the customer's office may use what was bought.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Circle ("circle") {
        Customer = "customer",
        Group = "group",
        User = "user",
    }
}

/// What a product must be ordered from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Needs {
    Property,
    Address,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    /// Path below `public/`, e.g. `images/floor-plan.svg`.
    pub image: String,
    pub price_cents: i64,
    /// Circles the buyer may choose from; empty means none is sent (`null`).
    #[serde(default)]
    pub circles: Vec<Circle>,
    #[serde(default)]
    pub needs: Option<Needs>,
    /// Fulfilled by a Oneflow contract from this template once paid or requested.
    #[serde(default)]
    pub oneflow_template: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    pub image: String,
    pub duration_months: u32,
    pub notice_period: Localized,
    pub automatic_renewal: Localized,
    pub monthly_cents: i64,
    #[serde(default)]
    pub circles: Vec<Circle>,
    #[serde(default)]
    pub needs: Option<Needs>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(default, rename = "product")]
    pub products: Vec<Product>,
    #[serde(default, rename = "subscription")]
    pub subscriptions: Vec<Subscription>,
}

impl Catalogue {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn subscription(&self, id: &str) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.id == id)
    }
}

/// Formats cents for the UI language: `5,50 €` in German, `€5.50` in English.
pub fn format_price(cents: i64, lang: Lang) -> String {
    let (sign, euros, rest) = split_cents(cents);
    let grouped = group_thousands(euros, if lang == Lang::De { '.' } else { ',' });
    match lang {
        Lang::De => format!("{sign}{grouped},{rest:02}\u{a0}€"),
        Lang::En => format!("{sign}€{grouped}.{rest:02}"),
    }
}

/// Cents as onOffice wants them in orders: two decimals, `.` separator, no grouping.
pub fn decimal(cents: i64) -> String {
    let (sign, euros, rest) = split_cents(cents);
    format!("{sign}{euros}.{rest:02}")
}

/// Sign, whole euros and remaining cents.
fn split_cents(cents: i64) -> (&'static str, i64, i64) {
    (if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100)
}

fn group_thousands(n: i64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The catalogue, for the storefront and the Kolibri24 widget.
#[server(endpoint = "catalogue", client = SessionClient, output = Postcard)]
pub async fn load_catalogue() -> Result<Catalogue, AppError> {
    use crate::server::{call::handle, session};
    handle(|state| async move {
        session::require_any(&state)?;
        Ok(Catalogue::clone(&state.catalogue))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_follow_the_language() {
        assert_eq!(format_price(550, Lang::De), "5,50\u{a0}€");
        assert_eq!(format_price(550, Lang::En), "€5.50");
        assert_eq!(format_price(12_345_678, Lang::De), "123.456,78\u{a0}€");
        assert_eq!(format_price(12_345_678, Lang::En), "€123,456.78");
        assert_eq!(decimal(12_950), "129.50");
        assert_eq!(decimal(5), "0.05");
    }
}
