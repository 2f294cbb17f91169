//! The storefront's entry: enterprise loads `/` with the signed launch query. The launch
//! answer carries the catalogue, so the shop shows with this one round trip.

use crate::browser::ui::{load, loading, raw_query};
use crate::contract::lang::Lang;
use crate::contract::launch::{verify_launch, SharedCatalogue};
use crate::views::components::problem::Problem;
use crate::views::components::session::Session;
use crate::views::i18n::Localised;
use crate::views::pages::shop::Shop;
use leptos::prelude::*;

/// Hands the query, unparsed, to the server; then the shop, or why it cannot open.
#[component]
pub fn LaunchPage() -> impl IntoView {
    let query = raw_query();
    let hint = Lang::from_raw_query(&query);
    let launched = load(verify_launch(query));
    move || match launched.get() {
        None => loading(hint.texts().opening),
        Some(Ok(launch)) => {
            let catalogue = launch.catalogue.clone().map(SharedCatalogue::into_inner);
            view! { <Session launch><Shop catalogue=catalogue.clone()/></Session> }.into_any()
        }
        Some(Err(error)) => view! { <Problem error lang=hint/> }.into_any(),
    }
}
