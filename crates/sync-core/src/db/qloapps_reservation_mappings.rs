use sqlx::PgExecutor;
use uuid::Uuid;

use super::Page;
use crate::domain::{ConfigId, PropertyId, ReservationId, ReservationMapping};

const COLUMNS: &str =
    "id, config_id, property_id, local_reservation_id, qloapps_booking_id, qloapps_line_key, \
     last_pushed_hash, last_synced_at, created_at, updated_at";

#[derive(Debug, Clone)]
pub struct NewReservationMapping {
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    pub local_reservation_id: ReservationId,
    pub qloapps_booking_id: i64,
    /// "" for a pushed reservation
    pub qloapps_line_key: String,
    pub last_pushed_hash: Option<String>,
}

pub async fn insert_mapping(
    db: impl PgExecutor<'_>,
    new: &NewReservationMapping,
) -> Result<ReservationMapping, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_reservation_mappings
             (id, config_id, property_id, local_reservation_id, qloapps_booking_id, qloapps_line_key,
              last_pushed_hash, last_synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(new.config_id)
    .bind(new.property_id)
    .bind(new.local_reservation_id)
    .bind(new.qloapps_booking_id)
    .bind(&new.qloapps_line_key)
    .bind(&new.last_pushed_hash)
    .fetch_one(db)
    .await
}

pub async fn find_by_reservation(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    reservation_id: ReservationId,
) -> Result<Option<ReservationMapping>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_reservation_mappings WHERE config_id = $1 AND local_reservation_id = $2"
    ))
    .bind(config_id)
    .bind(reservation_id)
    .fetch_optional(db)
    .await
}

/// Mappings of a config, newest first, optionally of one reservation or one QloApps order.
pub async fn list_mappings(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    reservation_id: Option<ReservationId>,
    qloapps_booking_id: Option<i64>,
    page: Page,
) -> Result<Vec<ReservationMapping>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_reservation_mappings
         WHERE config_id = $1 AND ($2::uuid IS NULL OR local_reservation_id = $2)
           AND ($3::bigint IS NULL OR qloapps_booking_id = $3)
         ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"
    ))
    .bind(config_id)
    .bind(reservation_id)
    .bind(qloapps_booking_id)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(db)
    .await
}
