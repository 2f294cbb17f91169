//! A Oneflow stand-in: the two API calls fulfilment makes (create a contract from a
//! template, publish it), checked for Oneflow's two headers, and a page listing the
//! contracts with buttons that send Oneflow's signed notification (`signature` =
//! `sha1(callback_id + sign_key)`) to the storefront, or a wrongly signed one. An outage
//! switch makes the API answer 503, as a provider sees when Oneflow is down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::onoffice::page::escape_html;

/// One contract the storefront created here.
#[derive(Clone, Debug)]
pub struct Contract {
    pub id: u64,
    pub template_id: String,
    pub party: String,
    pub published: bool,
    /// The last notification sent for it, and the storefront's answer.
    pub last_event: Option<String>,
}

pub struct Oneflow {
    storefront: url::Url,
    api_token: String,
    user_email: String,
    sign_key: String,
    contracts: Mutex<Vec<Contract>>,
    /// While set, every API call answers 503.
    down: AtomicBool,
}

impl Oneflow {
    pub fn new(storefront: url::Url, api_token: String, user_email: String, sign_key: String) -> Self {
        Oneflow {
            storefront,
            api_token,
            user_email,
            sign_key,
            contracts: Mutex::new(Vec::new()),
            down: AtomicBool::new(false),
        }
    }

    pub fn contracts(&self) -> Vec<Contract> {
        self.contracts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub use signing::oneflow::signature;

type OState = State<Arc<Oneflow>>;

pub fn router(state: Arc<Oneflow>) -> Router {
    Router::new()
        .route("/oneflow", get(page))
        .route("/oneflow/v1/contracts/create", post(create))
        .route("/oneflow/v1/contracts/{id}/publish", post(publish))
        .route("/oneflow/notify", post(notify))
        .route("/oneflow/availability", post(availability))
        .with_state(state)
}

fn authorised(o: &Oneflow, headers: &HeaderMap) -> bool {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    h("x-oneflow-api-token") == o.api_token && h("x-oneflow-user-email") == o.user_email
}

/// The answer of every API call during a simulated outage.
fn unavailable(o: &Oneflow) -> Option<Response> {
    o.down.load(Ordering::SeqCst).then(|| {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"error": "Oneflow is unavailable (simulated outage)"})))
            .into_response()
    })
}

#[derive(Deserialize)]
struct AvailabilityForm {
    /// `1` starts the outage, anything else ends it.
    down: String,
}

/// Starts or ends the simulated outage; back to the list.
async fn availability(State(o): OState, axum::Form(form): axum::Form<AvailabilityForm>) -> Response {
    o.down.store(form.down == "1", Ordering::SeqCst);
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/oneflow")]).into_response()
}

fn refused() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"error": "x-oneflow-api-token or x-oneflow-user-email is wrong"})))
        .into_response()
}

async fn create(State(o): OState, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(down) = unavailable(&o) {
        return down;
    }
    if !authorised(&o, &headers) {
        return refused();
    }
    let Some(template_id) = body["template_id"].as_str().filter(|t| !t.is_empty()) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": "template_id is required"}))).into_response();
    };
    let party = body["parties"][0]["name"].as_str().unwrap_or("").to_string();
    let mut contracts = o.contracts.lock().unwrap_or_else(|e| e.into_inner());
    let id = 9000 + contracts.len() as u64 + 1;
    contracts.push(Contract { id, template_id: template_id.into(), party, published: false, last_event: None });
    tracing::info!(id, template_id, "Oneflow contract created");
    Json(json!({"id": id, "state": "draft"})).into_response()
}

async fn publish(State(o): OState, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if let Some(down) = unavailable(&o) {
        return down;
    }
    if !authorised(&o, &headers) {
        return refused();
    }
    let mut contracts = o.contracts.lock().unwrap_or_else(|e| e.into_inner());
    match contracts.iter_mut().find(|c| c.id == id) {
        Some(c) => {
            c.published = true;
            Json(json!({"id": id, "state": "pending"})).into_response()
        }
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "no such contract"}))).into_response(),
    }
}

const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'";

/// The contracts created so far, with the notification buttons.
async fn page(State(o): OState) -> Response {
    let rows: String = o
        .contracts()
        .iter()
        .map(|c| {
            let button = |event: &str, label: &str| {
                format!(
                    "<form method=\"post\" action=\"/oneflow/notify\"><input type=\"hidden\" name=\"contract\" value=\"{}\">\
                     <button name=\"event\" value=\"{event}\" class=\"{event}\">{label}</button></form>",
                    c.id
                )
            };
            format!(
                "<tr class=\"contract\" data-contract=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}{}</td><td class=\"last\">{}</td></tr>",
                c.id,
                c.id,
                escape_html(&c.template_id),
                escape_html(&c.party),
                if c.published { "sent" } else { "draft" },
                button("signed", "Signed"),
                button("declined", "Declined"),
                button("forged", "Wrongly signed"),
                escape_html(c.last_event.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let outage = if o.down.load(Ordering::SeqCst) {
        "<form method=\"post\" action=\"/oneflow/availability\"><p id=\"availability\" data-down=\"true\">\
         The API answers 503. <button id=\"outage-end\" name=\"down\" value=\"0\">End the outage</button></p></form>"
    } else {
        "<form method=\"post\" action=\"/oneflow/availability\"><p id=\"availability\" data-down=\"false\">\
         The API is up. <button id=\"outage-start\" name=\"down\" value=\"1\">Simulate an outage</button></p></form>"
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Oneflow (simulated)</title>\
         <link rel=\"stylesheet\" href=\"/assets/simulator.css\"></head><body>\
         <h1>Oneflow (simulated)</h1><p><a href=\"/\">onOffice</a> · <a href=\"/kolibri24\">Kolibri24</a></p>{outage}\
         <table id=\"contracts\"><thead><tr><th>id</th><th>template</th><th>party</th><th>state</th><th>notify</th><th>last notification</th></tr></thead>\
         <tbody>{rows}</tbody></table></body></html>"
    );
    ([(header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

#[derive(Deserialize)]
struct NotifyForm {
    contract: u64,
    /// `signed`, `declined`, or `forged` (signed, with a wrong signature).
    event: String,
}

/// Sends Oneflow's notification for a contract to the storefront; back to the list.
async fn notify(State(o): OState, axum::Form(form): axum::Form<NotifyForm>) -> Response {
    let callback_id = crate::random_hex(10);
    let (event, sig) = match form.event.as_str() {
        "declined" => ("contract:decline", signature(&callback_id, &o.sign_key)),
        "forged" => ("contract:sign", signature(&callback_id, "not the sign key")),
        _ => ("contract:sign", signature(&callback_id, &o.sign_key)),
    };
    let body = json!({"callback_id": callback_id, "signature": sig, "contract": {"id": form.contract},
                      "events": [{"type": event, "created_time": crate::now()}]});
    let url = crate::on_storefront(&o.storefront, "oneflow/webhook");
    let answer = match reqwest::Client::new().post(url).json(&body).send().await {
        Ok(res) => format!("{} → HTTP {}", form.event, res.status().as_u16()),
        Err(e) => format!("{} → storefront not reachable: {e}", form.event),
    };
    if let Some(c) = o.contracts.lock().unwrap_or_else(|e| e.into_inner()).iter_mut().find(|c| c.id == form.contract) {
        c.last_event = Some(answer);
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/oneflow")]).into_response()
}
