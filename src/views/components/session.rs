//! The frame around every view that needs a verified session.

use crate::browser::session::{provide_session, Fatal};
use crate::contract::launch::Launch;
use crate::views::components::problem::Problem;
use leptos::either::Either;
use leptos::prelude::*;

/// Holds a verified session for the views inside (token, language, context, frame);
/// replaces them with the "reopen" explanation once the session is gone.
#[component]
pub fn Session(launch: Launch, children: ChildrenFn) -> impl IntoView {
    let fatal = expect_context::<Fatal>();
    let lang = provide_session(launch);
    move || match fatal.0.get() {
        Some(error) => Either::Left(view! { <Problem error lang/> }),
        None => Either::Right(children()),
    }
}
