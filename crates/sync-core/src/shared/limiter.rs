//! The QloApps rate limit of each config kept in PostgreSQL (`qloapps_rate_limit_buckets`), so
//! "at most N calls in any window" holds across every process that calls that QloApps, however
//! many there are (README "Rate limited"). The rule is [`qlo_client::RateLimitConfig`]'s GCRA.

use std::time::Duration;

use async_trait::async_trait;
use qlo_client::{Error, RateLimitConfig, RateLimiter};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::qloapps_rate_limit_buckets as buckets;

/// [`qlo_client::RateLimiter`] backed by one row per config (`db::qloapps_rate_limit_buckets`).
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
        let wait_us = buckets::reserve(
            &self.pool,
            self.config_id,
            &buckets::Limit {
                capacity: i32::try_from(self.limit.capacity).unwrap_or(i32::MAX),
                period_ms: i64::try_from(self.limit.period.as_millis()).unwrap_or(i64::MAX),
                burst: i32::try_from(self.limit.burst.max(1)).unwrap_or(i32::MAX),
                spacing_us: micros(self.limit.spacing()),
                tolerance_us: i64::try_from(self.limit.tolerance().as_micros()).unwrap_or(i64::MAX),
            },
        )
        .await?;
        Ok(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
    }

    /// Calls that may go now without waiting (negative while callers wait), for display.
    pub async fn available(&self) -> sqlx::Result<f64> {
        let ahead = buckets::seconds_ahead(&self.pool, self.config_id).await?;
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
