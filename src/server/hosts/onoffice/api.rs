//! Client for the onOffice API: activation (`unlockProvider`) and reading the customer's
//! estates and addresses with the customer's own API user.
//!
//! Every request carries one signed action (`hmac_version` 2). A call succeeds only when the
//! top-level `status.code` is 200 and the action's `status.errorcode` is 0; everything else
//! becomes an [`ApiError`] that keeps onOffice's own message, because that message is what an
//! administrator can act on.

use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

pub use super::api_error::{ApiError, Problem};
use crate::server::hosts::json::text;
use serde_json::{json, Map, Value};
pub use signing::api::{ACTION_DO, ACTION_MODIFY, ACTION_READ};

/// A slow onOffice must not hold an activation or a page open for long.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Estate fields the storefront shows; onOffice returns only the fields asked for in `data`.
const ESTATE_FIELDS: [&str; 7] = ["Id", "objekttitel", "strasse", "hausnummer", "plz", "ort", "objektnr_extern"];
const ADDRESS_FIELDS: [&str; 6] = ["Id", "Vorname", "Name", "Strasse", "Plz", "Ort"];

/// One customer's API user. The secret signs actions and never leaves this process (nor a
/// log line: `Debug` shows it redacted).
#[derive(Clone, Debug)]
pub struct Credentials {
    pub token: String,
    pub secret: SecretString,
}

/// One record of an action's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub kind: String,
    pub elements: Value,
}

pub struct ApiClient {
    endpoint: String,
    http: reqwest::Client,
}

