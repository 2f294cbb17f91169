//! A Kolibri24 stand-in: a page that opens the storefront's widget in a frame with a call
//! the simulator signed (valid, forged or expired), the `validateSignature` endpoint that
//! checks such calls honestly (or, when switched, fails with 500 or hangs), and buttons that
//! post webhook envelopes to the storefront with the registration's token: an `Entity`
//! announcement, and an `Authorization` one that revokes or grants the agency's access.
//!
//! Kolibri24's signature scheme is not public; the stand-in signs with its own key
//! (HMAC-SHA256, base64). The widget URL carries it unencoded, as Kolibri24's page prints it
//! (`signature={value}=`), raw `+`, `/` and `=` included. The envelope follows the webhooks
//! page's example; the announcements carry their details objects (`entityDetails`,
//! `authorizationDetails`), whose inner fields Kolibri24 does not publish (assumed:
//! `entityId`, `entityType`; `action` = `Granted` / `Revoked`).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::onoffice::page::escape_html;

/// How `validateSignature` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum ValidatorMode {
    Honest = 0,
    Error = 1,
    Hang = 2,
}

pub struct Kolibri24 {
    storefront: url::Url,
    key: Vec<u8>,
    webhook_token: String,
    mode: AtomicU8,
}

impl Kolibri24 {
    pub fn new(storefront: url::Url, webhook_token: String) -> Self {
        let key = crate::random_hex(32).into_bytes();
        Kolibri24 { storefront, key, webhook_token, mode: AtomicU8::new(ValidatorMode::Honest as u8) }
    }

