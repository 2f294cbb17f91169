//! The same storage behaviour on the embedded SQLite default and on PostgreSQL.
//! The PostgreSQL URL comes from `MARKTSTAND_TEST_POSTGRES` (scripts/test starts a server);
//! without it the PostgreSQL half fails, unless `MARKTSTAND_SKIP_POSTGRES=1` says to skip.

use marktstand::contract::host::Host;
use marktstand::contract::orders::{OrderKind, OrderStatus};
use marktstand::server::store::{self, orders::StoredOrder, orders::Transition};

fn order(id: &str, key: &str, created_at: i64) -> StoredOrder {
    StoredOrder {
        id: id.into(),
        idempotency_key: key.into(),
        customer_web_id: "4711".into(),
        customer_name: "Müller & Söhne <GmbH>".into(),
        user_id: "17".into(),
        group_id: None,
        estate_id: Some("815".into()),
        address_id: None,
        parameter_cache_id: "pc".into(),
        user_language: Some("DEU".into()),
        kind: OrderKind::Products,
        items: "{\"kind\":\"products\",\"lines\":[]}".into(),
        image_ids: "[\"5\"]".into(),
        total_cents: 12_345,
        status: OrderStatus::Pending,
        transaction_id: None,
        message: None,
        created_at,
        updated_at: created_at,
        host: Host::Kolibri24,
        entity_type: Some("RealEstate".into()),
        contract_id: Some("4711".into()),
        fulfilment: None,
        reported_status: None,
        reported_reference: None,
        reported_at: None,
    }
}

async fn exercise(url: &str) {
    let db = store::connect(url).await.unwrap_or_else(|e| panic!("connect {url}: {e}"));
    // Migrations are idempotent: a second start (another replica) finds the schema in place.
    store::connect(url).await.expect("second connect");
    let suffix = format!("{}-{}", std::process::id(), crate::common::now());
    let key = format!("key-{suffix}");
    let first = store::orders::insert(&db, &order(&format!("a-{suffix}"), &key, 100)).await.unwrap();
    let second = store::orders::insert(&db, &order(&format!("b-{suffix}"), &key, 101)).await.unwrap();
    assert_eq!(first, second, "same idempotency key, same order");
    assert_eq!(first.customer_name, "Müller & Söhne <GmbH>");
    assert_eq!(first.total_cents, 12_345);
    let step =
        |to, reference, key: &'static str, at| Transition { to, reference, message: Some("ok"), callback_key: key, at };
    let (k1, k2, k3) = leak3(&suffix);
    // SEPA: in process first, settled later; then final.
    let moved = store::orders::transition(&db, &first.id, &step(OrderStatus::Inprocess, None, k1, 200)).await.unwrap();
    assert_eq!(moved, Some(OrderStatus::Pending));
    let moved =
        store::orders::transition(&db, &first.id, &step(OrderStatus::Success, Some("T-9"), k2, 250)).await.unwrap();
    assert_eq!(moved, Some(OrderStatus::Inprocess));
    let refused = store::orders::transition(&db, &first.id, &step(OrderStatus::Error, None, k3, 300)).await.unwrap();
    assert_eq!(refused, None, "success is final");
    let stored = store::orders::order(&db, &first.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.transaction_id.as_deref(), stored.updated_at),
        (OrderStatus::Success, Some("T-9"), 250)
    );
    let events = store::orders::order_events(&db, &first.id).await.unwrap();
    assert_eq!(
        events,
        vec![
            (200, "pending".into(), "inprocess".into(), None),
            (250, "inprocess".into(), "success".into(), Some("T-9".into()))
        ]
    );
    // The result page's session is claimed once per callback that moved the order.
    assert!(store::orders::claim_result_session(&db, &first.id, k2).await.unwrap());
    assert!(!store::orders::claim_result_session(&db, &first.id, k2).await.unwrap());
    assert!(!store::orders::claim_result_session(&db, &first.id, k3).await.unwrap());
    assert!(store::orders::order(&db, &"missing".into()).await.unwrap().is_none());
    let listed = store::orders::list(&db, &Default::default(), 1000, 0).await.unwrap();
    assert!(listed.iter().any(|o| o.id == first.id));
    // The back office's search, in the same SQL on both databases: by id, by part of the
    // name in another case, with `%` and `_` taken literally, and by status and time.
    let found = |text: &'static str, status: Option<OrderStatus>, created: Option<(i64, i64)>| {
        let db = db.clone();
        async move {
            let search = store::orders::OrderSearch { text: Some(text), status, created };
            store::orders::list(&db, &search, 1000, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|o| o.id.to_string())
                .collect::<Vec<_>>()
        }
    };
    let id: &'static str = Box::leak(first.id.to_string().into_boxed_str());
    assert_eq!(found(id, None, None).await, [id]);
    assert!(found("SÖHNE <gmbh", None, None).await.contains(&first.id.to_string()));
    assert!(found("& S", Some(OrderStatus::Success), Some((100, 101))).await.contains(&first.id.to_string()));
    assert!(!found(id, Some(OrderStatus::Pending), None).await.contains(&first.id.to_string()));
    assert!(!found(id, None, Some((0, 100))).await.contains(&first.id.to_string()), "created at 100: outside [0, 100)");
    let window = Some((100, 101));
    assert!(found("%", None, window).await.is_empty() && found("_", None, window).await.is_empty());

    // Callbacks for the order's timeline: once per URL, refused ones only up to the bound.
    use marktstand::contract::back_office::CallbackOutcome;
    use marktstand::server::orders::log::{record, MAX_PER_OUTCOME};
    for i in 0..MAX_PER_OUTCOME + 5 {
        record(&db, &format!("order={id}&n={i}"), &first.id, 300, CallbackOutcome::Refused, "signature_mismatch").await;
    }
    record(&db, &format!("order={id}&ok"), &first.id, 301, CallbackOutcome::Applied, "success").await;
    record(&db, &format!("order={id}&ok"), &first.id, 302, CallbackOutcome::Repeated, "success").await;
    let outcomes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT outcome, COUNT(*) FROM order_callbacks WHERE order_id = $1 GROUP BY outcome ORDER BY outcome",
    )
    .bind(id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(outcomes, [("applied".to_string(), 1), ("refused".to_string(), MAX_PER_OUTCOME)]);
}

