//! What the storefront was opened from: the property's title, address and number (or the
//! address), read through the onOffice API; a notice when that is not possible.

use crate::browser::ui::load_later;
use crate::contract::activation::{read_property, PropertyInfo};
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::contract::launch::Launch;
use crate::views::i18n::{Localised, Texts};
use leptos::prelude::*;

/// Nothing without a property or address in the launch (nothing is asked then); otherwise the
/// details or why they are missing. Asked once the products are painted (they are what the
/// agent came for); until the answer is in, the box the details fill holds their place, so
/// the products do not move under the agent's pointer when they arrive.
#[component]
pub fn PropertyPanel() -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    let ctx = expect_context::<Launch>().context;
    let named = ctx.estate_id.is_some() || ctx.address_id.is_some();
    named.then(|| {
        let info = load_later(read_property);
        move || {
            match info.get() {
            None => Some(
                view! { <section class="property pending" aria-busy="true"><span>{t.property_loading}</span></section> }
                    .into_any(),
            ),
            Some(info) => details(info, t),
        }
        }
    })
}

/// The answer as the agent sees it.
fn details(info: Result<PropertyInfo, AppError>, t: &'static Texts) -> Option<AnyView> {
    match info {
        Ok(PropertyInfo::NoContext) => None,
        Ok(PropertyInfo::Estate { id, title, address, number }) => Some(
            view! {
                <section class="property" id="property" data-estate=id>
                    <strong id="property-title">{title}</strong>
                    <span id="property-address">{address}</span>
                    <span id="property-number">{t.number}" "{number}</span>
                </section>
            }
            .into_any(),
        ),
        Ok(PropertyInfo::Address { id, name, address }) => Some(
            view! {
                <section class="property" id="property" data-address=id>
                    <strong id="property-title">{name}</strong>
                    <span id="property-address">{address}</span>
                </section>
            }
            .into_any(),
        ),
        Ok(PropertyInfo::NeedsFreshLaunch) => Some(notice("needs_fresh_launch", t.property_needs_launch.into())),
        Ok(PropertyInfo::NotActivated) => Some(notice("not_activated", t.property_not_activated.into())),
        Ok(PropertyInfo::ClaimOutdated) => Some(notice("claim_outdated", t.property_claim_outdated.into())),
        Ok(PropertyInfo::NoPermission) => Some(notice("no_permission", t.property_no_permission.into())),
        Ok(PropertyInfo::UnknownRecord) => Some(notice("unknown_record", t.property_unknown_record.into())),
        Ok(PropertyInfo::KeyRefused) => Some(notice("key_refused", t.property_key_refused.into())),
        Ok(PropertyInfo::Unavailable { message }) => {
            Some(notice("unavailable", format!("{}: {message}", t.property_unavailable)))
        }
        Err(err) => Some(notice("unavailable", format!("{}: {err}", t.property_unavailable))),
    }
}

/// A notice that says why the details are missing and what to do, in the page's language.
fn notice(reason: &'static str, text: String) -> AnyView {
    view! { <p class="notice" id="property-notice" data-reason=reason>{text}</p> }.into_any()
}
