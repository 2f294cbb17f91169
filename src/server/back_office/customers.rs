//! The activated customers, with their API check and how many orders they placed.

use crate::contract::back_office::CustomerRow;
use crate::contract::errors::AppError;
use crate::server::{store, AppState};

/// Every activated customer with their API check and how many orders they placed.
pub async fn customers(state: &AppState) -> Result<Vec<CustomerRow>, AppError> {
    let rows = store::customers::list(&state.db).await?;
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
