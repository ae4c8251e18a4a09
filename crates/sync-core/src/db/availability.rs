//! `availability`: the PMS's sellable rooms per room type and night.

use chrono::NaiveDate;
use sqlx::PgExecutor;

use super::per_night::PerNight;
use crate::domain::{NightAvailability, RoomTypeId};

const TABLE: PerNight = PerNight {
    table: "availability",
    column: "available",
};

/// Sets `available` for every night `from..=to` (inclusive), replacing stored values.
pub async fn set_availability(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
    available: i32,
) -> Result<u64, sqlx::Error> {
    TABLE.set(db, room_type_id, (from, to), available).await
}

/// Stored nights in `from..=to`, in date order; nights never set are absent.
pub async fn get_availability(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NightAvailability>, sqlx::Error> {
    TABLE.get(db, room_type_id, (from, to)).await
}
