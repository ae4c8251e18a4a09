use chrono::NaiveDate;
use sqlx::PgExecutor;

use crate::domain::{NightAvailability, RoomTypeId};

/// Sets `available` for every night `from..=to` (inclusive), replacing stored values.
pub async fn set_availability(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
    available: i32,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO availability (room_type_id, night, available)
         SELECT $1, d::date, $4 FROM generate_series($2::date, $3::date, interval '1 day') AS d
         ON CONFLICT (room_type_id, night) DO UPDATE SET available = EXCLUDED.available, updated_at = now()",
    )
    .bind(room_type_id)
    .bind(from)
    .bind(to)
    .bind(available)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// Stored nights in `from..=to`, in date order; nights never set are absent.
pub async fn get_availability(
    db: impl PgExecutor<'_>,
    room_type_id: RoomTypeId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NightAvailability>, sqlx::Error> {
    sqlx::query_as(
        "SELECT night, available, updated_at FROM availability
         WHERE room_type_id = $1 AND night BETWEEN $2 AND $3 ORDER BY night",
    )
    .bind(room_type_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
