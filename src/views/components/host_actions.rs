//! Buttons that ask onOffice enterprise to refresh or close the service window.

use crate::browser::parent::{close_tab, post_to_parent, Frame};
use crate::browser::session::Fatal;
use crate::contract::lang::Lang;
use crate::contract::messaging::{parent_message, ParentAction};
use crate::views::i18n::Localised;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Refresh / refresh-and-close / close. Signed by the server, posted to the framing origin only;
/// in a tab of its own "close" closes the tab where the browser allows it.
#[component]
pub fn HostActions() -> impl IntoView {
    let t = expect_context::<Lang>().texts();
    let fatal = expect_context::<Fatal>();
    let frame = expect_context::<Frame>();
    let status = RwSignal::new(match frame {
        Frame::TopLevel => Some(t.new_tab),
        _ => None,
    });
    let top_level = frame == Frame::TopLevel;
    let send = move |action: ParentAction| {
        let frame = frame.clone();
        spawn_local(async move {
            match frame {
                Frame::TopLevel => {
                    if action != ParentAction::RefreshParent {
                        close_tab();
                        status.set(Some(t.close_blocked));
                    }
                }
                Frame::UnknownHost => status.set(Some(t.no_parent)),
                Frame::Host(origin) => match parent_message(action).await {
                    Ok(message) if post_to_parent(&origin, &message) => status.set(Some(t.sent)),
                    Ok(_) => status.set(Some(t.no_parent)),
                    Err(err) => {
                        let _ = fatal.check(err);
                        status.set(Some(t.error_title));
                    }
                },
            }
        });
    };
    let send = StoredValue::new(send);
    view! {
        <nav class="host-actions">
            <button id="refresh" hidden=top_level on:click=move |_| send.with_value(|s| s(ParentAction::RefreshParent))>{t.refresh}</button>
            <button id="refresh-close" hidden=top_level on:click=move |_| send.with_value(|s| s(ParentAction::RefreshParentAndClose))>{t.refresh_and_close}</button>
            <button id="close" on:click=move |_| send.with_value(|s| s(ParentAction::CloseProviderWindow))>{t.close}</button>
            <p class="status" id="host-status" role="status">{move || status.get()}</p>
        </nav>
    }
}
