//! The stand-in onOffice API over real HTTP, signed with the signing crate the
//! storefront itself uses.

use std::time::{SystemTime, UNIX_EPOCH};

use marktstand_simulator::onoffice::api::{
    ACTION_DO, ACTION_MODIFY, ACTION_READ, API_PATH, ERR_EXTENDEDCLAIM, ERR_HMAC, ERR_NOT_AUTHENTICATED, ERR_TIMESTAMP,
    ERR_UNKNOWN_RECORD, PROBLEMS,
};
use marktstand_simulator::{SimConfig, DEMO_API_SECRET, DEMO_API_TOKEN};
use serde_json::{json, Value};

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn start() -> String {
    let config = SimConfig::new("http://127.0.0.1:3000/", b"provider secret".to_vec()).unwrap();
    marktstand_simulator::spawn_on_loopback(config).await
}

/// One signed action, as an onOffice client builds it.
fn action(
    secret: &str,
    timestamp: i64,
    actionid: &str,
    resourcetype: &str,
    resourceid: &str,
    parameters: Value,
) -> Value {
    let hmac = signing::api_action_hmac(secret.as_bytes(), timestamp, DEMO_API_TOKEN, resourcetype, actionid);
    json!({
        "actionid": actionid, "resourceid": resourceid, "identifier": "",
        "resourcetype": resourcetype, "timestamp": timestamp, "hmac_version": 2,
        "hmac": hmac, "parameters": parameters,
    })
}

/// Posts a request; returns (HTTP status, body).
async fn call(base: &str, token: &str, actions: Vec<Value>) -> (u16, Value) {
    let body = json!({ "token": token, "request": { "actions": actions } });
    let res = reqwest::Client::new().post(format!("{base}{API_PATH}")).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn unlock(secret: &str) -> Value {
    let params = json!({ "extendedclaim": "claim-1", "parameterCacheId": "cache-1" });
    action(secret, now(), ACTION_DO, "unlockProvider", "", params)
}

fn first_result(body: &Value) -> &Value {
    &body["response"]["results"][0]
}

#[tokio::test]
async fn a_correctly_signed_unlock_succeeds() {
    let base = start().await;
    let (status, body) = call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET)]).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], json!({ "code": 200, "errorcode": 0, "message": "OK" }));
    let result = first_result(&body);
    assert_eq!(result["actionid"], ACTION_DO);
    assert_eq!(result["resourcetype"], "unlockProvider");
    assert_eq!(result["status"]["errorcode"], 0);
    assert_eq!(result["data"]["records"][0]["elements"]["success"], "success");
}

#[tokio::test]
async fn a_wrong_secret_gives_the_hmac_errorcode() {
    let base = start().await;
    let (status, body) = call(&base, DEMO_API_TOKEN, vec![unlock("not the secret")]).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], json!({ "code": 500, "errorcode": 97, "message": "Error in action" }));
    let result = first_result(&body);
    assert_eq!(result["status"]["errorcode"], ERR_HMAC);
    assert!(result["status"]["message"].as_str().unwrap().contains("HMAC"));
    assert_eq!(result["data"]["records"], json!([]));
}

#[tokio::test]
async fn unknown_tokens_stale_timestamps_and_bad_bodies_are_refused() {
    let base = start().await;
    let (status, body) = call(&base, "someone-else", vec![unlock(DEMO_API_SECRET)]).await;
    assert_eq!((status, body["status"]["code"].clone()), (400, json!(400)));
    assert_eq!(body["status"]["errorcode"], ERR_NOT_AUTHENTICATED);

    let params = json!({ "extendedclaim": "c", "parameterCacheId": "p" });
    let stale = action(DEMO_API_SECRET, now() - 3600, ACTION_DO, "unlockProvider", "", params);
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![stale]).await;
    assert_eq!(first_result(&body)["status"]["errorcode"], ERR_TIMESTAMP);

    let res = reqwest::Client::new().post(format!("{base}{API_PATH}")).body("{not json").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"]["code"], 400);
}

#[tokio::test]
async fn reads_need_extendedclaim_and_echo_the_language() {
    let base = start().await;
    let bare = action(DEMO_API_SECRET, now(), ACTION_READ, "estate", "815", json!({}));
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![bare]).await;
    assert_eq!(first_result(&body)["status"]["errorcode"], ERR_EXTENDEDCLAIM);

    let params = json!({ "estatelanguage": "ENG", "extendedclaim": "claim-1" });
    let estate = action(DEMO_API_SECRET, now(), ACTION_READ, "estate", "815", params);
    let address = action(DEMO_API_SECRET, now(), ACTION_READ, "address", "42", json!({ "extendedclaim": "claim-1" }));
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![estate, address]).await;
    let estate = &body["response"]["results"][0]["data"]["records"][0];
    assert_eq!(estate["id"], 815);
    assert_eq!(estate["elements"]["objekttitel"], "Helle 3-Zimmer-Wohnung am Park");
    assert_eq!(estate["elements"]["objektnr_extern"], "HH-815");
    assert_eq!(estate["elements"]["language"], "ENG");
    let address = &body["response"]["results"][1]["data"]["records"][0];
    assert_eq!(address["elements"]["Name"], "Mustermann");
    assert_eq!(address["elements"]["Ort"], "Köln");
}

