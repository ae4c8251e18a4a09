//! The QloApps rate limit of each config kept in PostgreSQL (`qloapps_rate_limit_buckets`), so
//! "at most N calls in any window" holds across every process that calls that QloApps, however
//! many there are (README "Rate limited"). The rule is [`qlo_client::RateLimitConfig`]'s GCRA.

use std::time::Duration;

use async_trait::async_trait;
use qlo_client::{Error, RateLimitConfig, RateLimiter};
use sqlx::PgPool;
use uuid::Uuid;

/// [`qlo_client::RateLimiter`] backed by one row per config, its only writer.
///
/// Each [`RateLimiter::acquire`] is one atomic statement that reserves the caller's slot: the
/// later of now and `tat − tolerance` (database clock), moving `tat` one spacing on. The caller
/// sleeps until its slot, then goes ahead without asking again: waiters are served in arrival
/// order and none polls the database while it waits. A caller that dies while waiting wastes
/// its slot; it never adds one.
#[derive(Debug, Clone)]
pub struct PgRateLimiter {
    pool: PgPool,
    config_id: Uuid,
    limit: RateLimitConfig,
}

/// How long the database error makes a caller come back later.
const DB_RETRY: Duration = Duration::from_secs(1);

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX).max(1)
}

impl PgRateLimiter {
    pub fn new(pool: PgPool, config_id: Uuid, limit: RateLimitConfig) -> Self {
        PgRateLimiter {
            pool,
            config_id,
            limit,
        }
    }

    /// Reserves the next slot; returns how long until it is due.
    pub async fn reserve(&self) -> sqlx::Result<Duration> {
        // One statement, so concurrent callers serialise on the row lock. The slot granted is
        // the later of now and `tat − tolerance`; `tat` becomes the later of itself and now, plus
        // one spacing, so it only moves forward and a caller whose clock was read before
        // another's still gets a later slot. The wait returned is slot − now.
        let wait_us: i64 = sqlx::query_scalar(
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
        .bind(self.config_id)
        .bind(i32::try_from(self.limit.capacity).unwrap_or(i32::MAX))
        .bind(i64::try_from(self.limit.period.as_millis()).unwrap_or(i64::MAX))
        .bind(i32::try_from(self.limit.burst.max(1)).unwrap_or(i32::MAX))
        .bind(micros(self.limit.spacing()))
        .bind(i64::try_from(self.limit.tolerance().as_micros()).unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
        .await?;
        Ok(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
    }

    /// Calls that may go now without waiting (negative while callers wait), for display.
    pub async fn available(&self) -> sqlx::Result<f64> {
        let ahead: Option<f64> = sqlx::query_scalar(
            "SELECT GREATEST(0, EXTRACT(EPOCH FROM tat - clock_timestamp()))::float8
             FROM qloapps_rate_limit_buckets WHERE config_id = $1",
        )
        .bind(self.config_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(self.limit.calls_available(ahead.unwrap_or(0.0)))
    }
}

#[async_trait]
impl RateLimiter for PgRateLimiter {
    async fn acquire(&self) -> Result<Duration, Error> {
        let wait = self.reserve().await.map_err(|e| {
            // Without the shared state the limit cannot be kept: no call, try again shortly.
            tracing::warn!(config_id = %self.config_id, error = %e, "rate limiter unavailable");
            Error::RateLimited {
                retry_after: Some(DB_RETRY),
            }
        })?;
        if !wait.is_zero() {
            metrics::counter!("qlosync_rate_limiter_waits_total").increment(1);
            metrics::histogram!("qlosync_rate_limiter_wait_seconds").record(wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
        Ok(wait)
    }
}

/// Forgets every row of `config_id` here: the QloApps side is a new shop (`api demo-setup
/// --fresh-qloapps`, through `shop_state::forget`).
pub async fn delete_of_config(
    db: impl sqlx::PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> Result<(), sqlx::Error> {
    crate::db::delete_config_rows(db, "qloapps_rate_limit_buckets", config_id).await
}
