//! Storage: one SQL database through `sqlx`'s `Any` driver, so the same queries run on the
//! embedded SQLite default and on PostgreSQL (`DATABASE_URL=postgres://…`) for replicas.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub type Db = AnyPool;

/// Connects and brings the schema up to date (migrations are idempotent and run at start).
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 4 } else { 16 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if is_sqlite {
                    // WAL lets readers and the writer work at once; a commit is durable on
                    // disk before we answer (synchronous=FULL for WAL keeps that promise).
                    conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// An order as stored. `items` is the priced order as JSON, `image_ids` a JSON list.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredOrder {
    pub id: String,
    pub idempotency_key: String,
    pub customer_web_id: String,
    pub customer_name: String,
    pub user_id: String,
    pub group_id: Option<String>,
    pub estate_id: Option<String>,
    pub address_id: Option<String>,
    pub parameter_cache_id: String,
    pub user_language: Option<String>,
    pub kind: String,
    pub items: String,
    pub image_ids: String,
    pub total_cents: i64,
    pub status: String,
    pub transaction_id: Option<String>,
    pub message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Inserts `order` unless its idempotency key exists; returns the stored one either way,
/// so a double click or a retry yields the same order.
pub async fn insert_order(db: &Db, order: &StoredOrder) -> Result<StoredOrder, sqlx::Error> {
    sqlx::query(
        "INSERT INTO orders (id, idempotency_key, customer_web_id, customer_name, user_id, group_id, \
         estate_id, address_id, parameter_cache_id, user_language, kind, items, image_ids, total_cents, status, \
         transaction_id, message, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&order.id)
    .bind(&order.idempotency_key)
    .bind(&order.customer_web_id)
    .bind(&order.customer_name)
    .bind(&order.user_id)
    .bind(&order.group_id)
    .bind(&order.estate_id)
    .bind(&order.address_id)
    .bind(&order.parameter_cache_id)
    .bind(&order.user_language)
    .bind(&order.kind)
    .bind(&order.items)
    .bind(&order.image_ids)
    .bind(order.total_cents)
    .bind(&order.status)
    .bind(&order.transaction_id)
    .bind(&order.message)
    .bind(order.created_at)
    .bind(order.updated_at)
    .execute(db)
    .await?;
    sqlx::query_as("SELECT * FROM orders WHERE idempotency_key = $1")
        .bind(&order.idempotency_key)
        .fetch_one(db)
        .await
}

pub async fn order(db: &Db, id: &str) -> Result<Option<StoredOrder>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM orders WHERE id = $1").bind(id).fetch_optional(db).await
}

/// Moves a pending order to its final status. Returns false when it was not pending any more
/// (a repeated callback), in which case nothing changes.
pub async fn finish_order(
    db: &Db,
    id: &str,
    status: &str,
    reference: Option<&str>,
    message: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET status = $1, transaction_id = $2, message = $3, updated_at = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status)
    .bind(reference)
    .bind(message)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Newest first.
pub async fn list_orders(db: &Db, limit: i64) -> Result<Vec<StoredOrder>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM orders ORDER BY created_at DESC, id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(db)
        .await
}
