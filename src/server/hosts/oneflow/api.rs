//! Oneflow's public API, as far as fulfilment needs it: create a contract from a template
//! and publish it (send it to the parties).
//!
//! From Oneflow's documentation (PROTOCOL.md): the base URL `https://api.oneflow.com/v1`;
//! authentication by the headers `x-oneflow-api-token` and `x-oneflow-user-email`; contracts
//! are created from a template with data fields and parties, then published.
//! **Assumptions**, to be checked against Oneflow's reference before production: the paths
//! `POST /contracts/create` and `POST /contracts/{id}/publish`, the body field names
//! (`template_id`, `data_fields[].custom_id`/`value`, `parties[].name`) and the numeric `id`
//! of the created contract in the answer.

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::Duration;

/// One contract to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContract {
    pub template_id: String,
    /// `custom_id` → value for the template's data fields.
    pub data_fields: Vec<(String, String)>,
    /// The counterparty: the customer's office.
    pub party_name: String,
}

/// Why a call failed; `retry` when trying again later may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiFailure {
    pub message: String,
    pub retry: bool,
}

#[derive(Debug)]
pub struct OneflowApi {
    base: String,
    token: SecretString,
    user_email: String,
    client: reqwest::Client,
}

impl OneflowApi {
    pub fn new(base: &str, token: &str, user_email: &str) -> Self {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().expect("HTTP client");
        OneflowApi {
            base: base.trim_end_matches('/').into(),
            token: token.into(),
            user_email: user_email.into(),
            client,
        }
    }

    /// Creates the contract; returns its id.
    pub async fn create(&self, contract: &NewContract) -> Result<String, ApiFailure> {
        let data_fields: Vec<Value> =
            contract.data_fields.iter().map(|(id, value)| json!({"custom_id": id, "value": value})).collect();
        let body = json!({
            "template_id": contract.template_id,
            "data_fields": data_fields,
            "parties": [{"name": contract.party_name, "type": "company"}],
        });
        let answer = self.post("/contracts/create", &body).await?;
        match &answer["id"] {
            Value::Number(n) => Ok(n.to_string()),
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            _ => Err(ApiFailure { message: "Oneflow answered without a contract `id`".into(), retry: false }),
        }
    }

    /// Sends the contract to its parties.
    pub async fn publish(&self, contract_id: &str) -> Result<(), ApiFailure> {
        self.post(&format!("/contracts/{contract_id}/publish"), &json!({})).await.map(drop)
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value, ApiFailure> {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("x-oneflow-api-token", self.token.expose_secret())
            .header("x-oneflow-user-email", &self.user_email)
            .json(body)
            .send()
            .await
            .map_err(|e| ApiFailure { message: format!("Oneflow {path}: {}", e.without_url()), retry: true })?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if !status.is_success() {
            let retry = status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
            let detail: String = text.chars().take(200).collect();
            return Err(ApiFailure { message: format!("Oneflow {path}: HTTP {status}: {detail}"), retry });
        }
        serde_json::from_str(&text).or(Ok(Value::Null))
    }
}
