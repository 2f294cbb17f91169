//! How the onOffice API refuses, and what each refusal means for whom: a key that no longer
//! works (the customer activates again), one launch's outdated claim, a record the API user
//! may not see, our clock. Codes as onOffice clients list them; the envelopes onOffice
//! answers with are kept in `tests/fixtures/hosts/onoffice/api-error-responses.json`.

/// Why a call failed, with the text to show an operator or administrator.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the onOffice API could not be reached ({0}); check the API endpoint setting and the network, then retry")]
    Transport(String),
    #[error("the onOffice API answered HTTP {status} without an onOffice status; check that the API endpoint points at api.php, or retry later")]
    Http { status: u16 },
    #[error("onOffice refused the request (status {code}, error {errorcode}: {message}); {}", Problem::of(*.errorcode, Some(*.code)).advice())]
    Status { code: i64, errorcode: i64, message: String },
    #[error("onOffice refused the action (error {errorcode}: {message}); {}", Problem::of(*.errorcode, None).advice())]
    Action { errorcode: i64, message: String },
    #[error("unexpected answer from the onOffice API: {0}; check that the API endpoint points at api.php")]
    Unexpected(String),
}

/// What onOffice's refusal means. Only [`Problem::Authentication`] says anything about the
/// customer's key; the rest concern one launch, one record or our clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The token or the HMAC (the key) is not valid: the customer must activate again.
    Authentication,
    /// Our timestamp was refused: this server's clock is off.
    Clock,
    /// The service call's `apiClaim` is missing, outdated or not this user's.
    Claim,
    /// The API user may not read or change this record.
    Permission,
    /// No such record (or not visible to the API user).
    UnknownRecord,
    /// Anything else onOffice refused: a fault of ours or a record's data.
    Other,
    /// onOffice failed on its side (5xx): retry later.
    Server,
}

/// onOffice's code for a record that does not exist or is not visible to the API user.
pub const UNKNOWN_RECORD: i64 = 293;

impl Problem {
    /// The meaning of onOffice's `errorcode` (codes as onOffice clients list them; see
    /// tests/fixtures/hosts/onoffice), with the top-level `code` for one it does not name.
    pub fn of(errorcode: i64, code: Option<i64>) -> Self {
        match errorcode {
            22 | 137 | 243 => Problem::Authentication,
            136 => Problem::Clock,
            193 | 201 | 248 => Problem::Claim,
            149 | 174 | 262 => Problem::Permission,
            UNKNOWN_RECORD => Problem::UnknownRecord,
            _ => match code {
                Some(400..=499) => Problem::Authentication,
                Some(500..) => Problem::Server,
                _ => Problem::Other,
            },
        }
    }

    /// What to do about it, for an operator.
    pub fn advice(self) -> &'static str {
        match self {
            Problem::Authentication => {
                "the API token or key is not valid: the customer must activate the service again"
            }
            Problem::Clock => "onOffice refused our timestamp: check this server's clock (NTP)",
            Problem::Claim => {
                "the apiClaim of the service call is missing or outdated: reopen the service from onOffice"
            }
            Problem::Permission => "the customer's API user lacks the right for this record: grant it in onOffice",
            Problem::UnknownRecord => "the record does not exist or is not visible to the customer's API user",
            Problem::Other => "see onOffice's message",
            Problem::Server => "a fault at onOffice: retry later",
        }
    }
}

impl ApiError {
    /// What onOffice's refusal means; None where onOffice did not answer with a refusal.
    pub fn problem(&self) -> Option<Problem> {
        match self {
            ApiError::Status { code, errorcode, .. } => Some(Problem::of(*errorcode, Some(*code))),
            ApiError::Action { errorcode, .. } => Some(Problem::of(*errorcode, None)),
            ApiError::Transport(_) | ApiError::Http { .. } | ApiError::Unexpected(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::parse_answer;
    use super::*;
    use serde_json::Value;

    fn fixture() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hosts/onoffice/api-error-responses.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn onoffice_s_published_refusals_keep_the_action_s_own_code_and_meaning() {
        let responses = &fixture()["responses"];
        let expected = [
            ("not_authenticated_22", 22, Problem::Authentication),
            ("hmac_137", 137, Problem::Authentication),
            ("timestamp_136", 136, Problem::Clock),
            ("claim_outdated_201", 201, Problem::Claim),
            ("claim_missing_193", 193, Problem::Claim),
            ("read_permission_149", 149, Problem::Permission),
            ("write_right_262", 262, Problem::Permission),
            ("estate_not_found_293", 293, Problem::UnknownRecord),
            ("mixed_two_actions_ok_then_137", 137, Problem::Authentication),
        ];
        for (name, code, problem) in expected {
            let response = &responses[name];
            let http = response["status"]["code"].as_u64().unwrap() as u16;
            let err = parse_answer(http, &response.to_string(), "urn:onoffice-de-ns:smart:2.5:smartml:action:read")
                .expect_err(name);
            let errorcode = match &err {
                ApiError::Action { errorcode, .. } | ApiError::Status { errorcode, .. } => *errorcode,
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!((errorcode, err.problem()), (code, Some(problem)), "{name}: {err}");
            assert!(!err.to_string().contains("Error in action)"), "{name}: the action's message is kept: {err}");
        }
        assert!(parse_answer(200, &responses["success_published_example"].to_string(), "x").is_ok());
    }

    #[test]
    fn only_authentication_asks_for_a_new_activation() {
        for code in [22, 137, 243] {
            assert!(Problem::of(code, None).advice().contains("activate"), "{code}");
        }
        for code in [136, 149, 193, 201, 293] {
            assert!(!Problem::of(code, None).advice().contains("activate"), "{code}");
        }
        assert_eq!(Problem::of(97, Some(500)), Problem::Server);
        assert_eq!(Problem::of(5, Some(400)), Problem::Authentication);
    }
}
