//! The page enterprise loads into the service frame after payment: thank-you with the
//! transaction or subscription id, SEPA in process, or the error; then refresh / close.

use crate::browser::ui::{load, loading, raw_query};
use crate::contract::lang::Lang;
use crate::contract::orders::{callback_result, OrderKind, OrderResult, OrderStatus};
use crate::views::components::host_actions::HostActions;
use crate::views::components::problem::Problem;
use crate::views::components::session::Session;
use crate::views::i18n::Localised;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

/// Asks the server for the verified result of this callback and shows it.
#[component]
pub fn Callback() -> impl IntoView {
    let result = load(callback_result(raw_query()));
    move || match result.get() {
        None => loading(Lang::default().texts().loading),
        Some(Ok(result)) => view! { <Outcome result/> }.into_any(),
        Some(Err(error)) => view! { <Problem error lang=Lang::default()/> }.into_any(),
    }
}

#[component]
fn Outcome(result: OrderResult) -> impl IntoView {
    match result.session.clone() {
        Some(launch) => {
            let lang = Lang::from_user_language(launch.context.user_language.as_deref());
            Either::Left(view! {
                <Session launch>
                    <ResultText result=result.clone() lang/>
                    <HostActions/>
                </Session>
            })
        }
        None => Either::Right(view! { <ResultText result lang=Lang::default()/> }),
    }
}

/// All text here is set as text nodes: enterprise's message is never parsed as HTML.
#[component]
fn ResultText(result: OrderResult, lang: Lang) -> impl IntoView {
    let t = lang.texts();
    let subscription = result.kind == OrderKind::Subscription;
    let reference_label = if subscription { t.subscription_id } else { t.transaction };
    let reference =
        result.reference.clone().map(|r| view! { <p>{reference_label}": "<strong id="reference">{r}</strong></p> });
    let message = result.message.clone().map(|m| view! { <p class="host-message" id="host-message">{m}</p> });
    // Still pending after a callback: the browser reported a payment onOffice did not sign.
    let reported = (result.status == OrderStatus::Pending).then(|| {
        view! {
            <p class="notice" id="payment-reported"><strong>{t.payment_reported_short}</strong>". "{t.payment_reported_body}</p>
        }
    });
    let body = match result.status {
        OrderStatus::Success | OrderStatus::Pending | OrderStatus::Requested => EitherOf3::A(view! {
            <h1>{if subscription { t.thank_you_subscription } else { t.thank_you }}</h1>
        }),
        OrderStatus::Inprocess => EitherOf3::B(view! { <h1>{t.thank_you}</h1><p class="notice">{t.inprocess}</p> }),
        OrderStatus::Error => EitherOf3::C(view! { <h1>{t.payment_failed}</h1> }),
    };
    // The result takes the focus: a screen reader reads it, and Tab goes on from there.
    let section = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(section) = section.get() {
            let _ = section.focus();
        }
    });
    view! {
        <section class="result" id="result" tabindex="-1" node_ref=section data-status=result.status.code() data-order=result.order_id.clone()>
            {body}
            {reported}
            {reference}
            {message}
            <p class="order-number">{t.order_number}": "{result.order_id.clone()}</p>
        </section>
    }
}
