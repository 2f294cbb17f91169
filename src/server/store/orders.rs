//! Orders: as placed, their moves along the payment state machine (each recorded as an
//! event), their fulfilment by contract, and the lists the storefront and back office read.

use super::{Conditions, Db, Value};
use crate::contract::host::Host;
use crate::contract::orders::{Fulfilment, OrderKind, OrderStatus};
use crate::server::ids::{CustomerWebId, OrderId, UserId};

/// An order as stored. `items` is the priced order as JSON, `image_ids` a JSON list.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredOrder {
    pub id: OrderId,
    pub idempotency_key: String,
    pub customer_web_id: CustomerWebId,
    pub customer_name: String,
    pub user_id: UserId,
    pub group_id: Option<String>,
    pub estate_id: Option<String>,
    pub address_id: Option<String>,
    pub parameter_cache_id: String,
    pub user_language: Option<String>,
    #[sqlx(try_from = "String")]
    pub kind: OrderKind,
    pub items: String,
    pub image_ids: String,
    pub total_cents: i64,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub transaction_id: Option<String>,
    pub message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The host the order came through.
    #[sqlx(try_from = "String")]
    pub host: Host,
    /// A Kolibri24 request: the type of the entity in `estate_id`.
    pub entity_type: Option<String>,
    /// A Oneflow-fulfilled order: the contract's id and how far it got.
    pub contract_id: Option<String>,
    pub fulfilment: Option<String>,
    /// What an unsigned payment callback claimed (`payment_reports`): status, reference, when.
    pub reported_status: Option<String>,
    pub reported_reference: Option<String>,
    pub reported_at: Option<i64>,
}

impl StoredOrder {
    /// How far the order's contract got, for orders fulfilled by one.
    pub fn contract_state(&self) -> Option<crate::contract::orders::Fulfilment> {
        self.fulfilment.as_deref().and_then(crate::contract::orders::Fulfilment::from_code)
    }
}

/// Inserts `order` unless its idempotency key exists; returns the stored one either way,
/// so a double click or a retry yields the same order.
pub async fn insert(db: &Db, order: &StoredOrder) -> Result<StoredOrder, sqlx::Error> {
    sqlx::query(
        "INSERT INTO orders (id, idempotency_key, customer_web_id, customer_name, user_id, group_id, \
         estate_id, address_id, parameter_cache_id, user_language, kind, items, image_ids, total_cents, status, \
         transaction_id, message, created_at, updated_at, host, entity_type, contract_id, fulfilment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
         $23) \
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
    .bind(order.kind.code())
    .bind(&order.items)
    .bind(&order.image_ids)
    .bind(order.total_cents)
    .bind(order.status.code())
    .bind(&order.transaction_id)
    .bind(&order.message)
    .bind(order.created_at)
    .bind(order.updated_at)
    .bind(order.host.code())
    .bind(&order.entity_type)
    .bind(&order.contract_id)
    .bind(&order.fulfilment)
    .execute(db)
    .await?;
    sqlx::query_as("SELECT * FROM orders WHERE idempotency_key = $1").bind(&order.idempotency_key).fetch_one(db).await
}

pub async fn order_by_key(db: &Db, idempotency_key: &str) -> Result<Option<StoredOrder>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM orders WHERE idempotency_key = $1").bind(idempotency_key).fetch_optional(db).await
}

pub async fn order(db: &Db, id: &OrderId) -> Result<Option<StoredOrder>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM orders WHERE id = $1").bind(id).fetch_optional(db).await
}

/// One step of the payment state machine, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition<'a> {
    pub to: OrderStatus,
    pub reference: Option<&'a str>,
    pub message: Option<&'a str>,
    /// Identifies the signed callback that asked for it (the same callback is one step).
    pub callback_key: &'a str,
    pub at: i64,
}

/// Moves the order along the state machine ([`OrderStatus::can_become`]): a compare-and-set
/// on the status it was read with and the event that records it, in one transaction, so two
/// replicas applying callbacks at once change it once. Returns the status it came from, or
/// `None` when the move is not allowed from where the order stands (nothing changes).
pub async fn transition(db: &Db, id: &OrderId, step: &Transition<'_>) -> Result<Option<OrderStatus>, sqlx::Error> {
    loop {
        let Some(current) = order(db, id).await? else { return Ok(None) };
        if !current.status.can_become(step.to) {
            return Ok(None);
        }
        let mut tx = db.begin().await?;
        let moved = sqlx::query(
            "UPDATE orders SET status = $1, transaction_id = COALESCE($2, transaction_id), \
             message = COALESCE($3, message), updated_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(step.to.code())
        .bind(step.reference)
        .bind(step.message)
        .bind(step.at)
        .bind(id)
        .bind(current.status.code())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 1 {
            sqlx::query(
                "INSERT INTO order_events (id, order_id, at, from_status, to_status, reference, callback_key, step) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COUNT(*) + 1 FROM order_events WHERE order_id = $2))",
            )
            .bind(crate::server::ids::new_id())
            .bind(id)
            .bind(step.at)
            .bind(current.status.code())
            .bind(step.to.code())
            .bind(step.reference)
            .bind(step.callback_key)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Some(current.status));
        }
        // Another callback moved it between the read and the update: judge again.
        tx.rollback().await?;
    }
}

