//! The queue-depth history behind the console's chart: every `API_QUEUE_SAMPLE_INTERVAL_MS`
//! (default 15 s) the api reads the work queues' and the DLQ's depths from RabbitMQ and keeps
//! the largest reading of each minute for 48 h in `queue_depth_samples` (this module is the
//! table's only writer). Prometheus has the same numbers as `qlosync_queue_depth`, but the
//! console must not need Prometheus.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::PgPool;
use sync_core::config::{parse_or, ConfigError};
use sync_core::dlq::{DeadLetterQueue, QueueDepths};
use tokio_util::sync::CancellationToken;

/// How often the sampler reads the queues by default (one row per minute keeps the largest).
pub const DEFAULT_SAMPLE_EVERY: Duration = Duration::from_secs(15);
/// Samples older than this are deleted: the charts look back 48 h at most.
pub const KEEP_FOR: TimeDelta = TimeDelta::hours(48);

/// `API_QUEUE_SAMPLE_INTERVAL_MS`: 1000 to 60000, default 15000.
pub fn interval_from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    const VAR: &str = "API_QUEUE_SAMPLE_INTERVAL_MS";
    let default = u64::try_from(DEFAULT_SAMPLE_EVERY.as_millis()).unwrap_or(15_000);
    let ms: u64 = parse_or(env, VAR, default)?;
    if !(1_000..=60_000).contains(&ms) {
        return Err(ConfigError::new(VAR, "must be between 1000 and 60000"));
    }
    Ok(Duration::from_millis(ms))
}

/// Stores one reading under its minute, keeping for each queue the largest reading of the
/// minute (several readings a minute, several api processes). Returns whether the row changed.
pub async fn record(pool: &PgPool, depths: &QueueDepths) -> Result<bool, sqlx::Error> {
    let minute = minute_of(depths.read_at);
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
    .bind(as_i32(depths.outbound.messages))
    .bind(as_i32(depths.inbound.messages))
    .bind(as_i32(depths.dead_letter.messages))
    .execute(pool)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// Deletes samples older than [`KEEP_FOR`] before `now`; returns how many.
pub async fn prune(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM queue_depth_samples WHERE sampled_at < $1")
        .bind(now - KEEP_FOR)
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected())
}

/// A reading that failed (RabbitMQ away, the queues not declared yet by a worker that is
/// still starting) is tried again this soon.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Reads, stores and prunes once; a broker or database that is away only costs this sample.
/// Returns whether the sample was taken and stored.
pub async fn sample_once(pool: &PgPool, dlq: &DeadLetterQueue) -> bool {
    let depths = match dlq.queue_depths().await {
        Ok(depths) => depths,
        Err(error) => {
            tracing::debug!(%error, "queue depths not sampled");
            return false;
        }
    };
    let stored = async {
        record(pool, &depths).await?;
        prune(pool, depths.read_at).await
    };
    match stored.await {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(%error, "queue depth sample not stored");
            false
        }
    }
}

/// Samples at once, then every `every` (after at most [`RETRY_AFTER`] when one failed),
/// until `cancel`.
pub async fn run(
    pool: PgPool,
    dlq: Arc<DeadLetterQueue>,
    every: Duration,
    cancel: CancellationToken,
) {
    loop {
        let wait = if sample_once(&pool, &dlq).await {
            every
        } else {
            every.min(RETRY_AFTER)
        };
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

fn as_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_read_from_the_environment_within_bounds() {
        let env = |value: &'static str| move |_: &str| Some(value.to_owned());
        assert_eq!(
            interval_from_env(&|_: &str| None).unwrap(),
            DEFAULT_SAMPLE_EVERY
        );
        assert_eq!(
            interval_from_env(&env("2000")).unwrap(),
            Duration::from_secs(2)
        );
        for bad in ["999", "60001", "soon"] {
            let error = interval_from_env(&env(bad)).unwrap_err();
            assert_eq!(error.var, "API_QUEUE_SAMPLE_INTERVAL_MS", "{bad}");
        }
    }
}
