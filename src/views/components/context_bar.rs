//! Who is buying and for what: the verified launch context at the top of every page.

use crate::contract::lang::Lang;
use crate::contract::launch::Launch;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// The customer's name as the heading, with user, group and property or address below.
#[component]
pub fn ContextBar() -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    let ctx = expect_context::<Launch>().context;
    let detail = |label: &'static str, value: Option<String>, id: &'static str| {
        value.map(|v| view! { <span class="detail" id=id>{label}": "{v}</span> })
    };
    let images = (!ctx.image_ids.is_empty()).then(|| ctx.image_ids.join(", "));
    view! {
        <header class="context-bar">
            <h1 id="customer-name">{ctx.customer_name.clone()}</h1>
            <p class="details">
                <span class="detail">{t.customer}" "{ctx.customer_web_id.clone()}</span>
                {detail(t.user, Some(ctx.user_id.clone()), "user-id")}
                {detail(t.group, ctx.group_id.clone(), "group-id")}
                {detail(t.property, ctx.estate_id.clone(), "estate-id")}
                {detail(t.address, ctx.address_id.clone(), "address-id")}
                {detail(t.images, images, "image-ids")}
            </p>
        </header>
    }
}
