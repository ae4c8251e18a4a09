use std::time::{Duration, Instant};

use qlo_client::{RateLimitConfig, RateLimiter};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use sync_core::shared::limiter::PgRateLimiter;

use crate::insert_config;

/// The most instants that fall in one half-open window of `period`.
fn busiest_window(sorted: &[Instant], period: Duration) -> usize {
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| **t - sorted[i] < period)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn limiters_of_separate_processes_never_exceed_the_limit_in_any_window(pool: PgPool) {
    let config_id = insert_config(&pool).await;
    // 6 calls per second, bursts of 2, spaced for 1.3 s: one every 260 ms after the burst
    let limit = RateLimitConfig {
        capacity: 6,
        period: Duration::from_secs(1),
        burst: 2,
        guard: Duration::from_millis(300),
    };
    // each "process" with its own connection pool, as the workers, the scheduler and the api have
    let mut limiters = Vec::new();
    for _ in 0..2 {
        let own = PgPoolOptions::new()
            .max_connections(2)
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap();
        limiters.push(PgRateLimiter::new(own, config_id, limit));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..4 {
        let limiter = limiters[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut granted = Vec::new();
            for _ in 0..6 {
                limiter.acquire().await.unwrap();
                granted.push(Instant::now());
            }
            granted
        }));
    }
    let mut granted = Vec::new();
    for task in tasks {
        granted.extend(task.await.unwrap());
    }
    granted.sort();

    assert_eq!(granted.len(), 24);
    let busiest = busiest_window(&granted, limit.period);
    assert!(busiest <= 6, "{busiest} calls within one second");
    // 2 at once, then 22 slots 260 ms apart
    let took = started.elapsed();
    assert!(took >= limit.spacing() * 22, "24 calls in {took:?}");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_quiet_spell_gives_back_the_burst_and_no_more(pool: PgPool) {
    let config_id = insert_config(&pool).await;
    // 4 calls per 2 s, bursts of 2, no guard: one every 667 ms after the burst
    let limit = RateLimitConfig {
        capacity: 4,
        period: Duration::from_secs(2),
        burst: 2,
        guard: Duration::ZERO,
    };
    let limiter = PgRateLimiter::new(pool.clone(), config_id, limit);
    assert_eq!(limiter.available().await.unwrap(), 2.0);
    for _ in 0..2 {
        assert_eq!(limiter.acquire().await.unwrap(), Duration::ZERO);
    }
    assert!(limiter.available().await.unwrap() < 1.0);
    let waited = limiter.acquire().await.unwrap();
    assert!(
        waited > Duration::from_millis(300) && waited <= limit.spacing(),
        "the third call waits for its slot (~667 ms), waited {waited:?}"
    );

    tokio::time::sleep(limit.period * 2).await;
    assert_eq!(
        limiter.available().await.unwrap(),
        2.0,
        "never above the burst"
    );
    for _ in 0..2 {
        assert_eq!(limiter.acquire().await.unwrap(), Duration::ZERO);
    }
    assert!(limiter.acquire().await.unwrap() > Duration::from_millis(300));
}