impl ApiClient {
    /// A client for the API at `endpoint` (e.g. `https://api.onoffice.de/api/stable/api.php`).
    ///
    /// Panics only when the TLS backend cannot start, as `reqwest::Client::new` does.
    pub fn new(endpoint: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .build()
            .expect("the HTTP client starts");
        Self { endpoint: endpoint.into(), http }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends one signed action and returns its records.
    pub async fn call(
        &self,
        creds: &Credentials,
        actionid: &str,
        resourcetype: &str,
        resourceid: &str,
        identifier: &str,
        parameters: Map<String, Value>,
    ) -> Result<Vec<Record>, ApiError> {
        let body = request_body(
            creds,
            actionid,
            resourcetype,
            resourceid,
            identifier,
            parameters,
            crate::server::clock::now(),
        );
        let response = self
            .http
            .post(&self.endpoint)
            .json(&body)
            .send()
            .await
            .map_err(|e| ApiError::Transport(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| ApiError::Transport(e.without_url().to_string()))?;
        parse_answer(status, &text, actionid)
    }

    /// Unlocks the provider for the customer (activation). onOffice answers `success`.
    pub async fn unlock_provider(
        &self,
        creds: &Credentials,
        parameter_cache_id: &str,
        extendedclaim: &str,
    ) -> Result<(), ApiError> {
        let mut params = Map::new();
        params.insert("extendedclaim".into(), json!(extendedclaim));
        params.insert("parameterCacheId".into(), json!(parameter_cache_id));
        let records = self.call(creds, ACTION_DO, "unlockProvider", "", "", params).await?;
        match records.first().map(|r| &r.elements["success"]) {
            Some(Value::String(s)) if s == "success" => Ok(()),
            _ => Err(ApiError::Unexpected("unlockProvider did not answer success".into())),
        }
    }

    /// The estate's fields; `estatelanguage` is the launch's `language`, for foreign-language
    /// versions of an estate.
    pub async fn read_estate(
        &self,
        creds: &Credentials,
        estate_id: &str,
        extendedclaim: &str,
        estatelanguage: Option<&str>,
    ) -> Result<Value, ApiError> {
        let mut params = read_params(&ESTATE_FIELDS, extendedclaim);
        if let Some(language) = estatelanguage.filter(|l| !l.is_empty()) {
            params.insert("estatelanguage".into(), json!(language));
        }
        self.read_one(creds, "estate", estate_id, params).await
    }

    /// The address's fields.
    pub async fn read_address(
        &self,
        creds: &Credentials,
        address_id: &str,
        extendedclaim: &str,
    ) -> Result<Value, ApiError> {
        let params = read_params(&ADDRESS_FIELDS, extendedclaim);
        self.read_one(creds, "address", address_id, params).await
    }

    async fn read_one(
        &self,
        creds: &Credentials,
        resourcetype: &str,
        id: &str,
        params: Map<String, Value>,
    ) -> Result<Value, ApiError> {
        if id.is_empty() {
            return Err(ApiError::Unexpected(format!("no {resourcetype} id to read")));
        }
        let records = self.call(creds, ACTION_READ, resourcetype, id, "", params).await?;
        let record = records.into_iter().next().ok_or_else(|| ApiError::Action {
            errorcode: super::api_error::UNKNOWN_RECORD,
            message: format!("{resourcetype} {id} not found or not readable by this API user"),
        })?;
        // Shown to the agent as the property they opened: another record must never be.
        if record.id != id {
            return Err(ApiError::Unexpected(format!(
                "asked for {resourcetype} {id}, onOffice answered {}",
                record.id
            )));
        }
        Ok(record.elements)
    }

    /// Writes `fields` into the estate (`modify`, as onOffice's API documents it), in the
    /// language version `estatelanguage` when given, for the service call whose `apiClaim`
    /// is `extendedclaim` (when there is one).
    pub async fn modify_estate(
        &self,
        creds: &Credentials,
        estate_id: &str,
        fields: Map<String, Value>,
        extendedclaim: Option<&str>,
        estatelanguage: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut params = Map::new();
        params.insert("data".into(), Value::Object(fields));
        if let Some(claim) = extendedclaim.filter(|c| !c.is_empty()) {
            params.insert("extendedclaim".into(), json!(claim));
        }
        if let Some(language) = estatelanguage.filter(|l| !l.is_empty()) {
            params.insert("estatelanguage".into(), json!(language));
        }
        self.call(creds, ACTION_MODIFY, "estate", estate_id, "", params).await.map(drop)
    }
}

/// Every read made for a service call carries that call's `apiClaim` as `extendedclaim`.
fn read_params(fields: &[&str], extendedclaim: &str) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("data".into(), json!(fields));
    params.insert("extendedclaim".into(), json!(extendedclaim));
    params
}

/// The request for one signed action. Parameters are sorted by key, as onOffice requires;
/// sorted explicitly so a map that keeps insertion order could not break it.
pub fn request_body(
    creds: &Credentials,
    actionid: &str,
    resourcetype: &str,
    resourceid: &str,
    identifier: &str,
    parameters: Map<String, Value>,
    timestamp: i64,
) -> Value {
    let mut pairs: Vec<(String, Value)> = parameters.into_iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let parameters: Map<String, Value> = pairs.into_iter().collect();
    let hmac = signing::api_action_hmac(
        creds.secret.expose_secret().as_bytes(),
        timestamp,
        &creds.token,
        resourcetype,
        actionid,
    );
    json!({
        "token": creds.token,
        "request": { "actions": [{
            "actionid": actionid,
            "resourceid": resourceid,
            "identifier": identifier,
            "resourcetype": resourcetype,
            "timestamp": timestamp,
            "hmac_version": 2,
            "hmac": hmac,
            "parameters": parameters,
        }]},
    })
}

/// Reads onOffice's answer: the body decides when it has an onOffice status, whatever the
/// HTTP status; the HTTP status decides only when it has none.
pub fn parse_answer(http_status: u16, body: &str, actionid: &str) -> Result<Vec<Record>, ApiError> {
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) if !(200..300).contains(&http_status) => return Err(ApiError::Http { status: http_status }),
        Err(e) => return Err(ApiError::Unexpected(format!("the answer is not JSON ({e})"))),
    };
    let status = &value["status"];
    let Some(code) = int(&status["code"]) else {
        if !(200..300).contains(&http_status) {
            return Err(ApiError::Http { status: http_status });
        }
        return Err(ApiError::Unexpected("the answer has no status.code".into()));
    };
    let results = value["response"]["results"].as_array().map(Vec::as_slice).unwrap_or_default();
    if code != 200 {
        // "Error in action" (97) at the top names the cause in the action's own status.
        if let Some((errorcode, message)) = results.iter().find_map(|r| {
            let errorcode = int(&r["status"]["errorcode"]).filter(|&c| c != 0)?;
            Some((errorcode, text(&r["status"]["message"])))
        }) {
            return Err(ApiError::Action { errorcode, message });
        }
        let (errorcode, message) = (int(&status["errorcode"]).unwrap_or(0), text(&status["message"]));
        return Err(ApiError::Status { code, errorcode, message });
    }
    if !(200..300).contains(&http_status) {
        return Err(ApiError::Http { status: http_status });
    }
    let result = results
        .iter()
        .find(|r| r["actionid"] == actionid)
        .or(results.first())
        .ok_or_else(|| ApiError::Unexpected("the answer has no result for the action".into()))?;
    let Some(errorcode) = int(&result["status"]["errorcode"]) else {
        return Err(ApiError::Unexpected("the action's result has no status.errorcode".into()));
    };
    if errorcode != 0 {
        return Err(ApiError::Action { errorcode, message: text(&result["status"]["message"]) });
    }
    let records = result["data"]["records"].as_array().map(Vec::as_slice).unwrap_or_default();
    Ok(records
        .iter()
        .map(|r| Record { id: text(&r["id"]), kind: text(&r["type"]), elements: r["elements"].clone() })
        .collect())
}

