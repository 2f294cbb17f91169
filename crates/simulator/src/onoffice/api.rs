//! `POST /api/stable/api.php`: a stand-in for the onOffice API, so activation
//! and data reads can run locally against the same process that plays
//! enterprise.
//!
//! It checks every action the way the documented contract says (token known,
//! `hmac_version` 2, HMAC over `timestamp + token + resourcetype + actionid`,
//! fresh timestamp, `extendedclaim` on reads) and answers in onOffice's
//! envelope: `{"status":{code,errorcode,message},"response":{"results":[…]}}`.
//!
//! Failures, by level, with the codes and messages onOffice clients list (the envelopes are
//! kept in the server's `tests/fixtures/hosts/onoffice/api-error-responses.json`; onOffice
//! documents the envelope, code 97 and the status codes, not every number):
//!
//! | level  | status.code | errorcode | message |
//! |--------|-------------|-----------|---------|
//! | top    | 400 | 20  | invalid JSON or request structure (number ours) |
//! | top    | 400 | 22  | Not authenticated (unknown token) |
//! | top    | 500 | 97  | Error in action, with the action's own status below |
//! | action | —   | 137 | The HMAC is invalid. (also for `hmac_version` other than 2) |
//! | action | —   | 136 | Your timestamp is too old or your server time is wrong. |
//! | action | —   | 30  | unknown actionid / resourcetype (number ours) |
//! | action | —   | 31  | parameter parameterCacheId is required (number ours) |
//! | action | —   | 193 | Parameter extendedclaim is required, but missing, empty or invalid |
//! | action | —   | 201 | Parameter "extendedclaim" is outdated (switch) |
//! | action | —   | 149 | No read permission for this estate (switch) |
//! | action | —   | 293 | Unknown estate record id. … (switch, and for estate id `0`) |
//!
//! A failed action makes the whole answer `status.code` 500 / errorcode 97, sent with HTTP
//! 200 (the HTTP status onOffice sends with it is not published; a client that reads the
//! body handles either). Top-level failures without results are sent with their HTTP status.
//!
//! `modify` on `estate` writes `parameters.data` into the estate; later reads return the
//! written values, and `GET /api/_estates` lists them.
//!
//! Test controls, only on the simulator (onOffice has nothing like them):
//! `POST /api/_fail`, `GET /api/_recorded`, `POST /api/_reset`.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::now;

/// Where onOffice serves its stable API; the simulator uses the same path.
pub const API_PATH: &str = "/api/stable/api.php";
pub use signing::api::{ACTION_DO, ACTION_MODIFY, ACTION_READ};
/// How far an action's timestamp may be from the simulator's clock.
pub const MAX_SKEW_SECS: i64 = 300;

pub const ERR_MALFORMED: i64 = 20;
pub const ERR_NOT_AUTHENTICATED: i64 = 22;
pub const ERR_IN_ACTION: i64 = 97;
pub const ERR_HMAC: i64 = 137;
pub const ERR_TIMESTAMP: i64 = 136;
pub const ERR_UNKNOWN_ACTION: i64 = 30;
pub const ERR_PARAMETER_CACHE_ID: i64 = 31;
pub const ERR_EXTENDEDCLAIM: i64 = 193;
pub const ERR_CLAIM_OUTDATED: i64 = 201;
pub const ERR_NO_PERMISSION: i64 = 149;
pub const ERR_UNKNOWN_RECORD: i64 = 293;

/// The switches of `POST /api/_fail` by name (`problem`), with onOffice's code and message.
pub const PROBLEMS: [(&str, i64, &str); 5] = [
    ("hmac", ERR_HMAC, "The HMAC is invalid."),
    ("timestamp", ERR_TIMESTAMP, "Your timestamp is too old or your server time is wrong."),
    ("claim", ERR_CLAIM_OUTDATED, "Parameter \"extendedclaim\" is outdated"),
    ("permission", ERR_NO_PERMISSION, "No read permission for this estate"),
    ("unknown_record", ERR_UNKNOWN_RECORD, UNKNOWN_RECORD),
];

const UNKNOWN_RECORD: &str =
    "Unknown estate record id. Record may not exist or the permission rights are not set accordingly for this action.";

/// `POST /api/_fail`: the next `times` requests (with `status_code`) or
/// actions (with only `errorcode`, or a `problem` from [`PROBLEMS`]) fail this way.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FailRequest {
    /// A named switch: `hmac`, `timestamp`, `claim`, `permission`, `unknown_record`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// A top-level failure: `status.code` and the HTTP status (400–599).
    pub status_code: Option<u16>,
    /// An action-level failure, or the top-level errorcode with `status_code`.
    pub errorcode: Option<i64>,
    #[serde(default)]
    pub message: String,
    pub times: u32,
}

/// One action as the simulator received it, for `GET /api/_recorded`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RecordedAction {
    pub token: String,
    pub actionid: String,
    pub resourcetype: String,
    pub resourceid: String,
    pub parameters: Value,
    pub hmac_valid: bool,
}

struct Shared {
    users: Vec<(String, String)>,
    state: Mutex<Scripted>,
}

