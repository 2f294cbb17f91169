//! Host messaging: asking onOffice enterprise (the parent window) to refresh or close us.
//! Messages are signed on the server and posted only to the exact allowed origin that framed
//! the storefront, never to `*`.

use crate::browser::client::SessionClient;
use crate::contract::codec::JsonBody;
use crate::contract::errors::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The parent-window actions enterprise understands (`onOfficeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParentAction {
    RefreshParent,
    RefreshParentAndClose,
    CloseProviderWindow,
}

impl ParentAction {
    pub fn on_office_type(self) -> &'static str {
        match self {
            ParentAction::RefreshParent => "onOffice.service.refreshParent",
            ParentAction::RefreshParentAndClose => "onOffice.service.refreshParentAndClose",
            ParentAction::CloseProviderWindow => "onOffice.service.closeProviderWindow",
        }
    }
}

/// Returns the signed message (a JSON string, as enterprise expects) for `action`; the answer
/// is that string as JSON (`crate::contract::codec`).
#[server(endpoint = "parent_message", client = SessionClient, output = JsonBody)]
pub async fn parent_message(action: ParentAction) -> Result<String, AppError> {
    use crate::server::{clock::now, hosts::onoffice::parent_message::sign_parent_message, session::with_session};
    with_session(|state, session| async move { Ok(sign_parent_message(&state, action, &session, now())) }).await
}
