//! `qloapps_inventory_holds`: the hold bookings qlosync owns (written by the availability sync,
//! `nightly/availability/`, and read by reconciliation).

use chrono::NaiveDate;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::{ConfigId, QloOrderId, QloRoomTypeId, RoomTypeId};

const COLUMNS: &str =
    "id, config_id, room_type_id, qloapps_room_type_id, check_in, check_out, rooms, \
     room_ids, source, qloapps_order_id, status";

/// One hold.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HoldRow {
    pub id: Uuid,
    pub config_id: ConfigId,
    pub room_type_id: RoomTypeId,
    pub qloapps_room_type_id: QloRoomTypeId,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub rooms: i32,
    pub room_ids: Vec<i64>,
    pub source: String,
    pub qloapps_order_id: Option<QloOrderId>,
    /// 'pending', 'active', 'cancelling' or 'cancelled'
    pub status: String,
}

impl HoldRow {
    pub fn order_id(&self) -> Option<u64> {
        self.qloapps_order_id.map(QloOrderId::get)
    }
}

/// Holds of a PMS room type that are not cancelled, by check-in.
pub async fn live_holds(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    room_type_id: RoomTypeId,
) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_inventory_holds
         WHERE config_id = $1 AND room_type_id = $2 AND status <> 'cancelled' ORDER BY check_in, id"
    ))
    .bind(config_id)
    .bind(room_type_id)
    .fetch_all(db)
    .await
}

/// Active holds of a config covering any night of `from..=to` (what reconciliation counts).
pub async fn active_holds_between(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_inventory_holds
         WHERE config_id = $1 AND status = 'active' AND check_in <= $3 AND check_out > $2
         ORDER BY check_in, id"
    ))
    .bind(config_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// Records a hold about to be created (its source is written before the booking exists).
pub async fn insert_pending(db: impl PgExecutor<'_>, row: &HoldRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qloapps_inventory_holds (id, config_id, room_type_id, qloapps_room_type_id, check_in,
                                              check_out, rooms, source, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')",
    )
    .bind(row.id)
    .bind(row.config_id)
    .bind(row.room_type_id)
    .bind(row.qloapps_room_type_id)
    .bind(row.check_in)
    .bind(row.check_out)
    .bind(row.rooms)
    .bind(&row.source)
    .execute(db)
    .await?;
    Ok(())
}

/// The hold's booking exists in QloApps as order `order_id`, on these rooms.
pub async fn set_active(
    db: impl PgExecutor<'_>,
    id: Uuid,
    order_id: u64,
    room_ids: &[u64],
) -> Result<(), sqlx::Error> {
    let rooms: Vec<i64> = room_ids
        .iter()
        .filter_map(|r| i64::try_from(*r).ok())
        .collect();
    sqlx::query(
        "UPDATE qloapps_inventory_holds SET qloapps_order_id = $2, room_ids = $3, status = 'active',
                updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(QloOrderId(order_id))
    .bind(rooms)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets the status ('cancelling' before a cancel is sent, 'cancelled' once it is done).
pub async fn set_status(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_inventory_holds SET status = $2, updated_at = now(),
                cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE cancelled_at END
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets a hold that never reached QloApps.
pub async fn delete_row(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM qloapps_inventory_holds WHERE id = $1")
        .bind(id)
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
    crate::db::delete_config_rows(db, "qloapps_inventory_holds", config_id).await
}
