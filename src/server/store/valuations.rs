//! Valuations requested through onOffice's webhook (the `valuation_request` handler).

use super::Db;

/// A valuation requested by delivery `delivery_id`; recorded once per delivery.
pub struct ValuationRequest<'a> {
    pub delivery_id: &'a str,
    pub customer_web_id: &'a str,
    pub user_id: &'a str,
    pub estate_id: &'a str,
    pub email: Option<&'a str>,
    pub requested_at: i64,
}

pub async fn record(db: &Db, r: &ValuationRequest<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO valuation_requests (delivery_id, customer_web_id, user_id, estate_id, email, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id) DO NOTHING",
    )
    .bind(r.delivery_id)
    .bind(r.customer_web_id)
    .bind(r.user_id)
    .bind(r.estate_id)
    .bind(r.email)
    .bind(r.requested_at)
    .execute(db)
    .await?;
    Ok(())
}
