//! Customers: who activated the service (their API credentials, sealed by the caller), and
//! the verdict of the last call made with them.

use super::Db;
use crate::server::ids::CustomerWebId;

/// Stores (or replaces) customer `customer_web_id`'s sealed credentials, activated `now`.
pub async fn store_credentials(
    db: &Db,
    customer_web_id: &CustomerWebId,
    sealed: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO customers (customer_web_id, credentials, activated_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (customer_web_id) DO UPDATE SET credentials = excluded.credentials, \
         activated_at = excluded.activated_at, updated_at = excluded.updated_at",
    )
    .bind(customer_web_id)
    .bind(sealed)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The customer's sealed credentials; `None` when the service was never activated for them.
pub async fn sealed_credentials(db: &Db, customer_web_id: &CustomerWebId) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT credentials FROM customers WHERE customer_web_id = $1")
        .bind(customer_web_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(text,)| text))
}

/// Records when the customer's credentials were last used and what onOffice said (`error`:
/// why it refused; `None`: it accepted).
pub async fn note_api_check(
    db: &Db,
    customer_web_id: &CustomerWebId,
    now: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE customers SET api_checked_at = $2, api_error = $3 WHERE customer_web_id = $1")
        .bind(customer_web_id)
        .bind(now)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// One activated customer for the back office: id, the newest order's customer name, when
/// activated, the last API check and its error, and how many orders they placed.
pub type Listed = (String, Option<String>, i64, Option<i64>, Option<String>, i64);

/// Every activated customer, newest activation first.
pub async fn list(db: &Db) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.customer_web_id, \
         (SELECT o.customer_name FROM orders o WHERE o.customer_web_id = c.customer_web_id \
          ORDER BY o.created_at DESC LIMIT 1), \
         c.activated_at, c.api_checked_at, c.api_error, \
         (SELECT COUNT(*) FROM orders o WHERE o.customer_web_id = c.customer_web_id) \
         FROM customers c ORDER BY c.activated_at DESC, c.customer_web_id",
    )
    .fetch_all(db)
    .await
}
