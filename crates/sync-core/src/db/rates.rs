use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;

use crate::domain::{NightRate, RoomTypeId};

/// Sets `rate` for every night `from..=to` (inclusive), replacing stored values.
pub async fn set_rates(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
    rate: Decimal,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO rates (room_type_id, night, rate)
         SELECT $1, d::date, $4 FROM generate_series($2::date, $3::date, interval '1 day') AS d
         ON CONFLICT (room_type_id, night) DO UPDATE SET rate = EXCLUDED.rate, updated_at = now()",
    )
    .bind(room_type_id)
    .bind(from)
    .bind(to)
    .bind(rate)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// Stored nights in `from..=to`, in date order; nights never set are absent.
pub async fn get_rates(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NightRate>, sqlx::Error> {
    sqlx::query_as(
        "SELECT night, rate, updated_at FROM rates
         WHERE room_type_id = $1 AND night BETWEEN $2 AND $3 ORDER BY night",
    )
    .bind(room_type_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