    fn sign(&self, entity: &str, agency: &str, entity_type: &str, valid_until: &str, key_version: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(format!("{entity}|{agency}|{entity_type}|{valid_until}|{key_version}").as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    /// The widget URL Kolibri24 would frame, signed (or forged, or already expired).
    pub fn widget_url(&self, entity: &str, agency: &str, entity_type: &str, validity: &str) -> String {
        let valid_until = crate::now() + if validity == "expired" { -60 } else { 600 };
        let mut signature = self.sign(entity, agency, entity_type, &valid_until.to_string(), "1");
        if validity == "invalid" {
            // Another first character (never the one it had, or the call would stay valid).
            let other = if signature.starts_with('A') { 'B' } else { 'A' };
            signature = format!("{other}{}", &signature[1..]);
        }
        let mut url = crate::on_storefront(&self.storefront, "kolibri24/widget");
        url.query_pairs_mut()
            .append_pair("entityId", entity)
            .append_pair("realEstateAgencyId", agency)
            .append_pair("entityType", entity_type)
            .append_pair("validUntil", &valid_until.to_string());
        // Unencoded, as Kolibri24 prints it: base64's `+`, `/` and `=` as they are.
        format!("{url}&signature={signature}&keyVersion=1")
    }
}

type KState = State<Arc<Kolibri24>>;

pub fn router(state: Arc<Kolibri24>) -> Router {
    Router::new()
        .route("/kolibri24", get(page))
        .route("/kolibri24/v1/validateSignature", post(validate))
        .route("/kolibri24/mode", post(set_mode))
        .route("/kolibri24/send-webhook", post(send_webhook))
        .route("/kolibri24/send-authorization", post(send_authorization))
        .with_state(state)
}

#[derive(Deserialize)]
struct Form {
    #[serde(rename = "entityId", default)]
    entity_id: Option<String>,
    #[serde(rename = "realEstateAgencyId", default)]
    agency_id: Option<String>,
    #[serde(rename = "entityType", default)]
    entity_type: Option<String>,
    #[serde(default)]
    validity: Option<String>,
}

const CSP: &str = "default-src 'none'; style-src 'self'; frame-src http: https:; form-action 'self'; base-uri 'none'";

/// The form, and once submitted, the widget in a frame.
async fn page(State(k): KState, Query(form): Query<Form>) -> Response {
    let entity = form.entity_id.unwrap_or_else(|| "E-1001".into());
    let agency = form.agency_id.unwrap_or_else(|| "A-42".into());
    let entity_type = form.entity_type.unwrap_or_else(|| "RealEstate".into());
    let validity = form.validity.unwrap_or_default();
    let frame = if ["valid", "invalid", "expired"].contains(&validity.as_str()) {
        let src = k.widget_url(&entity, &agency, &entity_type, &validity);
        format!("<iframe id=\"widget\" src=\"{}\" title=\"Kolibri24 widget\"></iframe>", escape_html(&src))
    } else {
        String::new()
    };
    let field = |name: &str, value: &str| {
        format!("<label>{name} <input name=\"{name}\" value=\"{}\"></label> ", escape_html(value))
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Kolibri24 (simulated)</title>\
         <link rel=\"stylesheet\" href=\"/assets/simulator.css\"></head><body>\
         <h1>Kolibri24 (simulated)</h1><p><a href=\"/\">onOffice</a> · <a href=\"/oneflow\">Oneflow</a></p>\
         <form id=\"open\" method=\"get\" action=\"/kolibri24\">{}{}{}\
         <button name=\"validity\" value=\"valid\" id=\"open-valid\">Open widget</button> \
         <button name=\"validity\" value=\"invalid\" id=\"open-invalid\">Open with a forged signature</button> \
         <button name=\"validity\" value=\"expired\" id=\"open-expired\">Open expired</button></form>\
         <form method=\"post\" action=\"/kolibri24/mode\">validateSignature: \
         <button name=\"mode\" value=\"honest\">answers honestly</button> \
         <button name=\"mode\" value=\"error\">answers 500</button> \
         <button name=\"mode\" value=\"hang\">hangs</button></form>\
         <form method=\"post\" action=\"/kolibri24/send-webhook\">\
         <input type=\"hidden\" name=\"entityId\" value=\"{}\"><input type=\"hidden\" name=\"realEstateAgencyId\" value=\"{}\">\
         <button id=\"send-webhook\">Send an Entity webhook</button></form>\
         <form method=\"post\" action=\"/kolibri24/send-authorization\">\
         <input type=\"hidden\" name=\"realEstateAgencyId\" value=\"{}\">\
         <button name=\"action\" value=\"Revoked\" id=\"revoke-access\">Revoke the app's access</button> \
         <button name=\"action\" value=\"Granted\" id=\"grant-access\">Grant it again</button></form>{frame}</body></html>",
        field("entityId", &entity),
        field("realEstateAgencyId", &agency),
        field("entityType", &entity_type),
        escape_html(&entity),
        escape_html(&agency),
        escape_html(&agency),
    );
    ([(header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// Kolibri24's `validateSignature`: the six values as JSON, `isValid` as the answer.
async fn validate(State(k): KState, Json(body): Json<Value>) -> Response {
    match k.mode.load(Ordering::SeqCst) {
        m if m == ValidatorMode::Error as u8 => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "validation is down (simulated)").into_response()
        }
        m if m == ValidatorMode::Hang as u8 => tokio::time::sleep(Duration::from_secs(30)).await,
        _ => {}
    }
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("").to_string();
    let names = ["entityId", "realEstateAgencyId", "entityType", "validUntil", "signature", "keyVersion"];
    if let Some(missing) = names.iter().find(|n| text(n).is_empty()) {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": format!("`{missing}` is required") }))).into_response();
    }
    let expected = k.sign(
        &text("entityId"),
        &text("realEstateAgencyId"),
        &text("entityType"),
        &text("validUntil"),
        &text("keyVersion"),
    );
    let valid = !text("signature").is_empty() && text("signature") == expected;
    Json(json!({ "isValid": valid })).into_response()
}

#[derive(Deserialize)]
struct ModeForm {
    mode: ValidatorMode,
}

/// Switches how `validateSignature` answers (the page's buttons post `mode=…`).
async fn set_mode(State(k): KState, axum::Form(ModeForm { mode }): axum::Form<ModeForm>) -> Response {
    k.mode.store(mode as u8, Ordering::SeqCst);
    let text = format!("validateSignature now answers: {mode:?}");
    Html(format!("<!DOCTYPE html><p id=\"mode\">{text}</p><p><a href=\"/kolibri24\">back</a></p>")).into_response()
}

#[derive(Deserialize)]
struct WebhookForm {
    #[serde(rename = "entityId")]
    entity_id: String,
    #[serde(rename = "realEstateAgencyId")]
    agency_id: String,
}

/// Posts one `Entity` announcement to the storefront, as Kolibri24's envelope.
async fn send_webhook(State(k): KState, axum::Form(form): axum::Form<WebhookForm>) -> Response {
    let details = json!({"entityId": form.entity_id, "entityType": "RealEstate"});
    let announcement = announcement("Entity", &form.agency_id, "entityDetails", details);
    post_envelope(&k, "EntityUpdated", announcement).await
}

#[derive(Deserialize)]
struct AuthorizationForm {
    #[serde(rename = "realEstateAgencyId")]
    agency_id: String,
    action: String,
}

/// Posts an `Authorization` announcement: the agency revoked or granted the app's access.
async fn send_authorization(State(k): KState, axum::Form(form): axum::Form<AuthorizationForm>) -> Response {
    let details = json!({"action": form.action});
    let announcement = announcement("Authorization", &form.agency_id, "authorizationDetails", details);
    post_envelope(&k, "AuthorizationChanged", announcement).await
}

/// An announcement: the documented top-level fields and the category's details object.
fn announcement(category: &str, agency: &str, details_name: &str, details: Value) -> Value {
    let at = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let mut announcement = json!({"id": crate::random_hex(16), "timeStamp": at, "realEstateAgencyId": agency,
                                  "appClientKey": "marktstand", "category": category});
    announcement[details_name] = details;
    announcement
}

/// The envelope as the webhooks page prints it, with the announcement as a JSON string.
async fn post_envelope(k: &Kolibri24, name: &str, announcement: Value) -> Response {
    let millis = crate::now() * 1000;
    let envelope = json!({"items": [{"webhookId": "sim", "source": "channel.message", "serial": crate::random_hex(8),
        "timestamp": millis, "name": "channel.message", "data": {"channelId": "marktstand", "site": "sim",
        "messages": [{"id": crate::random_hex(12), "name": name, "connectionId": "sim", "timestamp": millis,
                      "data": announcement.to_string()}]}}]});
    let url = crate::on_storefront(&k.storefront, &format!("kolibri24/webhook/{}", k.webhook_token));
    let answer = match reqwest::Client::new().post(url).json(&envelope).send().await {
        Ok(res) => format!("storefront answered HTTP {}", res.status().as_u16()),
        Err(e) => format!("storefront not reachable: {e}"),
    };
    Html(format!(
        "<!DOCTYPE html><p id=\"webhook-result\">{}</p><p><a href=\"/kolibri24\">back</a></p>",
        escape_html(&answer)
    ))
    .into_response()
}
