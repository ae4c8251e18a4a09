//! A token bucket per QloApps config kept in PostgreSQL (`qloapps_rate_limit_buckets`), so
//! the limit (seed: 100 requests per 60 s, continuous refill) holds across every process that
//! calls that QloApps, however many there are (DESIGN.md section 6).

use std::time::Duration;

use async_trait::async_trait;
use qlo_client::{Error, RateLimitConfig, RateLimiter};
use sqlx::PgPool;
use uuid::Uuid;

/// [`qlo_client::RateLimiter`] backed by one row per config.
///
/// Each [`RateLimiter::acquire`] is one atomic statement that refills the bucket for the time
/// elapsed (database clock) and takes a token. When none is left the token is *reserved*: the
/// count goes negative and the caller sleeps exactly until its token is due, then goes ahead
/// without asking again. This is the in-memory `qlo_client::TokenBucket`'s rule: waiters are
/// served in arrival order, none polls the database while it waits, and the configured limit
/// still holds (a caller that dies while waiting wastes its token, it never adds one).
#[derive(Debug, Clone)]
pub struct PgRateLimiter {
    pool: PgPool,
    config_id: Uuid,
    capacity: i32,
    period_ms: i64,
}

/// How long the database error makes a caller come back later.
const DB_RETRY: Duration = Duration::from_secs(1);

impl PgRateLimiter {
    pub fn new(pool: PgPool, config_id: Uuid, config: RateLimitConfig) -> Self {
        PgRateLimiter {
            pool,
            config_id,
            capacity: i32::try_from(config.capacity.max(1)).unwrap_or(i32::MAX),
            period_ms: i64::try_from(config.period.as_millis().max(1)).unwrap_or(i64::MAX),
        }
    }

    /// Takes (or reserves) one token; returns the tokens left, negative when reserved ahead.
    pub async fn take_token(&self) -> sqlx::Result<f64> {
        // One statement, so concurrent callers serialise on the row lock. The clock is read
        // before the lock: `updated_at` never moves back, so a caller that waited for the lock
        // adds no refill for time another caller already counted.
        sqlx::query_scalar(
            "WITH c AS (SELECT clock_timestamp() AS now)
             INSERT INTO qloapps_rate_limit_buckets AS b
                 (config_id, tokens, capacity, period_ms, updated_at)
             SELECT $1, $2::float8 - 1, $2, $3, c.now FROM c
             ON CONFLICT (config_id) DO UPDATE SET
                 tokens = LEAST(
                     EXCLUDED.capacity::float8,
                     b.tokens
                     + GREATEST(0, EXTRACT(EPOCH FROM EXCLUDED.updated_at - b.updated_at)::float8)
                       * 1000.0 * EXCLUDED.capacity / EXCLUDED.period_ms
                 ) - 1,
                 capacity = EXCLUDED.capacity,
                 period_ms = EXCLUDED.period_ms,
                 updated_at = GREATEST(b.updated_at, EXCLUDED.updated_at)
             RETURNING tokens",
        )
        .bind(self.config_id)
        .bind(self.capacity)
        .bind(self.period_ms)
        .fetch_one(&self.pool)
        .await
    }

    /// Tokens available now without taking one (negative while callers wait), for display.
    pub async fn available(&self) -> sqlx::Result<f64> {
        let tokens: Option<f64> = sqlx::query_scalar(
            "SELECT LEAST(
                 capacity::float8,
                 tokens
                 + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at)::float8)
                   * 1000.0 * capacity / period_ms)
             FROM qloapps_rate_limit_buckets WHERE config_id = $1",
        )
        .bind(self.config_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(tokens.unwrap_or(f64::from(self.capacity)))
    }
}

/// The wait for a token when `tokens` are left after taking it.
fn wait_for(tokens: f64, capacity: i32, period_ms: i64) -> Duration {
    if tokens >= 0.0 {
        return Duration::ZERO;
    }
    let per_token = period_ms as f64 / 1000.0 / f64::from(capacity);
    Duration::try_from_secs_f64(-tokens * per_token).unwrap_or(Duration::MAX)
}

#[async_trait]
impl RateLimiter for PgRateLimiter {
    async fn acquire(&self) -> Result<Duration, Error> {
        let tokens = self.take_token().await.map_err(|e| {
            // Without the shared bucket the limit cannot be kept: no call, try again shortly.
            tracing::warn!(config_id = %self.config_id, error = %e, "rate limiter unavailable");
            Error::RateLimited {
                retry_after: Some(DB_RETRY),
            }
        })?;
        let wait = wait_for(tokens, self.capacity, self.period_ms);
        if !wait.is_zero() {
            metrics::counter!("qloapps_rate_limiter_waits_total").increment(1);
            metrics::histogram!("qloapps_rate_limiter_wait_seconds").record(wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
        Ok(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reserved_token_waits_its_share_of_the_period() {
        // seed: 100 tokens / 60 s, one token every 600 ms
        assert_eq!(wait_for(3.0, 100, 60_000), Duration::ZERO);
        assert_eq!(wait_for(-0.0, 100, 60_000), Duration::ZERO);
        let wait = wait_for(-1.0, 100, 60_000);
        assert!((wait.as_secs_f64() - 0.6).abs() < 1e-9, "{wait:?}");
        let wait = wait_for(-2.5, 100, 60_000);
        assert!((wait.as_secs_f64() - 1.5).abs() < 1e-9, "{wait:?}");
    }
}
