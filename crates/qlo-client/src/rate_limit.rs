//! Rate limiting: a trait so a shared (PostgreSQL-backed) bucket can replace the in-memory one
//! without touching the client (DESIGN.md §6: the limit holds per QloApps config across processes).

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::RateLimitConfig;
use crate::error::Error;

/// Hands out one token per QloApps request.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Waits for one token; returns how long it waited.
    async fn acquire(&self) -> Result<Duration, Error>;
}

/// An in-process token bucket with continuous refill (`capacity / period` tokens per second).
///
/// Callers that find the bucket empty reserve a future token (the count goes negative) and
/// sleep until it is due, so waiters are served in arrival order and never all wake at once.
/// Credit is kept in integer nanoseconds (one token = `period / capacity`), so waits are exact.
#[derive(Debug)]
pub struct TokenBucket {
    /// Nanoseconds of refill that make one token.
    token_cost: i128,
    /// Full bucket, in nanoseconds of credit.
    max_credit: i128,
    state: Mutex<BucketState>,
}

#[derive(Debug)]
struct BucketState {
    /// Nanoseconds of credit; negative while callers wait for reserved tokens.
    credit: i128,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(config: RateLimitConfig) -> Self {
        let capacity = i128::from(config.capacity.max(1));
        let token_cost = (config.period.as_nanos() as i128 / capacity).max(1);
        let max_credit = token_cost * capacity;
        TokenBucket {
            token_cost,
            max_credit,
            state: Mutex::new(BucketState {
                credit: max_credit,
                last: Instant::now(),
            }),
        }
    }

    /// Tokens available now (negative while callers wait).
    pub async fn available(&self) -> f64 {
        let mut state = self.state.lock().await;
        self.refill(&mut state);
        state.credit as f64 / self.token_cost as f64
    }

    fn refill(&self, state: &mut BucketState) {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(state.last).as_nanos() as i128;
        state.credit = (state.credit + elapsed).min(self.max_credit);
        state.last = now;
    }
}

#[async_trait]
impl RateLimiter for TokenBucket {
    async fn acquire(&self) -> Result<Duration, Error> {
        let wait = {
            let mut state = self.state.lock().await;
            self.refill(&mut state);
            state.credit -= self.token_cost;
            if state.credit >= 0 {
                Duration::ZERO
            } else {
                let nanos = u64::try_from(-state.credit).unwrap_or(u64::MAX);
                Duration::from_nanos(nanos)
            }
        };
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

    fn seed_bucket() -> TokenBucket {
        TokenBucket::new(RateLimitConfig::default())
    }

    #[tokio::test(start_paused = true)]
    async fn hundred_calls_pass_then_the_101st_waits_for_one_refill() {
        let bucket = seed_bucket();
        let start = Instant::now();
        for _ in 0..100 {
            assert_eq!(bucket.acquire().await.unwrap(), Duration::ZERO);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        // 100 tokens / 60 s: one token every 600 ms.
        let waited = bucket.acquire().await.unwrap();
        assert_eq!(waited, Duration::from_millis(600));
        assert_eq!(start.elapsed(), Duration::from_millis(600));
    }

    #[tokio::test(start_paused = true)]
    async fn refill_is_continuous_not_per_window() {
        let bucket = seed_bucket();
        for _ in 0..100 {
            bucket.acquire().await.unwrap();
        }
        // After 3 s, exactly 5 tokens are back (not 0 until the window ends, not 100).
        tokio::time::advance(Duration::from_secs(3)).await;
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(bucket.acquire().await.unwrap(), Duration::ZERO);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(bucket.acquire().await.unwrap(), Duration::from_millis(600));
    }

    #[tokio::test(start_paused = true)]
    async fn refill_never_exceeds_capacity() {
        let bucket = seed_bucket();
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert!((bucket.available().await - 100.0).abs() < 1e-9);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_spaced_one_token_apart() {
        let bucket = std::sync::Arc::new(TokenBucket::new(RateLimitConfig {
            capacity: 2,
            period: Duration::from_secs(2),
        }));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let b = bucket.clone();
            tasks.push(tokio::spawn(async move {
                b.acquire().await.unwrap();
                start.elapsed()
            }));
        }
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        done.sort();
        let secs: Vec<u64> = done.iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, vec![0, 0, 1, 2, 3]);
    }
}
