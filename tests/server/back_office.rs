//! The back office over real HTTP: the admin token is traded for a sign-in that every
//! back-office call and the export accept, and that ends when the admin token changes; a
//! failed webhook delivery is re-queued once by "retry now", with its history kept.

use crate::common::*;
use marktstand::contract::back_office::webhooks::{DeliveryStatus, Requeued, WebhookRow};
use marktstand::contract::back_office::BackOfficeSignIn;
use marktstand::server::jobs::JobError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn sign_in(server: &TestServer, admin_token: &str) -> reqwest::Response {
    post_form(&server.base, "/api/admin_sign_in", &[("admin_token", admin_token)], None).await
}

#[tokio::test]
async fn the_admin_token_is_traded_for_a_sign_in_that_ends_with_it() {
    let db = temp_db();
    let server = start_with(args(&db)).await;
    assert_eq!(sign_in(&server, "wrong").await.status(), 401);
    let answer = decode::<BackOfficeSignIn>(sign_in(&server, ADMIN_TOKEN).await).await;
    let token = answer["token"].as_str().unwrap().to_string();
    assert!(answer["expires_at"].as_i64().unwrap() >= now() + 8 * 3600 - 5, "a working day: {answer}");
    assert!(!token.contains(ADMIN_TOKEN));

    // Every back-office call takes the sign-in in place of the admin token.
    let orders = post_form(&server.base, "/api/admin_orders", &[("admin_token", &token), ("page", "0")], None).await;
    assert_eq!(orders.status(), 200);
    let webhooks = post_form(&server.base, "/api/admin_webhooks", &[("admin_token", &token)], None).await;
    assert_eq!(webhooks.status(), 200);
    let export = reqwest::Client::new()
        .post(format!("{}/admin/orders.csv", server.base))
        .form(&[
            ("token", token.as_str()),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("offset", "0"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    // A sign-in buys no second one (it could otherwise be extended for ever) ...
    assert_eq!(sign_in(&server, &token).await.status(), 401);
    // ... and is no storefront session.
    let catalogue = post_form(&server.base, "/api/catalogue", &[], Some(&token)).await;
    assert_eq!(catalogue.status(), 401);

    // The same server key with a new admin token: everybody is signed out.
    let mut rotated = args(&db);
    rotated.admin_token = Some("the new admin token".into());
    let after = start_with(rotated).await;
    let orders = post_form(&after.base, "/api/admin_orders", &[("admin_token", &token), ("page", "0")], None).await;
    assert_eq!(orders.status(), 401);
}

async fn row(server: &TestServer, id: &str) -> WebhookRow {
    let rows = marktstand::server::store::jobs::recent(&server.state.db, 200, &Default::default()).await.unwrap();
    rows.into_iter().find(|r| r.id == id).expect("listed")
}

async fn settled(server: &TestServer, id: &str, status: DeliveryStatus) -> WebhookRow {
    for _ in 0..200 {
        let r = row(server, id).await;
        if r.status == status {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("delivery {id} never became {status:?}: {:?}", row(server, id).await);
}

async fn retry(server: &TestServer, token: &str, id: &str, round: &str) -> reqwest::Response {
    let form = [("admin_token", token), ("id", id), ("retry_round", round)];
    post_form(&server.base, "/api/admin_retry_webhook", &form, None).await
}

#[tokio::test]
async fn retry_now_queues_a_failed_delivery_once_and_keeps_its_history() {
    // Fails for good on its first call ("the template is missing"), then succeeds: what a
    // provider fixes elsewhere and then retries.
    let calls = Arc::new(AtomicUsize::new(0));
    let first = || JobError::Permanent("the template is missing".into());
    let server = start_with_handler("contract", FailsFirst { name: "fails_once", calls: calls.clone(), first }).await;
    let url = "http://shop.test:8443/webhooks/contract?customerWebId=4711&userId=17";
    let path = signing::url::sign_url(SECRET.as_bytes(), url, now()).unwrap().split_once("8443").unwrap().1.to_string();
    let accepted: serde_json::Value =
        reqwest::get(format!("{}{path}", server.base)).await.unwrap().json().await.unwrap();
    let id = accepted["id"].as_str().unwrap().to_string();
    let failed = settled(&server, &id, DeliveryStatus::Failed).await;
    assert_eq!((failed.retry_round, failed.last_error.as_deref()), (0, Some("the template is missing")));

    // The provider's list narrowed by host, service and status.
    let listed = |filter: &'static [(&'static str, &'static str)]| {
        let base = server.base.clone();
        async move {
            let mut form = vec![("admin_token", ADMIN_TOKEN)];
            form.extend_from_slice(filter);
            let rows = decode::<Vec<WebhookRow>>(post_form(&base, "/api/admin_webhooks", &form, None).await).await;
            rows.as_array().unwrap().len()
        }
    };
    assert_eq!(
        listed(&[("filter[status]", "failed"), ("filter[host]", "onoffice"), ("filter[service]", "contract")]).await,
        1
    );
    assert_eq!(listed(&[("filter[status]", "done")]).await, 0);
    assert_eq!(listed(&[("filter[host]", "kolibri24")]).await, 0);
    assert_eq!(listed(&[("filter[service]", "other")]).await, 0);

    assert_eq!(retry(&server, "wrong", &id, "0").await.status(), 401);
    assert_eq!(retry(&server, ADMIN_TOKEN, "no-such-delivery", "0").await.status(), 404);
    // Two clicks on the same row (or two tabs): one new round.
    assert_eq!(decode::<Requeued>(retry(&server, ADMIN_TOKEN, &id, "0").await).await, "Now");
    assert_eq!(decode::<Requeued>(retry(&server, ADMIN_TOKEN, &id, "0").await).await, "Already");
    let done = settled(&server, &id, DeliveryStatus::Done).await;
    assert_eq!((done.retry_round, done.attempts, done.last_error.as_deref()), (1, 1, None));
    assert_eq!(done.retried_by.as_deref(), Some("127.0.0.1"));
    assert!(done.retried_at.unwrap() >= failed.received_at);
    let history: Vec<_> =
        done.history.iter().map(|a| (a.retry_round, a.attempt, a.outcome, a.error.as_deref())).collect();
    assert_eq!(
        history,
        [(0, 1, DeliveryStatus::Failed, Some("the template is missing")), (1, 1, DeliveryStatus::Done, None)]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2, "ran once per round");
    // Only a failed delivery can be retried; a done one says so.
    let refused = retry(&server, ADMIN_TOKEN, &id, "1").await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("only a failed delivery can be retried; this one is done"));
}

#[tokio::test]
async fn the_overview_counts_todays_orders_and_sums_what_was_paid() {
    let server = start().await;
    let paid = placed_order(&server).await;
    let unpaid = placed_order(&server).await;
    let res = reqwest::get(format!("{}{}", server.base, callback(&paid, "status=success&transactionid=T1", now())))
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    assert_eq!((status_of(&server, &paid).await, status_of(&server, &unpaid).await), ("success", "pending"));
    let total = marktstand::server::store::orders::order(&server.state.db, &paid.as_str().into())
        .await
        .unwrap()
        .unwrap()
        .total_cents;

    let overview = |token: &'static str, offset: &'static str| {
        let base = server.base.clone();
        async move { post_form(&base, "/api/admin_overview", &[("admin_token", token), ("offset", offset)], None).await }
    };
    assert_eq!(overview("wrong", "60").await.status(), 401);
    let refused = overview(ADMIN_TOKEN, "900").await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("offset 900 is not a time zone"));

    let o = decode::<marktstand::contract::back_office::Overview>(overview(ADMIN_TOKEN, "60").await).await;
    assert_eq!(o["today"], serde_json::json!({"orders": 2, "revenue_cents": total}), "{o}");
    assert_eq!(o["by_status"], serde_json::json!([["pending", 1], ["success", 1]]));
    let days = o["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["by_host"], serde_json::json!([["onoffice", {"orders": 2, "revenue_cents": total}]]));
}

async fn listed(server: &TestServer, filter: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("admin_token", ADMIN_TOKEN), ("page", "0")];
    form.extend_from_slice(filter);
    post_form(&server.base, "/api/admin_orders", &form, None).await
}

async fn ids(server: &TestServer, filter: &[(&str, &str)]) -> Vec<String> {
    let page = decode::<marktstand::contract::back_office::orders::OrderPage>(listed(server, filter).await).await;
    page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn orders_are_found_by_status_text_and_day_and_show_every_callback() {
    let server = start().await;
    let paid = placed_order(&server).await;
    let open = placed_order(&server).await;
    let get = |path: String| {
        let base = server.base.clone();
        async move { reqwest::get(format!("{base}{path}")).await.unwrap().status().as_u16() }
    };
    // Tampered after signing: refused, and recorded with the reason for the provider.
    let good = callback(&paid, "status=success&transactionid=T1", now());
    assert_eq!(get(good.replace("T1", "T2")).await, 401);
    // The same for an order that does not exist: refused and not recorded anywhere.
    assert_eq!(get(callback("no-such-order", "status=success", now()).replace("success", "error")).await, 401);
    // The real one, then the same URL again: one callback.
    assert_eq!(get(good.clone()).await, 200);
    assert_eq!(get(good).await, 200);

    assert_eq!(ids(&server, &[("filter[status]", "success")]).await, [paid.as_str()]);
    assert_eq!(ids(&server, &[("filter[status]", "pending")]).await, [open.as_str()]);
    assert_eq!(ids(&server, &[("filter[search]", &paid)]).await, [paid.as_str()]);
    let mut both = ids(&server, &[("filter[search]", "MUSTERfirma")]).await;
    both.sort();
    let mut expected = [open.clone(), paid.clone()];
    expected.sort();
    assert_eq!(both, expected, "part of the name, in any case");
    assert!(ids(&server, &[("filter[search]", "%")]).await.is_empty(), "% is a character, not a wildcard");
    let today = time::OffsetDateTime::from_unix_timestamp(now()).unwrap().date().to_string();
    let day = [("filter[from]", today.as_str()), ("filter[to]", today.as_str()), ("filter[offset]", "0")];
    assert_eq!(ids(&server, &day).await.len(), 2);
    let tomorrow =
        (time::OffsetDateTime::from_unix_timestamp(now()).unwrap().date() + time::Duration::days(1)).to_string();
    assert!(ids(&server, &[("filter[from]", tomorrow.as_str())]).await.is_empty());
    let backwards = listed(&server, &[("filter[from]", tomorrow.as_str()), ("filter[to]", today.as_str())]).await;
    assert_eq!(backwards.status(), 400);

    let detail = |id: String| {
        let base = server.base.clone();
        async move { post_form(&base, "/api/admin_order", &[("admin_token", ADMIN_TOKEN), ("id", &id)], None).await }
    };
    assert_eq!(detail("no-such-order".into()).await.status(), 404);
    let d = decode::<marktstand::contract::back_office::OrderDetail>(detail(paid.clone()).await).await;
    let timeline = d["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 4, "{d}");
    assert!(timeline[0]["Created"].is_object());
    let callbacks: Vec<_> =
        timeline[1..3].iter().map(|e| (e["Callback"]["outcome"].clone(), e["Callback"]["detail"].clone())).collect();
    assert!(callbacks.contains(&("Refused".into(), "signature_mismatch".into())), "{d}");
    assert!(callbacks.contains(&("Applied".into(), "success".into())), "{d}");
    assert_eq!(
        timeline[3]["Status"],
        serde_json::json!({"at": timeline[3]["Status"]["at"], "from": "pending", "to": "success", "reference": "T1"})
    );
    assert_eq!(d["row"]["user_id"], "17");
    let unpaid = decode::<marktstand::contract::back_office::OrderDetail>(detail(open).await).await;
    assert_eq!(unpaid["timeline"].as_array().unwrap().len(), 1, "only created: {unpaid}");
}
