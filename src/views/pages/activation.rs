//! The activation iframe: API key, privacy consent, "activate"; then `active` to enterprise.

use crate::browser::parent::{detect_frame, post_to_parent, Frame};
use crate::browser::ui::{load, loading, raw_query};
use crate::contract::activation::{activate, open_activation, ActivationStart};
use crate::contract::errors::AppError;
use crate::contract::lang::Lang;
use crate::views::components::problem::Problem;
use crate::views::i18n::Localised;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Verifies the activation URL, then shows the form.
#[component]
pub fn Activation() -> impl IntoView {
    let lang = crate::browser::ui::browser_lang();
    let started = load(open_activation(raw_query()));
    move || match started.get() {
        None => loading(lang.texts().loading),
        Some(Ok(start)) => view! { <ActivationForm start lang/> }.into_any(),
        Some(Err(error)) => view! { <Problem error lang/> }.into_any(),
    }
}

#[derive(Clone, PartialEq)]
enum Step {
    Form,
    Working,
    Done,
    Failed(AppError),
}

#[component]
fn ActivationForm(start: ActivationStart, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    crate::browser::client::set_token(Some(start.token.clone()));
    let frame = detect_frame(&start.allowed_origins);
    let key = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    let step = RwSignal::new(Step::Form);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        step.set(Step::Working);
        let frame = frame.clone();
        spawn_local(async move {
            match activate(key.get_untracked(), consent.get_untracked()).await {
                Ok(()) => {
                    key.set(String::new());
                    if let Frame::Host(origin) = frame {
                        post_to_parent(&origin, "active");
                    }
                    step.set(Step::Done);
                }
                Err(err) => step.set(Step::Failed(err)),
            }
        });
    };
    let status = move || match step.get() {
        Step::Form => None,
        Step::Working => Some(view! { <p class="notice" role="status" aria-busy="true">{t.activating}</p> }.into_any()),
        Step::Done => Some(view! { <p class="notice ok" id="active" role="status">{t.active}</p> }.into_any()),
        Step::Failed(err) => {
            let text = match err {
                AppError::Upstream { message }
                | AppError::BadRequest { message }
                | AppError::Unavailable { message } => message,
                other => other.to_string(),
            };
            Some(
                view! { <p class="notice bad" id="activation-error" role="alert">{t.activation_failed}": "{text}</p> }
                    .into_any(),
            )
        }
    };
    view! {
        <section class="activation">
            <h1>{t.activation_title}</h1>
            <p id="activation-customer">{start.customer_name.clone()}</p>
            {start.active.then(|| view! { <p class="notice" id="already-active">{t.already_active}</p> })}
            <p>{t.activation_intro}</p>
            <form on:submit=submit>
                <label>{t.api_key}" "
                    <input id="api-key" type="password" autocomplete="off" prop:value=move || key.get()
                        on:input=move |ev| key.set(event_target_value(&ev))/>
                </label>
                <label class="consent">
                    <input id="consent" type="checkbox" on:change=move |ev| consent.set(event_target_checked(&ev))/>
                    " "{t.consent}
                </label>
                <button id="activate" class="primary" type="submit"
                    disabled=move || !consent.get() || key.with(|k| k.trim().is_empty()) || step.get() == Step::Working || step.get() == Step::Done>
                    {t.activate}
                </button>
            </form>
            {status}
        </section>
    }
}
