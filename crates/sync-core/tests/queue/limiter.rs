use std::time::{Duration, Instant};

use qlo_client::{RateLimitConfig, RateLimiter};
use sqlx::PgPool;
use sync_core::shared_limiter::PgRateLimiter;

use crate::helpers::insert_config;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn two_limiters_on_one_config_never_exceed_the_limit_together(pool: PgPool) {
    let config_id = insert_config(&pool).await;
    // 5 tokens, refilled at 10 per second
    let config = RateLimitConfig {
        capacity: 5,
        period: Duration::from_millis(500),
    };
    let limiters = [
        PgRateLimiter::new(pool.clone(), config_id, config),
        PgRateLimiter::new(pool.clone(), config_id, config),
    ];
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

    // 24 calls: a burst of 5, then 19 at 10 per second
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1_800),
        "24 tokens in {took:?}"
    );
    // in any 500 ms: at most the bucket (5) plus what refills meanwhile (5), give or take a
    // wake-up landing next to the one before it
    let window = Duration::from_millis(500);
    for (i, t) in granted.iter().enumerate() {
        let in_window = granted[i..]
            .iter()
            .take_while(|u| **u - *t < window)
            .count();
        assert!(
            in_window <= 11,
            "{in_window} calls within {window:?} of call {i}"
        );
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_bucket_refills_continuously_not_per_window(pool: PgPool) {
    let config_id = insert_config(&pool).await;
    // 4 tokens per 2 s: one every 500 ms
    let config = RateLimitConfig {
        capacity: 4,
        period: Duration::from_secs(2),
    };
    let limiter = PgRateLimiter::new(pool.clone(), config_id, config);
    for _ in 0..4 {
        assert_eq!(limiter.acquire().await.unwrap(), Duration::ZERO);
    }
    tokio::time::sleep(Duration::from_millis(1_250)).await; // 2.5 tokens back

    assert_eq!(limiter.acquire().await.unwrap(), Duration::ZERO);
    assert_eq!(limiter.acquire().await.unwrap(), Duration::ZERO);
    let waited = limiter.acquire().await.unwrap();
    assert!(
        waited > Duration::from_millis(50) && waited <= Duration::from_millis(260),
        "the third call should wait for the rest of one token (~250 ms), waited {waited:?}"
    );
}
