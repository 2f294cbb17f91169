//! Reading the launch's property (or address) from the onOffice API, with the customer's
//! stored credentials and the launch's `apiClaim`, for the storefront's property panel.

use crate::contract::activation::PropertyInfo;
use crate::server::hosts::json::text;
use crate::server::hosts::onoffice::api::Problem;
use crate::server::hosts::onoffice::credentials;
use crate::server::ids::CustomerWebId;
use crate::server::session::Session;
use crate::server::AppState;

fn join(parts: &[String]) -> String {
    parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(" ")
}

/// The launch's property or address, read with the customer's stored credentials and the
/// launch's `apiClaim`. Never fails the storefront: problems become a notice.
pub async fn property_info(state: &AppState, session: &Session) -> PropertyInfo {
    let ctx = &session.context;
    if ctx.estate_id.is_none() && ctx.address_id.is_none() {
        return PropertyInfo::NoContext;
    }
    // A session resumed after payment carries no apiClaim: onOffice would refuse the read.
    if session.api_claim.is_empty() {
        return PropertyInfo::NeedsFreshLaunch;
    }
    let customer = CustomerWebId::from(ctx.customer_web_id.as_str());
    let creds = match credentials::load(state, &customer).await {
        Ok(Some(creds)) => creds,
        Ok(None) => return PropertyInfo::NotActivated,
        Err(e) => return PropertyInfo::Unavailable { message: e.to_string() },
    };
    let result = if let Some(id) = &ctx.estate_id {
        state.api.read_estate(&creds, id, &session.api_claim, ctx.language.as_deref()).await.map(|e| {
            PropertyInfo::Estate {
                id: id.clone(),
                title: text(&e["objekttitel"]),
                address: join(&[
                    text(&e["strasse"]),
                    text(&e["hausnummer"]),
                    ",".into(),
                    text(&e["plz"]),
                    text(&e["ort"]),
                ])
                .replace(" ,", ","),
                number: text(&e["objektnr_extern"]),
            }
        })
    } else {
        let id = ctx.address_id.clone().unwrap_or_default();
        state.api.read_address(&creds, &id, &session.api_claim).await.map(|a| PropertyInfo::Address {
            id: id.clone(),
            name: join(&[text(&a["Vorname"]), text(&a["Name"])]),
            address: join(&[text(&a["Strasse"]), ",".into(), text(&a["Plz"]), text(&a["Ort"])]).replace(" ,", ","),
        })
    };
    credentials::note_api_use(state, &customer, &result, crate::server::clock::now()).await;
    result.unwrap_or_else(|e| {
        tracing::warn!(customer = %ctx.customer_web_id, error = %e, "property read failed");
        match e.problem() {
            Some(Problem::Claim) => PropertyInfo::ClaimOutdated,
            Some(Problem::Permission) => PropertyInfo::NoPermission,
            Some(Problem::UnknownRecord) => PropertyInfo::UnknownRecord,
            Some(Problem::Authentication) => PropertyInfo::KeyRefused,
            _ => PropertyInfo::Unavailable { message: e.to_string() },
        }
    })
}
