//! Messages to enterprise's window (`processTypeToonOffice`: refresh, close, …), signed with
//! the provider's secret; the browser posts them to the exact origin that framed it.

use crate::contract::messaging::ParentAction;
use crate::server::session::Session;
use crate::server::AppState;

/// A signed `processTypeToonOffice` message, as the JSON string enterprise expects.
pub fn sign_parent_message(state: &AppState, action: ParentAction, session: &Session, now: i64) -> String {
    let message = serde_json::json!({
        "onOfficeType": action.on_office_type(),
        "parametercacheid": session.context.parameter_cache_id,
        "timestamp": now,
    });
    signing::message::sign_message(state.signing_secret(), message).to_string()
}
