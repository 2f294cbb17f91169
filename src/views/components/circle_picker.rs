//! The choice of circle of users (onOffice's `circleofusers`) on a product or subscription.

use crate::contract::catalogue::Circle;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// A choice of circle of users; nothing when the product offers none.
#[component]
pub fn CirclePicker(circles: Vec<Circle>, chosen: RwSignal<Option<Circle>>) -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    (!circles.is_empty()).then(|| {
        let options =
            circles.iter().map(|c| view! { <option value=c.code()>{t.circle_label(*c)}</option> }).collect_view();
        let lookup = circles.clone();
        view! {
            <label class="circle">{t.circle}" "
                <select on:change=move |ev| {
                    let code = event_target_value(&ev);
                    chosen.set(lookup.iter().copied().find(|c| c.code() == code));
                }>{options}</select>
            </label>
        }
    })
}
