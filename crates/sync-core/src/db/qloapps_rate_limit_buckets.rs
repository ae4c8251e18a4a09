//! `qloapps_rate_limit_buckets`: the shared GCRA state of each config's QloApps rate limit
//! (`shared::limiter`), and the only module that writes it.

use sqlx::PgExecutor;
use uuid::Uuid;

/// The limit in force, as stored beside the state for operators to read.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub capacity: i32,
    pub period_ms: i64,
    pub burst: i32,
    pub spacing_us: i64,
    pub tolerance_us: i64,
}

/// Reserves the config's next slot in one statement (concurrent callers serialise on the row
/// lock): the slot is the later of now and `tat − tolerance`; `tat` becomes the later of itself
/// and now, plus one spacing, so it only moves forward. Returns microseconds until the slot.
pub async fn reserve(
    db: impl PgExecutor<'_>,
    config_id: Uuid,
    limit: &Limit,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "WITH c AS (SELECT clock_timestamp() AS now)
             INSERT INTO qloapps_rate_limit_buckets AS b
                 (config_id, tat, capacity, period_ms, burst, spacing_us, updated_at)
             SELECT $1, c.now + $5 * interval '1 microsecond', $2, $3, $4, $5, c.now FROM c
             ON CONFLICT (config_id) DO UPDATE SET
                 tat = GREATEST(b.tat, EXCLUDED.updated_at)
                       + EXCLUDED.spacing_us * interval '1 microsecond',
                 capacity = EXCLUDED.capacity,
                 period_ms = EXCLUDED.period_ms,
                 burst = EXCLUDED.burst,
                 spacing_us = EXCLUDED.spacing_us,
                 updated_at = EXCLUDED.updated_at
             RETURNING GREATEST(0, (EXTRACT(EPOCH FROM
                 tat - spacing_us * interval '1 microsecond' - $6 * interval '1 microsecond'
                 - updated_at) * 1000000)::int8)",
    )
    .bind(config_id)
    .bind(limit.capacity)
    .bind(limit.period_ms)
    .bind(limit.burst)
    .bind(limit.spacing_us)
    .bind(limit.tolerance_us)
    .fetch_one(db)
    .await
}

/// Seconds until the config's `tat` (0 when it is past), `None` before the first call.
pub async fn seconds_ahead(
    db: impl PgExecutor<'_>,
    config_id: Uuid,
) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT GREATEST(0, EXTRACT(EPOCH FROM tat - clock_timestamp()))::float8
         FROM qloapps_rate_limit_buckets WHERE config_id = $1",
    )
    .bind(config_id)
    .fetch_optional(db)
    .await
}

/// Forgets the config's state: the QloApps side is a new shop (`shop_state::forget`).
pub async fn delete_of_config(
    db: impl PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> Result<(), sqlx::Error> {
    super::delete_config_rows(db, "qloapps_rate_limit_buckets", config_id).await
}