/// Claims the one result-page session of the callback `callback_key` moved `order_id` with.
/// True once; false for a replay or a callback that moved nothing.
pub async fn claim_result_session(db: &Db, order_id: &OrderId, callback_key: &str) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE order_events SET session_issued = 1 WHERE order_id = $1 AND callback_key = $2 AND session_issued = 0",
    )
    .bind(order_id)
    .bind(callback_key)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// The recorded steps of an order, oldest first: (at, from, to, reference).
pub async fn order_events(
    db: &Db,
    order_id: &OrderId,
) -> Result<Vec<(i64, String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, from_status, to_status, reference FROM order_events WHERE order_id = $1 ORDER BY step, at, id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await
}

/// Orders a user created since `since` (the per-user order limit).
pub async fn orders_since(
    db: &Db,
    customer_web_id: &CustomerWebId,
    user_id: &UserId,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM orders WHERE customer_web_id = $1 AND user_id = $2 AND created_at > $3")
            .bind(customer_web_id)
            .bind(user_id)
            .bind(since)
            .fetch_one(db)
            .await?;
    Ok(count)
}

/// Orders created in `[start, end)`, oldest first, at most `limit`.
pub async fn orders_between(db: &Db, start: i64, end: i64, limit: i64) -> Result<Vec<StoredOrder>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM orders WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id LIMIT $3")
        .bind(start)
        .bind(end)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// What [`list`] narrows to; `None` narrows nothing.
#[derive(Debug, Default)]
pub struct OrderSearch<'a> {
    pub status: Option<OrderStatus>,
    /// Matches an order id or customer id exactly, or part of the customer's name (any case
    /// for ASCII letters; SQLite lowercases only those).
    pub text: Option<&'a str>,
    /// Created in `[start, end)`.
    pub created: Option<(i64, i64)>,
}

/// Newest first, `limit` rows after skipping `offset`, narrowed by `search`.
pub async fn list(db: &Db, search: &OrderSearch<'_>, limit: i64, offset: i64) -> Result<Vec<StoredOrder>, sqlx::Error> {
    let mut q = Conditions::new("SELECT * FROM orders");
    if let Some(status) = search.status {
        let at = q.value(Value::Text(status.code().into()));
        q.and(format!("status = {at}"));
    }
    if let Some(text) = search.text {
        let exact = q.value(Value::Text(text.into()));
        // `%` and `_` in what the provider typed are characters, not wildcards.
        let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let part = q.value(Value::Text(format!("%{escaped}%")));
        q.and(format!("(id = {exact} OR customer_web_id = {exact} OR LOWER(customer_name) LIKE {part} ESCAPE '\\')"));
    }
    if let Some((start, end)) = search.created {
        let (start, end) = (q.value(Value::Int(start)), q.value(Value::Int(end)));
        q.and(format!("created_at >= {start} AND created_at < {end}"));
    }
    let (limit, offset) = (q.value(Value::Int(limit)), q.value(Value::Int(offset)));
    q.fetch_all(db, &format!("ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}")).await
}

/// The user's newest orders through `host`, at most `limit`.
pub async fn of_user(
    db: &Db,
    host: Host,
    customer_web_id: &CustomerWebId,
    user_id: &UserId,
    limit: i64,
) -> Result<Vec<StoredOrder>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM orders WHERE customer_web_id = $1 AND user_id = $2 AND host = $3 \
         ORDER BY created_at DESC, id DESC LIMIT $4",
    )
    .bind(customer_web_id)
    .bind(user_id)
    .bind(host.code())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A Kolibri24 agency's requests for one entity, newest first, at most `limit`.
pub async fn of_entity(
    db: &Db,
    agency_id: &CustomerWebId,
    entity_id: &str,
    limit: i64,
) -> Result<Vec<StoredOrder>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM orders WHERE host = 'kolibri24' AND customer_web_id = $1 AND estate_id = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(agency_id)
    .bind(entity_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Keeps what an unsigned callback claimed on a still pending order (it never moves it).
pub async fn note_reported(
    db: &Db,
    id: &OrderId,
    status: OrderStatus,
    reference: Option<&str>,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET reported_status = $2, reported_reference = $3, reported_at = $4 \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(status.code())
    .bind(reference)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// Starts the order's fulfilment by contract, once (`creating`).
pub async fn start_fulfilment(db: &Db, id: &OrderId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET fulfilment = $1 WHERE id = $2 AND fulfilment IS NULL")
        .bind(Fulfilment::Creating.code())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Moves the order's fulfilment from `from` (or none) to `to`; false when it was elsewhere.
pub async fn move_fulfilment(db: &Db, id: &OrderId, from: Fulfilment, to: Fulfilment) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE orders SET fulfilment = $1 WHERE id = $2 AND (fulfilment = $3 OR fulfilment IS NULL)")
            .bind(to.code())
            .bind(id)
            .bind(from.code())
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps the id of the contract made for the order, unless one is kept already.
pub async fn set_contract(db: &Db, id: &OrderId, contract_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET contract_id = $1 WHERE id = $2 AND contract_id IS NULL")
        .bind(contract_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The order the contract `contract_id` was made for.
pub async fn by_contract(db: &Db, contract_id: &str) -> Result<Option<StoredOrder>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM orders WHERE contract_id = $1").bind(contract_id).fetch_optional(db).await
}

/// Orders created in `[start, end)` as the overview sums them: (created_at, status, host, total).
pub async fn placed_between(db: &Db, start: i64, end: i64) -> Result<Vec<(i64, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT created_at, status, host, total_cents FROM orders WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await
}

/// How many orders stand at each status.
pub async fn count_by_status(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, COUNT(*) FROM orders GROUP BY status").fetch_all(db).await
}
