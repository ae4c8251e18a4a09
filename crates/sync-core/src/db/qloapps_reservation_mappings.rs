use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::Page;
use crate::domain::{ConfigId, PropertyId, QloOrderId, ReservationId, ReservationMapping};

const COLUMNS: &str =
    "id, config_id, property_id, local_reservation_id, qloapps_booking_id, qloapps_line_key, \
     last_pushed_hash, last_synced_at, replacing_order_id, created_at, updated_at";

/// A mapping of a pulled order, with what the pull keeps on it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PulledMapping {
    pub id: Uuid,
    pub local_reservation_id: ReservationId,
    pub qloapps_line_key: String,
    pub last_pulled_hash: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
}

/// The config's mappings of one QloApps order, oldest first, locked for the pull's update.
pub async fn lock_pulled_of_order(
    conn: &mut PgConnection,
    config_id: ConfigId,
    order_id: QloOrderId,
) -> Result<Vec<PulledMapping>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, local_reservation_id, qloapps_line_key, last_pulled_hash, last_synced_at
         FROM qloapps_reservation_mappings WHERE config_id = $1 AND qloapps_booking_id = $2
         ORDER BY created_at, id FOR UPDATE",
    )
    .bind(config_id)
    .bind(order_id)
    .fetch_all(conn)
    .await
}

/// The pull saw `hash` of the mapping's line group (now keyed `line_key`); `synced` moves
/// `last_synced_at` (not when the PMS version won: it is still to be pushed).
pub async fn record_pull(
    conn: &mut PgConnection,
    mapping_id: Uuid,
    hash: &str,
    line_key: &str,
    synced: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET last_pulled_hash = $2, qloapps_line_key = $3,
                last_synced_at = CASE WHEN $4 THEN now() ELSE last_synced_at END, updated_at = now()
         WHERE id = $1",
    )
    .bind(mapping_id)
    .bind(hash)
    .bind(line_key)
    .bind(synced)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stored as `last_pulled_hash` once the mapping's lines left their QloApps order.
pub const LINES_REMOVED_HASH: &str = "pull:removed";

/// The mapping's lines are gone from its order.
pub async fn record_lines_removed(
    conn: &mut PgConnection,
    mapping_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET last_pulled_hash = $2, last_synced_at = now(), updated_at = now()
         WHERE id = $1",
    )
    .bind(mapping_id)
    .bind(LINES_REMOVED_HASH)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewReservationMapping {
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    pub local_reservation_id: ReservationId,
    pub qloapps_booking_id: QloOrderId,
    /// "" for a pushed reservation
    pub qloapps_line_key: String,
    pub last_pushed_hash: Option<String>,
    /// what a pull saw of the line group (pulled reservations)
    pub last_pulled_hash: Option<String>,
}

pub async fn insert_mapping(
    db: impl PgExecutor<'_>,
    new: &NewReservationMapping,
) -> Result<ReservationMapping, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_reservation_mappings
             (id, config_id, property_id, local_reservation_id, qloapps_booking_id, qloapps_line_key,
              last_pushed_hash, last_pulled_hash, last_synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(new.config_id)
    .bind(new.property_id)
    .bind(new.local_reservation_id)
    .bind(new.qloapps_booking_id)
    .bind(&new.qloapps_line_key)
    .bind(&new.last_pushed_hash)
    .bind(&new.last_pulled_hash)
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
    qloapps_booking_id: Option<QloOrderId>,
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

/// What the last pull saw of the mapping's QloApps version (`pull::map::group_hash`).
pub async fn pulled_hash(
    conn: &mut PgConnection,
    mapping_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    let hash: Option<Option<String>> = sqlx::query_scalar(
        "SELECT last_pulled_hash FROM qloapps_reservation_mappings WHERE id = $1",
    )
    .bind(mapping_id)
    .fetch_optional(conn)
    .await?;
    Ok(hash.flatten())
}

/// A pull judged the QloApps version of an order qlosync pushed: it stores what it saw; when it
/// took the QloApps version (`synced`), the mapping is in sync again, and `pushed_hash` is what a
/// push of the reservation as it now stands would send, so it is not sent back (no ping-pong).
pub async fn record_echo(
    conn: &mut PgConnection,
    mapping_id: Uuid,
    pulled_hash: &str,
    synced: bool,
    pushed_hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET last_pulled_hash = $2,
                last_synced_at = CASE WHEN $3 THEN now() ELSE last_synced_at END,
                last_pushed_hash = CASE WHEN $3 AND $4::text IS NOT NULL THEN $4 ELSE last_pushed_hash END,
                updated_at = now()
         WHERE id = $1",
    )
    .bind(mapping_id)
    .bind(pulled_hash)
    .bind(synced)
    .bind(pushed_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// The config's mappings of these reservations or of these QloApps orders (a reconciliation
/// pairs both sides with them).
pub async fn of_reservations_or_orders(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    reservations: &[ReservationId],
    orders: &[i64],
) -> Result<Vec<ReservationMapping>, sqlx::Error> {
    let reservations: Vec<Uuid> = reservations.iter().map(|r| r.0).collect();
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_reservation_mappings
         WHERE config_id = $1 AND (local_reservation_id = ANY($2) OR qloapps_booking_id = ANY($3))
         ORDER BY created_at, id"
    ))
    .bind(config_id)
    .bind(reservations)
    .bind(orders)
    .fetch_all(db)
    .await
}

/// A reconciliation found QloApps differing from what the mapping says was pushed: the next
/// push must send the reservation even though its payload is unchanged.
pub async fn forget_pushed_hash(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    reservation_id: ReservationId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET last_pushed_hash = NULL, updated_at = now()
         WHERE config_id = $1 AND local_reservation_id = $2",
    )
    .bind(config_id)
    .bind(reservation_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Commits, before `order_id` is cancelled, that the mapping's reservation is moving off it
/// (`push::recreate`).
pub async fn mark_replacing(
    db: impl PgExecutor<'_>,
    mapping_id: Uuid,
    order_id: QloOrderId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET replacing_order_id = $2, updated_at = now()
         WHERE id = $1 AND qloapps_booking_id = $2",
    )
    .bind(mapping_id)
    .bind(order_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The reservation now stands for `order_id`, pushed as `hash`; the move is over.
pub async fn replaced(
    db: impl PgExecutor<'_>,
    mapping_id: Uuid,
    order_id: QloOrderId,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings
         SET qloapps_booking_id = $2, replacing_order_id = NULL, last_pushed_hash = $3,
             last_synced_at = now(), updated_at = now()
         WHERE id = $1",
    )
    .bind(mapping_id)
    .bind(order_id)
    .bind(hash)
    .execute(db)
    .await?;
    Ok(())
}

/// QloApps now has the version `hash` of the mapping's reservation.
pub async fn pushed(
    db: impl PgExecutor<'_>,
    mapping_id: Uuid,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET last_pushed_hash = $2, last_synced_at = now(), updated_at = now()
         WHERE id = $1",
    )
    .bind(mapping_id)
    .bind(hash)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets every row of `config_id` here: the QloApps side is a new shop (`api demo-setup
/// --fresh-qloapps`, through `shop_state::forget`).
pub async fn delete_of_config(
    db: impl sqlx::PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> Result<(), sqlx::Error> {
    crate::db::delete_config_rows(db, "qloapps_reservation_mappings", config_id).await
}
