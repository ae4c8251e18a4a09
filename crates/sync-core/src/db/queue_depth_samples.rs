//! `queue_depth_samples`: the work queues' and the DLQ's depths, one row a minute, for the
//! console's queue-depth chart. Written only by the api's sampler (`api::queue_samples`).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::PgExecutor;

/// One reading: messages ready in the outbound, inbound and dead-letter queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub read_at: DateTime<Utc>,
    pub outbound: u32,
    pub inbound: u32,
    pub dead_letter: u32,
}

/// Stores a reading under its minute, keeping for each queue the largest reading of the
/// minute (several readings a minute, several api processes). Returns whether the row changed.
pub async fn record(db: impl PgExecutor<'_>, sample: &Sample) -> Result<bool, sqlx::Error> {
    let minute = sample
        .read_at
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap_or(sample.read_at);
    let written = sqlx::query(
        "INSERT INTO queue_depth_samples AS s (sampled_at, outbound, inbound, dead_letter)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (sampled_at) DO UPDATE SET
             outbound = greatest(s.outbound, excluded.outbound),
             inbound = greatest(s.inbound, excluded.inbound),
             dead_letter = greatest(s.dead_letter, excluded.dead_letter)
         WHERE excluded.outbound > s.outbound OR excluded.inbound > s.inbound
             OR excluded.dead_letter > s.dead_letter",
    )
    .bind(minute)
    .bind(as_i32(sample.outbound))
    .bind(as_i32(sample.inbound))
    .bind(as_i32(sample.dead_letter))
    .execute(db)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// Deletes the samples taken before `before`; returns how many.
pub async fn prune(db: impl PgExecutor<'_>, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM queue_depth_samples WHERE sampled_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(deleted.rows_affected())
}

fn as_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
