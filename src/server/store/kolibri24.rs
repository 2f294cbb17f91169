//! What Kolibri24 announces: each agency's access (granted or revoked, the newest announcement
//! winning), and the entities it reports changed.

use super::Db;

/// Whether agency `agency_id`'s newest announcement revoked access (`None`: never announced).
pub async fn revoked(db: &Db, agency_id: &str) -> Result<Option<bool>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT revoked FROM kolibri24_access WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(revoked,)| revoked != 0))
}

/// Records a grant or revocation announced at `at` by delivery `delivery_id`, unless a newer
/// announcement is already recorded (one arriving late changes nothing).
pub async fn set_access(
    db: &Db,
    agency_id: &str,
    granted: bool,
    at: i64,
    delivery_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO kolibri24_access (agency_id, revoked, changed_at, delivery_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (agency_id) DO UPDATE SET revoked = excluded.revoked, changed_at = excluded.changed_at, \
         delivery_id = excluded.delivery_id WHERE kolibri24_access.changed_at <= excluded.changed_at",
    )
    .bind(agency_id)
    .bind(i64::from(!granted))
    .bind(at)
    .bind(delivery_id)
    .execute(db)
    .await?;
    Ok(())
}

/// An entity Kolibri24 reported changed, recorded once per delivery.
pub struct EntityChange<'a> {
    pub delivery_id: &'a str,
    pub agency_id: &'a str,
    pub entity_id: &'a str,
    pub entity_type: &'a str,
    pub name: &'a str,
    pub changed_at: i64,
}

pub async fn record_entity_change(db: &Db, c: &EntityChange<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO entity_changes (delivery_id, agency_id, entity_id, entity_type, name, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id) DO NOTHING",
    )
    .bind(c.delivery_id)
    .bind(c.agency_id)
    .bind(c.entity_id)
    .bind(c.entity_type)
    .bind(c.name)
    .bind(c.changed_at)
    .execute(db)
    .await?;
    Ok(())
}
