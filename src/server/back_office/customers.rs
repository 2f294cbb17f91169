//! The activated customers, with their API check and how many orders they placed.

use crate::contract::back_office::CustomerRow;
use crate::contract::errors::AppError;
use crate::server::AppState;

/// Every activated customer with their API check and how many orders they placed.
pub async fn customers(state: &AppState) -> Result<Vec<CustomerRow>, AppError> {
    type Tuple = (String, Option<String>, i64, Option<i64>, Option<String>, i64);
    let rows: Vec<Tuple> = sqlx::query_as(
        "SELECT c.customer_web_id, \
         (SELECT o.customer_name FROM orders o WHERE o.customer_web_id = c.customer_web_id \
          ORDER BY o.created_at DESC LIMIT 1), \
         c.activated_at, c.api_checked_at, c.api_error, \
         (SELECT COUNT(*) FROM orders o WHERE o.customer_web_id = c.customer_web_id) \
         FROM customers c ORDER BY c.activated_at DESC, c.customer_web_id",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(customer_web_id, name, activated_at, api_checked_at, api_error, orders)| CustomerRow {
            customer_web_id,
            name,
            activated_at,
            api_checked_at,
            api_error,
            orders,
        })
        .collect())
}