/// Callback keys unique to this run (PostgreSQL keeps rows between runs).
fn leak3(suffix: &str) -> (&'static str, &'static str, &'static str) {
    let leak = |n: u8| -> &'static str { Box::leak(format!("cb{n}-{suffix}").into_boxed_str()) };
    (leak(1), leak(2), leak(3))
}

/// Two replicas applying different callbacks to one order at once: exactly one moves it.
async fn concurrent_transitions(url: &str) {
    let db = store::connect(url).await.unwrap();
    let suffix = format!("c-{}-{}", std::process::id(), crate::common::now());
    let first = store::orders::insert(&db, &order(&format!("c-{suffix}"), &format!("ck-{suffix}"), 100)).await.unwrap();
    let keys: Vec<&'static str> = (0..8).map(|i| &*Box::leak(format!("race{i}-{suffix}").into_boxed_str())).collect();
    let tasks: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let (db, id, key) = (db.clone(), first.id.clone(), *key);
            let to = if i % 2 == 0 { OrderStatus::Success } else { OrderStatus::Error };
            tokio::spawn(async move {
                let step = Transition { to, reference: None, message: None, callback_key: key, at: 200 };
                store::orders::transition(&db, &id, &step).await.unwrap()
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| r.is_some()).count(), 1, "{results:?}");
    assert_eq!(store::orders::order_events(&db, &first.id).await.unwrap().len(), 1);
}

/// Kolibri24 and Oneflow deliveries through the real server on this database: each stored
/// once under the host's own id, a broken message kept as failed with its reason.
async fn inbound_pipeline(url: &str) {
    let mut a = crate::common::args(url);
    a.kolibri24.webhook_tokens = Some("pipeline-token".into());
    a.oneflow.sign_key = Some("pipeline-key".into());
    let server = crate::common::start_with(a).await;
    let suffix = format!("{}-{}", std::process::id(), crate::common::now());
    let (good, broken, callback) = (format!("k-{suffix}"), format!("kb-{suffix}"), format!("o-{suffix}"));
    let envelope = serde_json::json!({"items": [{"data": {"messages": [
        {"id": good, "name": "x", "data": "{\"category\":\"Notification\"}"},
        {"id": broken, "name": "x", "data": "{oops"},
    ]}}]});
    let signature = marktstand::server::hosts::oneflow::notification::signature(&callback, "pipeline-key");
    let notification =
        serde_json::json!({"callback_id": callback, "signature": signature, "contract": {"id": 1}, "events": []});
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let k = client
            .post(format!("{}/kolibri24/webhook/pipeline-token", server.base))
            .json(&envelope)
            .send()
            .await
            .unwrap();
        assert_eq!(k.status(), 200);
        let o = client.post(format!("{}/oneflow/webhook", server.base)).json(&notification).send().await.unwrap();
        assert_eq!(o.status(), 200);
    }
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT dedupe_key, host, status, last_error FROM webhook_deliveries WHERE dedupe_key IN ($1, $2, $3) ORDER BY dedupe_key",
    )
    .bind(format!("kolibri24:{good}"))
    .bind(format!("kolibri24:{broken}"))
    .bind(format!("oneflow:{callback}"))
    .fetch_all(&server.state.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let broken_row = rows.iter().find(|r| r.0.ends_with(&broken)).unwrap();
    assert_eq!((broken_row.1.as_str(), broken_row.2.as_str()), ("kolibri24", "failed"));
    assert!(broken_row.3.as_deref().unwrap().starts_with("`data` is not JSON"));
    assert!(rows.iter().any(|r| r.1 == "oneflow"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn storage_on_sqlite() {
    let url = crate::common::temp_db();
    exercise(&url).await;
    concurrent_transitions(&url).await;
    inbound_pipeline(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn storage_on_postgres() {
    if let Some(url) = crate::common::postgres() {
        exercise(&url).await;
        concurrent_transitions(&url).await;
        inbound_pipeline(&url).await;
    }
}
