//! Rate limiting: a trait so a shared (PostgreSQL-backed) limiter can replace the in-memory one
//! without touching the client (the limit holds per QloApps config across processes: README
//! "Rate limited"). The rule both follow is [`RateLimitConfig`]'s.

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::RateLimitConfig;
use crate::error::Error;

/// Hands out one permission per QloApps request.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Waits for its turn; returns how long it waited.
    async fn acquire(&self) -> Result<Duration, Error>;
}

/// An in-process GCRA: at most `capacity` calls in any `period` (see [`RateLimitConfig`]).
///
/// A caller whose slot is still ahead reserves it and sleeps until it is due, so waiters are
/// served in arrival order and never all wake at once.
#[derive(Debug)]
pub struct Gcra {
    config: RateLimitConfig,
    spacing: Duration,
    tolerance: Duration,
    /// Theoretical arrival time of the next call; `None` before the first.
    tat: Mutex<Option<Instant>>,
}

impl Gcra {
    pub fn new(config: RateLimitConfig) -> Self {
        Gcra {
            config,
            spacing: config.spacing(),
            tolerance: config.tolerance(),
            tat: Mutex::new(None),
        }
    }

    /// Calls that may go now without waiting (negative while callers wait).
    pub async fn available(&self) -> f64 {
        let tat = *self.tat.lock().await;
        let now = Instant::now();
        let ahead = tat.map_or(0.0, |t| t.saturating_duration_since(now).as_secs_f64());
        self.config.calls_available(ahead)
    }
}

#[async_trait]
impl RateLimiter for Gcra {
    async fn acquire(&self) -> Result<Duration, Error> {
        let wait = {
            let mut tat = self.tat.lock().await;
            let now = Instant::now();
            let due = tat.map_or(now, |t| t.checked_sub(self.tolerance).unwrap_or(now));
            let granted = due.max(now);
            *tat = Some(tat.map_or(granted, |t| t.max(granted)) + self.spacing);
            granted - now
        };
        if !wait.is_zero() {
            metrics::counter!("qlosync_rate_limiter_waits_total").increment(1);
            metrics::histogram!("qlosync_rate_limiter_wait_seconds").record(wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
        Ok(wait)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// Grant instants of `callers` tasks each making `calls` calls, sorted.
    async fn grants(limiter: Arc<Gcra>, callers: usize, calls: usize) -> Vec<Instant> {
        let mut tasks = Vec::new();
        for _ in 0..callers {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                let mut at = Vec::new();
                for _ in 0..calls {
                    limiter.acquire().await.unwrap();
                    at.push(Instant::now());
                }
                at
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all.sort();
        all
    }

    /// The most grants that fall in one half-open window of `period`.
    fn busiest_window(grants: &[Instant], period: Duration) -> usize {
        (0..grants.len())
            .map(|i| {
                grants[i..]
                    .iter()
                    .take_while(|g| **g - grants[i] < period)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_limit_bursts_ten_then_spaces_calls_666_ms_apart() {
        let gcra = Gcra::new(RateLimitConfig::default());
        let start = Instant::now();
        for _ in 0..10 {
            assert_eq!(gcra.acquire().await.unwrap(), Duration::ZERO);
        }
        assert_eq!(gcra.available().await, 0.0);
        // (60 s + 600 ms guard) / 91
        let spacing = Duration::from_nanos(60_600_000_000 / 91);
        assert_eq!(RateLimitConfig::default().spacing(), spacing);
        // tokio's paused clock counts whole milliseconds
        let waited = gcra.acquire().await.unwrap();
        assert!(
            waited.abs_diff(spacing) < Duration::from_millis(1),
            "{waited:?}"
        );
        assert!(start.elapsed().abs_diff(spacing) < Duration::from_millis(1));
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_of_the_period_ever_holds_more_than_the_limit() {
        // a token bucket of 100 / 60 s lets 200 through in a minute: a full bucket, then the refill
        let config = RateLimitConfig::default();
        let all = grants(Arc::new(Gcra::new(config)), 7, 60).await;
        assert_eq!(all.len(), 420);
        assert!(busiest_window(&all, config.period) <= 100);
        // ... while the limit is used: the busiest minute holds the burst plus the sustained rate
        assert!(busiest_window(&all, config.period) >= 90);
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_spell_restores_the_burst_and_never_more() {
        let config = RateLimitConfig::new(20, Duration::from_secs(10));
        let gcra = Gcra::new(config);
        for _ in 0..5 {
            gcra.acquire().await.unwrap();
        }
        assert!(gcra.available().await < 2.0);
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(gcra.available().await, 2.0);
        assert_eq!(gcra.acquire().await.unwrap(), Duration::ZERO);
        assert_eq!(gcra.acquire().await.unwrap(), Duration::ZERO);
        let waited = gcra.acquire().await.unwrap();
        assert!(
            waited.abs_diff(config.spacing()) < Duration::from_millis(1),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_served_one_spacing_apart() {
        // 2 calls per 2 s with a burst of 1 and no guard: one every second
        let config = RateLimitConfig {
            capacity: 2,
            period: Duration::from_secs(2),
            burst: 1,
            guard: Duration::ZERO,
        };
        let gcra = Arc::new(Gcra::new(config));
        let start = Instant::now();
        let all = grants(gcra, 5, 1).await;
        let secs: Vec<u64> = all.iter().map(|g| (*g - start).as_secs()).collect();
        assert_eq!(secs, vec![0, 1, 2, 3, 4]);
    }
}
