//! The same storage behaviour on the embedded SQLite default and on PostgreSQL.
//! The PostgreSQL URL comes from `MARKTSTAND_TEST_POSTGRES` (scripts/test starts a server);
//! without it the PostgreSQL half fails, unless `MARKTSTAND_SKIP_POSTGRES=1` says to skip.
#![cfg(feature = "ssr")]

mod common;
use marktstand::server::storage::{self, StoredOrder};

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
        kind: "products".into(),
        items: "{\"kind\":\"products\",\"lines\":[]}".into(),
        image_ids: "[\"5\"]".into(),
        total_cents: 12_345,
        status: "pending".into(),
        transaction_id: None,
        message: None,
        created_at,
        updated_at: created_at,
    }
}

async fn exercise(url: &str) {
    let db = storage::connect(url).await.unwrap_or_else(|e| panic!("connect {url}: {e}"));
    // Migrations are idempotent: a second start (another replica) finds the schema in place.
    storage::connect(url).await.expect("second connect");
    let suffix = format!("{}-{}", std::process::id(), common::now());
    let key = format!("key-{suffix}");
    let first = storage::insert_order(&db, &order(&format!("a-{suffix}"), &key, 100)).await.unwrap();
    let second = storage::insert_order(&db, &order(&format!("b-{suffix}"), &key, 101)).await.unwrap();
    assert_eq!(first, second, "same idempotency key, same order");
    assert_eq!(first.customer_name, "Müller & Söhne <GmbH>");
    assert_eq!(first.total_cents, 12_345);
    assert!(storage::finish_order(&db, &first.id, "success", Some("T-9"), Some("ok"), 200).await.unwrap());
    assert!(!storage::finish_order(&db, &first.id, "error", None, None, 300).await.unwrap(), "only once");
    let stored = storage::order(&db, &first.id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.transaction_id.as_deref(), stored.updated_at), ("success", Some("T-9"), 200));
    assert!(storage::order(&db, "missing").await.unwrap().is_none());
    let listed = storage::list_orders(&db, 1000).await.unwrap();
    assert!(listed.iter().any(|o| o.id == first.id));
}

#[tokio::test]
async fn storage_on_sqlite() {
    exercise(&common::temp_db()).await;
}

#[tokio::test]
async fn storage_on_postgres() {
    match std::env::var("MARKTSTAND_TEST_POSTGRES") {
        Ok(url) => exercise(&url).await,
        Err(_) if std::env::var("MARKTSTAND_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!("PostgreSQL half skipped on request (MARKTSTAND_SKIP_POSTGRES=1)");
        }
        Err(_) => panic!("set MARKTSTAND_TEST_POSTGRES=postgres://… (scripts/test starts one) or MARKTSTAND_SKIP_POSTGRES=1"),
    }
}