#[tokio::test]
async fn fail_scripts_the_next_answers_and_reset_clears_it() {
    let base = start().await;
    let http = reqwest::Client::new();
    let script = |body: Value| http.post(format!("{base}/api/_fail")).json(&body).send();

    let res = script(json!({ "errorcode": 77, "message": "kaputt", "times": 1 })).await.unwrap();
    assert_eq!(res.status(), 204);
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET)]).await;
    assert_eq!(first_result(&body)["status"], json!({ "errorcode": 77, "message": "kaputt" }));
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET)]).await;
    assert_eq!(first_result(&body)["status"]["errorcode"], 0, "only `times` answers fail");

    script(json!({ "status_code": 500, "message": "server error", "times": 2 })).await.unwrap();
    let (status, body) = call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET)]).await;
    assert_eq!((status, body["status"]["code"].clone()), (500, json!(500)));
    assert_eq!(body["status"]["message"], "server error");
    http.post(format!("{base}/api/_reset")).send().await.unwrap();
    let (status, _) = call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET)]).await;
    assert_eq!(status, 200, "reset drops the remaining scripted failure");

    let res = script(json!({ "message": "neither", "times": 1 })).await.unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn recorded_lists_every_action_with_its_hmac_verdict() {
    let base = start().await;
    call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET), unlock("wrong")]).await;
    let recorded: Value = reqwest::get(format!("{base}/api/_recorded")).await.unwrap().json().await.unwrap();
    let list = recorded.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["token"], DEMO_API_TOKEN);
    assert_eq!(list[0]["actionid"], ACTION_DO);
    assert_eq!(list[0]["resourcetype"], "unlockProvider");
    assert_eq!(list[0]["resourceid"], "");
    assert_eq!(list[0]["parameters"]["parameterCacheId"], "cache-1");
    assert_eq!(list[0]["hmac_valid"], true);
    assert_eq!(list[1]["hmac_valid"], false);

    reqwest::Client::new().post(format!("{base}/api/_reset")).send().await.unwrap();
    let recorded: Value = reqwest::get(format!("{base}/api/_recorded")).await.unwrap().json().await.unwrap();
    assert_eq!(recorded, json!([]));
}

#[tokio::test]
async fn modify_writes_what_later_reads_return_and_refuses_what_onoffice_refuses() {
    let base = start().await;
    let claim = json!({ "extendedclaim": "claim-1", "data": { "marktwert_indikativ": 304500 } });
    let modify = action(DEMO_API_SECRET, now(), ACTION_MODIFY, "estate", "815", claim.clone());
    let (status, body) = call(&base, DEMO_API_TOKEN, vec![modify]).await;
    assert_eq!((status, first_result(&body)["status"]["errorcode"].clone()), (200, json!(0)), "{body}");
    let read = action(DEMO_API_SECRET, now(), ACTION_READ, "estate", "815", json!({ "extendedclaim": "claim-1" }));
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![read]).await;
    assert_eq!(first_result(&body)["data"]["records"][0]["elements"]["marktwert_indikativ"], 304500);
    let shown: Value = reqwest::get(format!("{base}/api/_estates")).await.unwrap().json().await.unwrap();
    assert_eq!(shown, json!({ "815": { "marktwert_indikativ": 304500 } }));

    // As onOffice answers a failed action: 97 at the top, the cause in the action.
    let unknown = action(DEMO_API_SECRET, now(), ACTION_MODIFY, "estate", "0", claim.clone());
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![unknown]).await;
    assert_eq!(body["status"]["errorcode"], 97);
    assert_eq!(first_result(&body)["status"]["errorcode"], ERR_UNKNOWN_RECORD);
    let no_data = action(DEMO_API_SECRET, now(), ACTION_MODIFY, "estate", "815", json!({ "extendedclaim": "c" }));
    let (_, body) = call(&base, DEMO_API_TOKEN, vec![no_data]).await;
    assert_ne!(first_result(&body)["status"]["errorcode"], 0);
}

#[tokio::test]
async fn each_refusal_has_a_switch_with_onoffice_s_code_and_message() {
    let base = start().await;
    let http = reqwest::Client::new();
    for (problem, code, message) in PROBLEMS {
        let res = http.post(format!("{base}/api/_fail")).json(&json!({ "problem": problem, "times": 1 })).send();
        assert_eq!(res.await.unwrap().status(), 204, "{problem}");
        let (_, body) = call(&base, DEMO_API_TOKEN, vec![unlock(DEMO_API_SECRET)]).await;
        assert_eq!(first_result(&body)["status"], json!({ "errorcode": code, "message": message }), "{problem}");
    }
    let res = http.post(format!("{base}/api/_fail")).json(&json!({ "problem": "nope", "times": 1 })).send();
    assert_eq!(res.await.unwrap().status(), 400);
}
