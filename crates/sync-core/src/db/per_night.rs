//! The rule both per-night PMS tables follow, written once: `availability` (column
//! `available`) and `rates` (column `rate`) hold one row per room type and night, keyed
//! `(room_type_id, night)`, with `updated_at`.

use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Postgres};

use crate::domain::RoomTypeId;

/// A per-night table and its value column. Both names go into the SQL text as they are: only
/// the constants of `availability.rs` and `rates.rs`, never input.
pub(super) struct PerNight {
    pub table: &'static str,
    pub column: &'static str,
}

impl PerNight {
    /// Sets `value` for every night `from..=to` (inclusive), replacing stored values; returns
    /// the rows written.
    pub async fn set<V>(
        &self,
        db: impl PgExecutor<'_>,
        room_type_id: RoomTypeId,
        (from, to): (NaiveDate, NaiveDate),
        value: V,
    ) -> Result<u64, sqlx::Error>
    where
        V: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Send,
    {
        let PerNight { table, column } = self;
        let sql = format!(
            "INSERT INTO {table} (room_type_id, night, {column})
             SELECT $1, d::date, $4 FROM generate_series($2::date, $3::date, interval '1 day') AS d
             ON CONFLICT (room_type_id, night) DO UPDATE SET {column} = EXCLUDED.{column}, updated_at = now()"
        );
        let result = sqlx::query(&sql)
            .bind(room_type_id)
            .bind(from)
            .bind(to)
            .bind(value)
            .execute(db)
            .await?;
        Ok(result.rows_affected())
    }

    /// Stored nights in `from..=to` as `(night, value, updated_at)` rows, in date order; nights
    /// never set are absent.
    pub async fn get<R>(
        &self,
        db: impl PgExecutor<'_>,
        room_type_id: RoomTypeId,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<Vec<R>, sqlx::Error>
    where
        R: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let PerNight { table, column } = self;
        let sql = format!(
            "SELECT night, {column}, updated_at FROM {table}
             WHERE room_type_id = $1 AND night BETWEEN $2 AND $3 ORDER BY night"
        );
        sqlx::query_as(&sql)
            .bind(room_type_id)
            .bind(from)
            .bind(to)
            .fetch_all(db)
            .await
    }
}
