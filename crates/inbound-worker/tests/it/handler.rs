//! What each inbound message runs, without the broker.

use sqlx::PgPool;
use sync_core::domain::ConfigId;
use sync_core::locks::pull::PullLock;
use sync_core::messages::SyncType;
use sync_queue::queue::HandleError;

use crate::helpers::World;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn booking_sync_runs_a_full_then_an_incremental_pull(pool: PgPool) {
    let w = World::start(pool).await;
    w.book(1, "2027-02-01", 1).await;
    w.book(2, "2027-02-01", 2).await;

    let full = w
        .handler
        .process(&w.sync(SyncType::Incremental))
        .await
        .unwrap()
        .expect("a pull ran");
    assert_eq!(
        (full.sync_type, full.counts.created),
        ("full", 2),
        "first run is full"
    );
    let forced = w
        .handler
        .process(&w.sync(SyncType::Full))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            forced.sync_type,
            forced.counts.created,
            forced.counts.skipped
        ),
        ("full", 0, 2)
    );
    let incremental = w
        .handler
        .process(&w.sync(SyncType::Incremental))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incremental.sync_type, "incremental");
    assert_eq!(w.mapped_orders().await.len(), 2);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_booking_event_pulls_that_order_alone_in_three_calls(pool: PgPool) {
    let w = World::start(pool).await;
    let wanted = w.book(1, "2027-02-01", 1).await;
    w.book(2, "2027-02-01", 1).await;
    w.sim.clear_request_log();

    let report = w
        .handler
        .process(&w.created(i64::try_from(wanted).unwrap()))
        .await
        .unwrap()
        .unwrap();

    assert_eq!((report.sync_type, report.counts.created), ("booking", 1));
    assert_eq!(
        w.mapped_orders().await,
        vec![i64::try_from(wanted).unwrap()]
    );
    let calls: Vec<(String, u64)> = ["orders", "room_bookings", "customers", "bookings"]
        .iter()
        .map(|r| ((*r).to_owned(), w.sim.request_count(r, "GET")))
        .collect();
    assert_eq!(
        calls.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [1, 1, 1, 0],
        "{calls:?}"
    );
    assert_eq!(
        report.watermark, None,
        "a single booking leaves the watermark alone"
    );
    let next = w
        .handler
        .process(&w.sync(SyncType::Incremental))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((next.sync_type, next.counts.created), ("full", 1));

    let missing = w.handler.process(&w.created(999)).await.unwrap().unwrap();
    assert_eq!(
        (missing.counts.skipped, missing.counts.created),
        (1, 0),
        "no such order: nothing to do"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn while_another_pull_runs_a_sync_is_skipped_and_a_booking_event_deferred(pool: PgPool) {
    let w = World::start(pool).await;
    let order = w.book(1, "2027-02-01", 1).await;
    let held = PullLock::try_acquire(&w.pool, w.config)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(w.handler.process(&w.sync(SyncType::Full)).await, Ok(None));
    let event = w
        .handler
        .process(&w.created(i64::try_from(order).unwrap()))
        .await;
    assert!(
        matches!(&event, Err(HandleError::Deferred { reason }) if reason.contains("already running")),
        "{event:?}"
    );
    assert!(w.mapped_orders().await.is_empty());

    held.release().await;
    assert!(w
        .handler
        .process(&w.created(i64::try_from(order).unwrap()))
        .await
        .unwrap()
        .is_some());
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn messages_for_configs_that_do_not_sync_are_dropped_and_bad_ids_dead_lettered(pool: PgPool) {
    let w = World::start(pool).await;
    let mut unknown = w.sync(SyncType::Full);
    if let sync_core::messages::InboundMessage::BookingSync(r) = &mut unknown {
        r.envelope.config_id = ConfigId::generate().0;
    }
    assert_eq!(w.handler.process(&unknown).await, Ok(None));
    sqlx::query("UPDATE qloapps_config SET sync_enabled = false")
        .execute(&w.pool)
        .await
        .unwrap();
    assert_eq!(w.handler.process(&w.sync(SyncType::Full)).await, Ok(None));
    assert!(matches!(
        w.handler.process(&w.created(0)).await,
        Err(HandleError::Permanent(_))
    ));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_qloapps_outage_is_retried_not_dead_lettered(pool: PgPool) {
    let w = World::start(pool).await;
    w.sim.faults().add(qlo_sim::Fault::status(503).on("orders"));
    let outcome = w.handler.process(&w.sync(SyncType::Full)).await;
    assert!(
        matches!(
            outcome,
            Err(HandleError::Transient(_)) | Err(HandleError::Deferred { .. })
        ),
        "{outcome:?}"
    );
}
