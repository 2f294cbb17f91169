//! The storefront's entry: enterprise loads `/` with the signed launch query. The launch
//! answer carries the catalogue, so the shop shows with this one round trip.

use crate::components::problem::Problem;
use crate::components::session::Session;
use crate::i18n::Lang;
use crate::launch::{verify_launch, SharedCatalogue};
use crate::pages::shop::Shop;
use crate::ui::{load, loading, raw_query};
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