#[derive(Default)]
struct Scripted {
    fail: Option<FailRequest>,
    recorded: Vec<RecordedAction>,
    /// Values written with `modify`, by estate id.
    estates: std::collections::BTreeMap<String, Map<String, Value>>,
}

impl Shared {
    /// A panic in one handler must not wedge the test controls for the rest.
    fn lock(&self) -> MutexGuard<'_, Scripted> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type ApiState = State<Arc<Shared>>;

/// The API routes with their own state, merged into the simulator's router.
pub fn router(users: Vec<(String, String)>) -> Router {
    let shared = Arc::new(Shared { users, state: Mutex::new(Scripted::default()) });
    Router::new()
        .route(API_PATH, post(handle))
        .route("/api/_fail", post(fail))
        .route("/api/_recorded", get(recorded))
        .route("/api/_estates", get(estates))
        .route("/api/_reset", post(reset))
        .with_state(shared)
}

async fn estates(State(shared): ApiState) -> Json<Value> {
    Json(json!(shared.lock().estates))
}

async fn fail(State(shared): ApiState, Json(mut request): Json<FailRequest>) -> Response {
    if let Some(name) = request.problem.take() {
        let Some((_, code, message)) = PROBLEMS.iter().find(|(n, _, _)| *n == name) else {
            let known: Vec<&str> = PROBLEMS.iter().map(|p| p.0).collect();
            let error = format!("unknown problem `{name}`; known: {}", known.join(", "));
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response();
        };
        (request.errorcode, request.message) = (Some(*code), message.to_string());
    }
    let valid_status = request.status_code.is_none_or(|c| (400..=599).contains(&c));
    if !valid_status || (request.status_code.is_none() && request.errorcode.is_none()) {
        let error = "give status_code (400-599) and/or errorcode";
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response();
    }
    shared.lock().fail = Some(request);
    StatusCode::NO_CONTENT.into_response()
}

async fn recorded(State(shared): ApiState) -> Json<Vec<RecordedAction>> {
    Json(shared.lock().recorded.clone())
}

async fn reset(State(shared): ApiState) -> StatusCode {
    *shared.lock() = Scripted::default();
    StatusCode::NO_CONTENT
}

/// One action, read leniently: onOffice's own examples send numbers as strings.
struct Action {
    actionid: String,
    resourceid: String,
    identifier: String,
    resourcetype: String,
    timestamp: Option<i64>,
    hmac_version: Option<i64>,
    hmac: String,
    parameters: Map<String, Value>,
}

async fn handle(State(shared): ApiState, body: Bytes) -> Response {
    let Some((token, actions)) = parse_request(&body) else {
        return top_level(400, ERR_MALFORMED, "invalid JSON or request structure");
    };
    let secret = shared.users.iter().find(|(t, _)| *t == token).map(|(_, s)| s.clone());
    let now = now();
    let mut state = shared.lock();
    for action in &actions {
        state.recorded.push(RecordedAction {
            token: token.clone(),
            actionid: action.actionid.clone(),
            resourcetype: action.resourcetype.clone(),
            resourceid: action.resourceid.clone(),
            parameters: Value::Object(action.parameters.clone()),
            hmac_valid: secret.as_deref().is_some_and(|s| hmac_valid(s, &token, action)),
        });
    }
    if let Some(f) = take_failure(&mut state, true) {
        let code = f.status_code.unwrap_or(500);
        return top_level(code, f.errorcode.unwrap_or(0), &f.message);
    }
    let Some(secret) = secret else {
        return top_level(400, ERR_NOT_AUTHENTICATED, "not authenticated");
    };
    let results: Vec<Value> = actions
        .iter()
        .map(|action| match take_failure(&mut state, false) {
            Some(f) => failed(action, f.errorcode.unwrap_or(0), &f.message),
            None => answer(&mut state, &secret, &token, action, now),
        })
        .collect();
    let any_failed = results.iter().any(|r| r["status"]["errorcode"] != 0);
    let status = match any_failed {
        true => json!({ "code": 500, "errorcode": ERR_IN_ACTION, "message": "Error in action" }),
        false => json!({ "code": 200, "errorcode": 0, "message": "OK" }),
    };
    Json(json!({ "status": status, "response": { "results": results } })).into_response()
}

/// Consumes one scripted failure of the wanted level, if one is pending.
fn take_failure(state: &mut Scripted, top_level: bool) -> Option<FailRequest> {
    let pending = state.fail.as_mut()?;
    if pending.times == 0 || pending.status_code.is_some() != top_level {
        return None;
    }
    pending.times -= 1;
    let taken = pending.clone();
    if pending.times == 0 {
        state.fail = None;
    }
    Some(taken)
}

fn parse_request(body: &[u8]) -> Option<(String, Vec<Action>)> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let token = value.get("token")?.as_str()?.to_owned();
    let actions = value.get("request")?.get("actions")?.as_array()?;
    let actions = actions.iter().map(parse_action).collect::<Option<Vec<_>>>()?;
    Some((token, actions))
}

