//! Storage: one SQL database through `sqlx`'s `Any` driver, so the same queries run on the
//! embedded SQLite default and on PostgreSQL (`DATABASE_URL=postgres://…`) for replicas.

use crate::contract::host::Host;
use crate::contract::orders::{OrderKind, OrderStatus};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
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

/// Whether the database answers and has every migration this build knows (a replica of an
/// older build must not take traffic a newer schema expects, nor the other way round).
pub async fn ready(db: &Db) -> Result<(), String> {
    let known = sqlx::migrate!("./migrations").migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
        .fetch_one(db)
        .await
        .map_err(|e| {
            // The driver's text can name hosts and users: the log has it, the answer does not.
            tracing::warn!(error = %e, "readiness: database not reachable");
            "database unavailable".to_string()
        })?;
    match applied {
        Some(v) if v == known => Ok(()),
        Some(v) => Err(format!("database schema is at migration {v}, this build expects {known}")),
        None => Err("database has no migrations applied".into()),
    }
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
pub async fn insert_order(db: &Db, order: &StoredOrder) -> Result<StoredOrder, sqlx::Error> {
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

pub async fn order(db: &Db, id: &str) -> Result<Option<StoredOrder>, sqlx::Error> {
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
pub async fn transition(db: &Db, id: &str, step: &Transition<'_>) -> Result<Option<OrderStatus>, sqlx::Error> {
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
pub async fn claim_result_session(db: &Db, order_id: &str, callback_key: &str) -> Result<bool, sqlx::Error> {
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
pub async fn order_events(db: &Db, order_id: &str) -> Result<Vec<(i64, String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, from_status, to_status, reference FROM order_events WHERE order_id = $1 ORDER BY step, at, id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await
}

/// Orders a user created since `since` (the per-user order limit).
pub async fn orders_since(db: &Db, customer_web_id: &str, user_id: &str, since: i64) -> Result<i64, sqlx::Error> {
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

/// What [`list_orders`] narrows to; `None` narrows nothing.
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
pub async fn list_orders(
    db: &Db,
    search: &OrderSearch<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StoredOrder>, sqlx::Error> {
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

/// A value for a [`Conditions`] placeholder.
pub enum Value {
    Text(String),
    Int(i64),
}

/// A query narrowed by optional conditions, with numbered placeholders (`$1`, `$2`, …) that
/// SQLite and PostgreSQL both accept; values are always bound, never written into the SQL.
pub struct Conditions {
    sql: String,
    values: Vec<Value>,
    any: bool,
}

impl Conditions {
    /// `select` is the query up to its `WHERE`.
    pub fn new(select: &str) -> Self {
        Conditions { sql: select.to_string(), values: Vec::new(), any: false }
    }

    /// Binds `value`; returns its placeholder.
    pub fn value(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Adds a condition (`AND`ed with the others).
    pub fn and(&mut self, condition: String) {
        self.sql += if self.any { " AND " } else { " WHERE " };
        self.sql += &condition;
        self.any = true;
    }

    /// Runs the query with `tail` (order, limit) appended.
    pub async fn fetch_all<T>(self, db: &Db, tail: &str) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let sql = format!("{} {tail}", self.sql);
        let mut query = sqlx::query_as::<_, T>(&sql);
        for value in self.values {
            query = match value {
                Value::Text(t) => query.bind(t),
                Value::Int(i) => query.bind(i),
            };
        }
        query.fetch_all(db).await
    }
}
