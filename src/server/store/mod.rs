//! Storage: one SQL database through `sqlx`'s `Any` driver, so the same queries run on the
//! embedded SQLite default and on PostgreSQL (`DATABASE_URL=postgres://…`) for replicas. Every
//! query lives here, one module per aggregate; the rest of the server calls these functions.

pub mod customers;
pub mod jobs;
pub mod kolibri24;
pub mod order_log;
pub mod orders;
pub mod valuations;

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

/// On SQLite, the worker and jobs get their own connections without an fsync per commit
/// (`synchronous=NORMAL`): with one fsync'ing commit per job they held the write lock so long
/// that accepting deliveries stalled. Nothing promised is at risk: a process crash loses no
/// commit either way, and a power cut can only lose recent processing, which then runs again
/// (jobs are idempotent); the WAL keeps the order, so no later acceptance survives without
/// the processing before it. PostgreSQL and in-memory databases share the main pool.
pub fn processing_pool(db: &Db) -> Db {
    let options = db.connect_options();
    let url = options.database_url.as_str();
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return db.clone();
    }
    sqlx::any::AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(conn, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;").await?;
                Ok(())
            })
        })
        .connect_lazy_with((*options).clone())
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