fn parse_action(value: &Value) -> Option<Action> {
    let text = |key: &str| match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let int = |key: &str| match value.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let parameters = match value.get("parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        // PHP encodes an empty array as `[]`.
        Some(Value::Array(list)) if list.is_empty() => Map::new(),
        Some(_) => return None,
    };
    Some(Action {
        actionid: value.get("actionid")?.as_str()?.to_owned(),
        resourceid: text("resourceid"),
        identifier: text("identifier"),
        resourcetype: text("resourcetype"),
        timestamp: int("timestamp"),
        hmac_version: int("hmac_version"),
        hmac: text("hmac"),
        parameters,
    })
}

fn hmac_valid(secret: &str, token: &str, action: &Action) -> bool {
    let Some(timestamp) = action.timestamp else {
        return false;
    };
    let expected =
        signing::api_action_hmac(secret.as_bytes(), timestamp, token, &action.resourcetype, &action.actionid);
    action.hmac_version == Some(2) && expected == action.hmac
}

/// Checks one action in the order onOffice would, then serves it.
fn answer(state: &mut Scripted, secret: &str, token: &str, action: &Action, now: i64) -> Value {
    if !hmac_valid(secret, token, action) {
        return failed(action, ERR_HMAC, "The HMAC is invalid.");
    }
    if action.timestamp.is_none_or(|t| (now - t).abs() > MAX_SKEW_SECS) {
        return failed(action, ERR_TIMESTAMP, "Your timestamp is too old or your server time is wrong.");
    }
    let param = |key: &str| action.parameters.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    let known = matches!(
        (action.actionid.as_str(), action.resourcetype.as_str()),
        (ACTION_DO, "unlockProvider") | (ACTION_READ, "estate" | "address") | (ACTION_MODIFY, "estate")
    );
    if !known {
        return failed(action, ERR_UNKNOWN_ACTION, "unknown actionid / resourcetype");
    }
    if param("extendedclaim").is_none() {
        return failed(action, ERR_EXTENDEDCLAIM, "Parameter extendedclaim is required, but missing, empty or invalid");
    }
    if action.actionid == ACTION_DO {
        if param("parameterCacheId").is_none() {
            return failed(action, ERR_PARAMETER_CACHE_ID, "parameter parameterCacheId is required");
        }
        let record = json!({ "id": 0, "type": "", "elements": { "success": "success" } });
        return result(action, false, Value::Null, vec![record], 0, "OK");
    }
    if action.resourceid.is_empty() && action.actionid == ACTION_READ {
        return result(action, true, json!(0), Vec::new(), 0, "OK");
    }
    let id = action.resourceid.as_str();
    if id == "0" || id.is_empty() {
        return failed(action, ERR_UNKNOWN_RECORD, UNKNOWN_RECORD);
    }
    if action.actionid == ACTION_MODIFY {
        let Some(Value::Object(data)) = action.parameters.get("data") else {
            return failed(action, ERR_MALFORMED, "parameter data is required");
        };
        state.estates.entry(id.to_string()).or_default().extend(data.clone());
        let record = json!({ "id": id, "type": "estate", "elements": { "success": "success" } });
        return result(action, false, Value::Null, vec![record], 0, "OK");
    }
    let mut elements = if action.resourcetype == "estate" {
        json!({
            "Id": id, "objekttitel": "Helle 3-Zimmer-Wohnung am Park",
            "strasse": "Parkallee", "hausnummer": "12", "plz": "20144",
            "ort": "Hamburg", "objektnr_extern": format!("HH-{id}"),
        })
    } else {
        json!({
            "Id": id, "Vorname": "Erika", "Name": "Mustermann",
            "Strasse": "Lindenweg 5", "Plz": "50667", "Ort": "Köln",
        })
    };
    if action.resourcetype == "estate" {
        for (field, value) in state.estates.get(id).into_iter().flatten() {
            elements[field] = value.clone();
        }
    }
    if let (Some(language), "estate") = (param("estatelanguage"), action.resourcetype.as_str()) {
        elements["language"] = json!(language);
    }
    // onOffice sends numeric record ids as numbers.
    let record_id = id.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(id));
    let record = json!({ "id": record_id, "type": action.resourcetype, "elements": elements });
    result(action, true, json!(1), vec![record], 0, "OK")
}

fn failed(action: &Action, errorcode: i64, message: &str) -> Value {
    result(action, false, Value::Null, Vec::new(), errorcode, message)
}

fn result(
    action: &Action,
    cacheable: bool,
    cntabsolute: Value,
    records: Vec<Value>,
    errorcode: i64,
    message: &str,
) -> Value {
    json!({
        "actionid": action.actionid,
        "resourceid": action.resourceid,
        "resourcetype": action.resourcetype,
        "cacheable": cacheable,
        "identifier": action.identifier,
        "data": { "meta": { "cntabsolute": cntabsolute }, "records": records },
        "status": { "errorcode": errorcode, "message": message },
    })
}

/// A failure of the whole request: no results, HTTP status = `status.code`.
fn top_level(code: u16, errorcode: i64, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "status": { "code": code, "errorcode": errorcode, "message": message },
        "response": { "results": [] },
    });
    (status, Json(body)).into_response()
}
