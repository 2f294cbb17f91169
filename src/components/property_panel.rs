//! What the storefront was opened from: the property's title, address and number (or the
//! address), read through the onOffice API; a notice when that is not possible.

use crate::activation::{read_property, PropertyInfo};
use crate::i18n::Lang;
use crate::ui::load_later;
use leptos::prelude::*;

/// Nothing while loading or without a property; otherwise the details or why they are missing.
/// Asked after the products are built: they are what the agent came for.
#[component]
pub fn PropertyPanel() -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    let info = load_later(read_property);
    move || {
        match info.get()? {
        Ok(PropertyInfo::NoContext) => None,
        Ok(PropertyInfo::Estate { id, title, address, number }) => Some(view! {
            <section class="property" id="property" data-estate=id>
                <strong id="property-title">{title}</strong>
                <span id="property-address">{address}</span>
                <span id="property-number">{t.number}" "{number}</span>
            </section>
        }.into_any()),
        Ok(PropertyInfo::Address { id, name, address }) => Some(view! {
            <section class="property" id="property" data-address=id>
                <strong id="property-title">{name}</strong>
                <span id="property-address">{address}</span>
            </section>
        }.into_any()),
        Ok(PropertyInfo::NeedsFreshLaunch) => Some(
            view! { <p class="notice" id="property-notice" data-reason="needs_fresh_launch">{t.property_needs_launch}</p> }.into_any(),
        ),
        Ok(PropertyInfo::NotActivated) => {
            Some(view! { <p class="notice" id="property-notice" data-reason="not_activated">{t.property_not_activated}</p> }.into_any())
        }
        Ok(PropertyInfo::Unavailable { message }) => Some(view! {
            <p class="notice" id="property-notice" data-reason="unavailable">{t.property_unavailable}": "{message}</p>
        }.into_any()),
        Err(err) => Some(view! {
            <p class="notice" id="property-notice" data-reason="unavailable">{t.property_unavailable}": "{err.to_string()}</p>
        }.into_any()),
    }
    }
}