/// onOffice sends numbers sometimes as JSON numbers, sometimes as strings.
fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use hmac::{Hmac, Mac};

    fn creds() -> Credentials {
        Credentials { token: "tok-123".into(), secret: "sec-456".into() }
    }

    fn body() -> Value {
        let mut params = Map::new();
        params.insert("parameterCacheId".into(), json!("cache"));
        params.insert("extendedclaim".into(), json!("claim"));
        params.insert("data".into(), json!(["Id"]));
        request_body(&creds(), ACTION_DO, "unlockProvider", "", "", params, 1_700_000_000)
    }

    #[test]
    fn the_action_has_onoffices_shape_and_sorted_parameters() {
        let body = body();
        assert_eq!(body["token"], "tok-123");
        let actions = body["request"]["actions"].as_array().unwrap();
        assert_eq!(actions.len(), 1);
        let action = actions[0].as_object().unwrap();
        let mut keys: Vec<&str> = action.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let expected =
            ["actionid", "hmac", "hmac_version", "identifier", "parameters", "resourceid", "resourcetype", "timestamp"];
        assert_eq!(keys, expected);
        assert_eq!(action["hmac_version"], 2);
        assert_eq!(action["timestamp"], 1_700_000_000);
        assert_eq!(action["actionid"], ACTION_DO);
        let wire = serde_json::to_string(&action["parameters"]).unwrap();
        assert_eq!(wire, r#"{"data":["Id"],"extendedclaim":"claim","parameterCacheId":"cache"}"#);
        assert!(!serde_json::to_string(&body).unwrap().contains("sec-456"), "the secret is never sent");
    }

    #[test]
    fn the_hmac_agrees_with_an_independent_computation() {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"sec-456").unwrap();
        mac.update(format!("1700000000tok-123unlockProvider{ACTION_DO}").as_bytes());
        let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(body()["request"]["actions"][0]["hmac"], expected);
    }

    #[test]
    fn a_modify_action_is_built_as_the_official_sdk_builds_it() {
        // tests/fixtures/hosts/onoffice: the published modify example and the SDK's test user.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hosts/onoffice/api-modify-estate.json");
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let user = &fixture["test_credentials"];
        let creds = Credentials { token: text(&user["token"]), secret: text(&user["secret"]).into() };
        // The SDK's own test vector (tests/RequestTest.php): the same HMAC, another action.
        let get = "urn:onoffice-de-ns:smart:2.5:smartml:action:get";
        let sdk = signing::api_action_hmac(
            creds.secret.expose_secret().as_bytes(),
            123_456_789,
            &creds.token,
            "estateCategories",
            get,
        );
        assert_eq!(sdk, "dsvg3r4AFcQXges0MZ+3auzQVfnEB39pLkKSgmm9Wvg=");
        let expected = &fixture["request_action_as_sdk_sends"];
        let parameters = expected["parameters"].as_object().unwrap().clone();
        let body = request_body(&creds, ACTION_MODIFY, "estate", "116", "", parameters, 123_456_789);
        assert_eq!(&body["request"]["actions"][0], expected);
        assert_eq!(body["token"], creds.token);
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?}", creds());
        assert!(shown.contains("tok-123") && !shown.contains("sec-456"));
    }

    #[test]
    fn answers_become_records_or_typed_errors() {
        let ok = r#"{"status":{"code":200,"errorcode":0,"message":"OK"},"response":{"results":[
            {"actionid":"a","status":{"errorcode":0,"message":"OK"},
             "data":{"meta":{"cntabsolute":1},"records":[{"id":7,"type":null,"elements":{"x":1}}]}}]}}"#;
        let records = parse_answer(200, ok, "a").unwrap();
        assert_eq!(records, vec![Record { id: "7".into(), kind: String::new(), elements: json!({"x": 1}) }]);

        let refused = r#"{"status":{"code":200,"errorcode":0,"message":"OK"},"response":{"results":[
            {"actionid":"a","status":{"errorcode":"22","message":"not authenticated"}}]}}"#;
        match parse_answer(200, refused, "a") {
            Err(ApiError::Action { errorcode: 22, message }) => assert_eq!(message, "not authenticated"),
            other => panic!("{other:?}"),
        }
        let top = r#"{"status":{"code":400,"errorcode":22,"message":"not authenticated"}}"#;
        assert!(matches!(parse_answer(400, top, "a"), Err(ApiError::Status { code: 400, errorcode: 22, .. })));
        assert!(matches!(parse_answer(502, "<html>", "a"), Err(ApiError::Http { status: 502 })));
        assert!(matches!(parse_answer(200, "{}", "a"), Err(ApiError::Unexpected(_))));
    }
}
