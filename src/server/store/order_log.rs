//! Each order's payment callbacks as received (the refused ones with their reason), for its
//! timeline in the back office.

use super::Db;
use crate::server::ids::OrderId;

/// One received callback: `key` identifies the query it came with (the same URL again is the
/// same key, stored once); `outcome` and `detail` as the timeline shows them.
pub struct Callback<'a> {
    pub key: &'a str,
    pub order_id: &'a OrderId,
    pub at: i64,
    pub outcome: &'a str,
    pub detail: &'a str,
}

/// Stores `callback` once per key, and only while the order has fewer than `cap` callbacks of
/// that outcome.
pub async fn record(db: &Db, callback: &Callback<'_>, cap: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_callbacks (key, order_id, at, outcome, detail) SELECT $1, $2, $3, $4, $5 \
         WHERE (SELECT COUNT(*) FROM order_callbacks WHERE order_id = $2 AND outcome = $4) < $6 \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(callback.key)
    .bind(callback.order_id)
    .bind(callback.at)
    .bind(callback.outcome)
    .bind(callback.detail)
    .bind(cap)
    .execute(db)
    .await?;
    Ok(())
}

/// The order's callbacks, oldest first, at most `limit`: (at, outcome, detail).
pub async fn of_order(db: &Db, order_id: &OrderId, limit: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT at, outcome, detail FROM order_callbacks WHERE order_id = $1 ORDER BY at LIMIT $2")
        .bind(order_id)
        .bind(limit)
        .fetch_all(db)
        .await
}
