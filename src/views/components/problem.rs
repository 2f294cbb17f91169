//! The one error template: explains in plain words why the storefront cannot go on.

use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::views::i18n::Localised;
use leptos::prelude::*;

/// Shows `error` as a title and an explanation; the machine reason stays visible for support.
#[component]
pub fn Problem(error: AppError, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    let (kind, title, body, reason) = match &error {
        AppError::LaunchRejected { reason } => match reason.as_str() {
            "expired" | "not_yet_valid" => ("expired", t.expired_title, t.expired_body, Some(reason.clone())),
            "signature_mismatch" | "repeated_parameter" => {
                ("modified", t.modified_title, t.modified_body, Some(reason.clone()))
            }
            _ => ("invalid", t.invalid_title, t.invalid_body, Some(reason.clone())),
        },
        AppError::SessionExpired | AppError::Unauthorized => ("session", t.session_title, t.session_body, None),
        _ => ("error", t.error_title, t.error_body, None),
    };
    view! {
        <section class="problem" role="alert" data-problem=kind>
            <h1>{title}</h1>
            <p>{body}</p>
            {reason.map(|r| view! { <p class="reason">{t.reason}": "<code>{r}</code></p> })}
        </section>
    }
}
