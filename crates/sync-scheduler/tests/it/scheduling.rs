//! The loop: intervals per config, backoff after errors, a scheduler killed mid-pull, shutdown.

use std::time::Duration;

use qlo_sim::Fault;
use sqlx::PgPool;
use sync_core::domain::SyncStatus;

use crate::helpers::{spawn, timing, wait_for, World};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn every_syncing_config_is_pulled_on_its_interval_and_others_never(pool: PgPool) {
    let w = World::start(pool).await;
    w.seed(3);
    let (a, b, disabled) = (w.config().await, w.config().await, w.config().await);
    sqlx::query("UPDATE qloapps_config SET sync_enabled = false WHERE id = $1")
        .bind(disabled)
        .execute(&w.pool)
        .await
        .unwrap();

    let running = spawn(w.scheduler(timing(300, 100, 400), 100));
    // finished runs only: a run still `running` when the scheduler stops ends "stopped by
    // shutdown", and on a busy machine one config may start its third run before the other
    // finishes its second
    wait_for("two finished runs of each config", 20, || async {
        let mut done = true;
        for config in [a, b] {
            let runs = w.runs(config).await;
            done &= runs
                .iter()
                .filter(|r| r.status != SyncStatus::Running)
                .count()
                >= 2;
        }
        done
    })
    .await;
    running.stop.cancel();
    running.task.await.unwrap();

    for config in [a, b] {
        let runs = w.runs(config).await;
        assert_eq!(
            (runs[0].sync_type.as_str(), runs[0].items_created),
            ("full", 3)
        );
        assert_eq!(
            (runs[1].sync_type.as_str(), runs[1].items_created),
            ("incremental", 0)
        );
        assert!(runs[..2].iter().all(|r| r.status == SyncStatus::Completed));
        for later in &runs[2..] {
            let stopped = later.status == SyncStatus::Failed
                && later
                    .error_message
                    .as_deref()
                    .is_some_and(|e| e.contains("stopped by shutdown"));
            assert!(
                later.status == SyncStatus::Completed || stopped,
                "a stop leaves no run behind: {later:?}"
            );
        }
        let gap = (runs[1].started_at - runs[0].completed_at.unwrap())
            .to_std()
            .unwrap();
        assert!(
            gap >= Duration::from_millis(250),
            "interval ±10 % kept: {gap:?}"
        );
    }
    assert!(w.runs(disabled).await.is_empty());
    assert_eq!(
        w.reservations().await,
        6,
        "each config's property got the three bookings"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn errors_back_off_doubling_to_the_cap_and_a_success_resets(pool: PgPool) {
    let w = World::start(pool).await;
    w.seed(2);
    let config = w.config().await;
    let outage = w.sim.faults().add(Fault::status(503).on("configurations"));

    let running = spawn(w.scheduler(timing(400, 100, 400), 100));
    // finished failures only: a run still 'running' may end after the outage does
    wait_for("five failed runs", 15, || async {
        let runs = w.runs(config).await;
        runs.iter().filter(|r| r.success == Some(false)).count() >= 5
    })
    .await;
    w.sim.faults().remove(outage);
    wait_for("a success", 10, || async {
        w.runs(config).await.iter().any(|r| r.success == Some(true))
    })
    .await;
    running.stop.cancel();
    running.task.await.unwrap();

    let runs = w.runs(config).await;
    let failed: Vec<_> = runs
        .iter()
        .take_while(|r| r.success == Some(false))
        .collect();
    assert!(failed.len() >= 5, "{runs:?}");
    let gaps: Vec<Duration> = failed
        .windows(2)
        .map(|p| {
            (p[1].started_at - p[0].completed_at.unwrap())
                .to_std()
                .unwrap()
        })
        .collect();
    for (gap, expected) in gaps.iter().zip([100u64, 200, 400, 400]) {
        let expected = Duration::from_millis(expected);
        assert!(
            *gap >= expected && *gap < expected + Duration::from_millis(250),
            "gaps {gaps:?}"
        );
    }
    assert!(failed.iter().all(|r| r
        .last_sync_error
        .as_deref()
        .unwrap_or_default()
        .contains("503")));
    let success = runs.iter().find(|r| r.success == Some(true)).unwrap();
    assert_eq!(success.items_created, 2);
    assert!(success.last_sync_error.is_none());
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_scheduler_killed_mid_pull_frees_the_lock_and_the_next_run_succeeds(pool: PgPool) {
    let w = World::start(pool).await;
    w.seed(20);
    let config = w.config().await;
    let slow = w.sim.faults().add(
        Fault::latency(Duration::from_millis(250))
            .on("orders")
            .method("GET"),
    );

    let first = spawn(w.scheduler(timing(200, 100, 400), 5));
    wait_for("a pull to commit a page", 10, || async {
        w.runs(config)
            .await
            .iter()
            .any(|r| r.status == SyncStatus::Running && r.items_processed > 0)
    })
    .await;
    first.task.abort();
    assert!(first.task.await.unwrap_err().is_cancelled());
    w.sim.faults().remove(slow);

    let second = spawn(w.scheduler(timing(200, 100, 400), 5));
    wait_for("a completed run", 10, || async {
        w.runs(config)
            .await
            .iter()
            .any(|r| r.status == SyncStatus::Completed)
    })
    .await;
    second.stop.cancel();
    second.task.await.unwrap();

    let runs = w.runs(config).await;
    assert_eq!(runs[0].status, SyncStatus::Failed);
    assert!(
        runs[0]
            .error_message
            .as_deref()
            .unwrap_or_default()
            .contains("abandoned"),
        "{:?}",
        runs[0]
    );
    assert_eq!(w.reservations().await, 20);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn on_shutdown_a_running_pull_stops_after_its_page_and_keeps_its_progress(pool: PgPool) {
    let w = World::start(pool).await;
    w.seed(40);
    let config = w.config().await;
    w.sim.faults().add(
        Fault::latency(Duration::from_millis(150))
            .on("orders")
            .method("GET"),
    );

    let running = spawn(w.scheduler(timing(200, 100, 400), 5));
    wait_for("a page committed", 10, || async {
        w.runs(config).await.iter().any(|r| r.items_processed > 0)
    })
    .await;
    running.stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), running.task)
        .await
        .unwrap()
        .unwrap();

    let run = w.runs(config).await.pop().unwrap();
    assert_eq!(run.status, SyncStatus::Failed);
    assert!(
        run.error_message
            .as_deref()
            .unwrap_or_default()
            .contains("shutdown"),
        "{run:?}"
    );
    assert!(run.items_processed > 0 && run.items_processed < 40);
    assert!(run.watermark.is_some(), "the next pull resumes from here");
}
