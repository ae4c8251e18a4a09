//! One pull per config at a time: the advisory lock, a pull killed mid-run, stale rows.

use std::time::Duration;

use chrono::{DateTime, Utc};
use qlo_sim::{Fault, SeedSpec};
use sqlx::PgPool;
use sync_core::domain::{SyncDirection, SyncStatus};
use sync_core::locks::pull::{self as pull_lock, PullLock};
use sync_core::pull::{PullKind, PullSettings};
use sync_core::sync_error::SyncError;

use crate::helpers::World;

/// (started_at, completed_at) of the config's pull runs, oldest first.
pub async fn pull_intervals(w: &World) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    sqlx::query_as(
        "SELECT started_at, completed_at FROM qloapps_sync_state WHERE config_id = $1 AND direction = 'inbound' ORDER BY started_at",
    )
    .bind(w.config)
    .fetch_all(&w.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn concurrent_pulls_of_one_config_never_overlap(pool: PgPool) {
    let settings = PullSettings {
        page_size: 10,
        ..PullSettings::default()
    };
    let w = World::start_with(pool, qlo_sim::SimConfig::default(), settings).await;
    w.sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: 40,
            ..SeedSpec::default()
        })
    });
    w.sim.faults().add(
        Fault::latency(Duration::from_millis(40))
            .on("orders")
            .method("GET"),
    );

    let mut tasks = Vec::new();
    for round in 0..6u64 {
        let service = w.other_service(settings);
        let config = w.config;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(round * 60)).await;
            service.pull(config, PullKind::Full).await
        }));
    }
    let mut busy = 0;
    let mut done = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => done += 1,
            Err(SyncError::PullBusy(_)) => busy += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    assert!(done >= 1 && busy >= 1, "done {done}, busy {busy}");
    let runs = pull_intervals(&w).await;
    assert_eq!(runs.len(), done);
    for pair in runs.windows(2) {
        assert!(pair[0].1.unwrap() <= pair[1].0, "runs overlap: {pair:?}");
    }
    assert_eq!(w.reservations().await.len(), 40, "no duplicate reservation");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_pull_killed_mid_run_frees_its_lock_and_the_next_run_succeeds(pool: PgPool) {
    let settings = PullSettings {
        page_size: 5,
        ..PullSettings::default()
    };
    let w = World::start_with(pool, qlo_sim::SimConfig::default(), settings).await;
    w.sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: 30,
            ..SeedSpec::default()
        })
    });
    let slow = w.sim.faults().add(
        Fault::latency(Duration::from_millis(200))
            .on("orders")
            .method("GET"),
    );
    let service = w.other_service(settings);
    let config = w.config;
    let doomed = tokio::spawn(async move { service.pull(config, PullKind::Full).await });
    // wait until it has committed a page, then kill it
    for _ in 0..100 {
        let processed: Option<i32> = sqlx::query_scalar(
            "SELECT max(items_processed) FROM qloapps_sync_state WHERE status = 'running'",
        )
        .fetch_one(&w.pool)
        .await
        .unwrap();
        if processed.unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    doomed.abort();
    assert!(doomed.await.unwrap_err().is_cancelled());
    w.sim.faults().remove(slow);

    let mut report = None;
    for _ in 0..50 {
        match w.service.pull(w.config, PullKind::Incremental).await {
            Ok(r) => {
                report = Some(r);
                break;
            }
            Err(SyncError::PullBusy(_)) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("{e}"),
        }
    }
    let report = report.expect("the lock was freed");
    assert_eq!(
        report.sync_type, "incremental",
        "resumes from the killed run's committed progress"
    );
    assert_eq!(w.reservations().await.len(), 30);
    let runs = sync_core::db::qloapps_sync_state::list_runs(
        &w.pool,
        w.config,
        None,
        sync_core::db::Page {
            limit: 10,
            offset: 0,
        },
    )
    .await
    .unwrap();
    let killed = runs.iter().find(|r| r.id != report.run_id).unwrap();
    assert_eq!(killed.status, SyncStatus::Failed);
    assert!(killed
        .error_message
        .as_deref()
        .unwrap_or_default()
        .contains("abandoned"));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn running_rows_older_than_ten_minutes_are_failed_unless_their_pull_holds_the_lock(
    pool: PgPool,
) {
    let w = World::start(pool).await;
    let stale = sync_core::db::qloapps_sync_state::insert_running(
        &w.pool,
        w.config,
        "incremental",
        SyncDirection::Inbound,
        "pull",
    )
    .await
    .unwrap();
    sqlx::query(
        "UPDATE qloapps_sync_state SET started_at = now() - interval '11 minutes' WHERE id = $1",
    )
    .bind(stale.id)
    .execute(&w.pool)
    .await
    .unwrap();

    let held = PullLock::try_acquire(&w.pool, w.config)
        .await
        .unwrap()
        .expect("free");
    assert_eq!(
        pull_lock::sweep_stale_runs(&w.pool, pull_lock::STALE_AFTER)
            .await
            .unwrap(),
        0,
        "alive: left alone"
    );
    assert!(
        PullLock::try_acquire(&w.pool, w.config)
            .await
            .unwrap()
            .is_none(),
        "one holder at a time"
    );
    held.release().await;
    assert_eq!(
        pull_lock::sweep_stale_runs(&w.pool, pull_lock::STALE_AFTER)
            .await
            .unwrap(),
        1
    );
    let row = w.run(stale.id).await;
    assert_eq!((row.status, row.success), (SyncStatus::Failed, Some(false)));
}
