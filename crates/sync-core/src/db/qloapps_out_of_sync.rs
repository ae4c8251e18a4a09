//! `qloapps_out_of_sync`: reservations whose last push QloApps refused, until one goes through.

use sqlx::PgExecutor;

use super::Page;
use crate::domain::{ConfigId, OutOfSyncReservation, ReservationId, ReservationSync};

/// Records (or counts again) QloApps' refusal of the reservation's push.
pub async fn record_refusal(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    reservation_id: ReservationId,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let reason: String = reason.chars().take(4000).collect();
    sqlx::query(
        "INSERT INTO qloapps_out_of_sync (config_id, reservation_id, reason) VALUES ($1, $2, $3)
         ON CONFLICT (config_id, reservation_id) DO UPDATE
         SET reason = EXCLUDED.reason, attempts = qloapps_out_of_sync.attempts + 1,
             last_failed_at = now()",
    )
    .bind(config_id)
    .bind(reservation_id)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(())
}

/// A push went through: the two sides agree again.
pub async fn clear(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    reservation_id: ReservationId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM qloapps_out_of_sync WHERE config_id = $1 AND reservation_id = $2")
        .bind(config_id)
        .bind(reservation_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The config's out-of-sync reservations, oldest refusal first, and their total.
pub async fn list(
    db: impl PgExecutor<'_> + Copy,
    config_id: ConfigId,
    page: Page,
) -> Result<(Vec<OutOfSyncReservation>, i64), sqlx::Error> {
    let items = sqlx::query_as(
        "SELECT o.config_id, o.reservation_id, m.qloapps_booking_id AS qloapps_order_id, o.reason,
                o.attempts, o.first_failed_at, o.last_failed_at
         FROM qloapps_out_of_sync o
         LEFT JOIN qloapps_reservation_mappings m
                ON m.config_id = o.config_id AND m.local_reservation_id = o.reservation_id
         WHERE o.config_id = $1
         ORDER BY o.first_failed_at, o.reservation_id LIMIT $2 OFFSET $3",
    )
    .bind(config_id)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar("SELECT count(*) FROM qloapps_out_of_sync WHERE config_id = $1")
        .bind(config_id)
        .fetch_one(db)
        .await?;
    Ok((items, total))
}

/// How the reservation stands with each QloApps config of its property.
pub async fn standing_of(
    db: impl PgExecutor<'_>,
    reservation_id: ReservationId,
) -> Result<Vec<ReservationSync>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id AS config_id,
                CASE WHEN o.reservation_id IS NOT NULL THEN 'out_of_sync'
                     WHEN m.last_pushed_hash IS NOT NULL OR m.last_pulled_hash IS NOT NULL THEN 'in_sync'
                     ELSE 'pending' END AS status,
                m.qloapps_booking_id AS qloapps_order_id, m.last_synced_at,
                o.reason, o.first_failed_at AS since
         FROM reservations r
         JOIN qloapps_config c ON c.property_id = r.property_id
         LEFT JOIN qloapps_reservation_mappings m
                ON m.config_id = c.id AND m.local_reservation_id = r.id
         LEFT JOIN qloapps_out_of_sync o ON o.config_id = c.id AND o.reservation_id = r.id
         WHERE r.id = $1
         ORDER BY c.created_at, c.id",
    )
    .bind(reservation_id)
    .fetch_all(db)
    .await
}
