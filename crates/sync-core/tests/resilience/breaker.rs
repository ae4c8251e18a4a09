use std::{sync::Arc, time::Duration};

use qlo_client::{BreakerConfig, BreakerState, CallOutcome, CircuitBreaker, Error};
use sqlx::PgPool;
use sync_core::shared::breaker::PgCircuitBreaker;

use crate::insert_config;

fn config() -> BreakerConfig {
    BreakerConfig {
        failure_threshold: 3,
        cool_down: Duration::from_millis(400),
        half_open_probes: 1,
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn failures_recorded_by_one_process_open_the_circuit_for_another(pool: PgPool) {
    let config_id = insert_config(&pool).await;
    let a = PgCircuitBreaker::new(pool.clone(), config_id, config());
    let b = PgCircuitBreaker::new(pool.clone(), config_id, config());
    let mut a_events = a.subscribe().unwrap();

    for _ in 0..3 {
        let permit = a.try_acquire().await.unwrap();
        a.record(permit, CallOutcome::Failure).await;
    }

    match b.try_acquire().await {
        Err(Error::CircuitOpen { retry_in }) => assert!(retry_in <= Duration::from_millis(400)),
        other => panic!("B still calls QloApps: {other:?}"),
    }
    assert!(matches!(b.state().await, BreakerState::Open { .. }));
    let opened = a_events.try_recv().unwrap();
    assert_eq!(
        (opened.from, opened.to.name()),
        (BreakerState::Closed, "open")
    );
    let (state, failures): (String, i32) = sqlx::query_as(
        "SELECT state, consecutive_failures FROM circuit_breaker_state WHERE config_id = $1",
    )
    .bind(config_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((state.as_str(), failures), ("OPEN", 3));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn after_the_cool_down_one_probe_in_all_processes_decides(pool: PgPool) {
    let config_id = insert_config(&pool).await;
    let a = Arc::new(PgCircuitBreaker::new(pool.clone(), config_id, config()));
    let b = Arc::new(PgCircuitBreaker::new(pool.clone(), config_id, config()));
    let mut b_events = b.subscribe().unwrap();
    for _ in 0..3 {
        let permit = a.try_acquire().await.unwrap();
        a.record(permit, CallOutcome::Failure).await;
    }
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(a.state().await, BreakerState::HalfOpen);

    let tries: Vec<_> = (0..8)
        .map(|i| {
            let breaker = Arc::clone(if i % 2 == 0 { &a } else { &b });
            tokio::spawn(async move { (i % 2, breaker.try_acquire().await) })
        })
        .collect();
    let mut probes = Vec::new();
    for t in tries {
        if let (who, Ok(permit)) = t.await.unwrap() {
            probes.push((who, permit));
        }
    }
    assert_eq!(
        probes.len(),
        1,
        "exactly one probe across both processes: {probes:?}"
    );
    let (who, probe) = probes.pop().unwrap();
    assert!(probe.probe);
    let prober = if who == 0 { &a } else { &b };
    prober.record(probe, CallOutcome::Success).await;

    let other = if who == 0 { &b } else { &a };
    let permit = other
        .try_acquire()
        .await
        .expect("closed again for everyone");
    assert!(!permit.probe);
    assert_eq!(other.state().await, BreakerState::Closed);
    if who == 1 {
        let names: Vec<_> = std::iter::from_fn(|| b_events.try_recv().ok())
            .map(|t| t.to.name())
            .collect();
        assert_eq!(names, ["half_open", "closed"]);
    }
}
