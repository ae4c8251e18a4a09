//! `rates`: the PMS's nightly rate per room type and night.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;

use super::per_night::PerNight;
use crate::domain::{NightRate, RoomTypeId};

const TABLE: PerNight = PerNight {
    table: "rates",
    column: "rate",
};

/// Sets `rate` for every night `from..=to` (inclusive), replacing stored values.
pub async fn set_rates(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
    rate: Decimal,
) -> Result<u64, sqlx::Error> {
    TABLE.set(db, room_type_id, (from, to), rate).await
}

/// Stored nights in `from..=to`, in date order; nights never set are absent.
pub async fn get_rates(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NightRate>, sqlx::Error> {
    TABLE.get(db, room_type_id, (from, to)).await
}
