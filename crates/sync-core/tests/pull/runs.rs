//! Full then incremental pulls, cancellations, and what a run records.

use sqlx::PgPool;
use sync_core::domain::{ReservationSource, ReservationStatus, SyncStatus};
use sync_core::pull::PullKind;

use crate::helpers::{date, Spec, World};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_first_run_is_full_and_creates_one_reservation_per_booking(pool: PgPool) {
    let w = World::start(pool).await;
    let a = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    let b = w
        .book(Spec::new(2, "2027-02-05", "2027-02-08", 1).guest(
            "Luc",
            "Morel",
            "luc@example.com",
            "+33 6 11 22 33 44",
        ))
        .await;

    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(
        report.sync_type, "full",
        "no watermark yet: the first run is full"
    );
    assert_eq!(
        (
            report.counts.processed,
            report.counts.created,
            report.counts.failed
        ),
        (2, 2, 0)
    );
    let all = w.reservations().await;
    assert_eq!(all.len(), 2);
    let (_, ra) = &w.mapped(a).await[0];
    assert_eq!(
        (ra.room_type_id, ra.check_in, ra.check_out),
        (w.room_types[0], date("2027-02-01"), date("2027-02-03"))
    );
    assert_eq!((ra.number_of_rooms, ra.adults, ra.children), (1, 2, 1));
    assert_eq!(ra.total_price, "150.00".parse().unwrap());
    assert_eq!(
        (ra.source, ra.status, ra.currency.as_str()),
        (
            ReservationSource::Qloapps,
            ReservationStatus::Confirmed,
            "USD"
        )
    );
    let (key, rb) = &w.mapped(b).await[0];
    assert_eq!(key, "2:2027-02-05:2027-02-08");
    assert_ne!(ra.guest_id, rb.guest_id);

    let run = w.run(report.run_id).await;
    assert_eq!(run.status, SyncStatus::Completed);
    assert_eq!(
        (
            run.items_processed,
            run.items_created,
            run.items_updated,
            run.items_skipped,
            run.items_failed
        ),
        (2, 2, 0, 0, 0)
    );
    assert_eq!(run.success, Some(true));
    assert!(run.duration_ms.is_some() && run.last_successful_sync.is_some());
    let newest = w
        .sim
        .state()
        .read(|shop| shop.orders.orders().map(|o| o.date_upd).max().unwrap());
    assert_eq!(
        run.watermark.as_deref(),
        Some(newest.format("%Y-%m-%d %H:%M:%S").to_string().as_str())
    );
    let log = w.log(report.run_id).await;
    assert_eq!(
        log.iter().map(|l| l.outcome.as_str()).collect::<Vec<_>>(),
        ["created", "created"]
    );
    assert_eq!(
        (log[0].qloapps_entity_id, log[0].local_entity_id),
        (Some(i64::try_from(a).unwrap()), Some(ra.id.0))
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_second_run_is_incremental_and_touches_only_what_changed(pool: PgPool) {
    let w = World::start(pool).await;
    let a = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    let b = w.book(Spec::new(2, "2027-02-01", "2027-02-03", 1)).await;
    // the orders are hours old when the PMS first sees them
    w.sim.state().write(|shop| {
        for (id, hours) in [(a, 2), (b, 1)] {
            shop.orders.update_order(u32::try_from(id).unwrap(), |o| {
                o.date_upd -= chrono::Duration::hours(hours)
            });
        }
    });
    let first = w.pull(PullKind::Incremental).await;
    assert_eq!(first.counts.created, 2);
    let (_, untouched) = w.mapped(a).await.remove(0);
    w.sim.clear_request_log();

    w.rebook(b, Spec::new(2, "2027-02-01", "2027-02-04", 1))
        .await;
    let c = w.book(Spec::new(3, "2027-03-01", "2027-03-02", 1)).await;
    let second = w.pull(PullKind::Incremental).await;

    assert_eq!(second.sync_type, "incremental");
    assert_eq!(
        (
            second.counts.processed,
            second.counts.created,
            second.counts.updated
        ),
        (2, 1, 1),
        "{second:?}"
    );
    let after = w.reservations().await;
    assert_eq!(after.len(), 3);
    assert_eq!(
        w.mapped(a).await[0].1,
        untouched,
        "the unchanged booking's reservation was not written"
    );
    assert_eq!(w.mapped(b).await[0].1.check_out, date("2027-02-04"));
    assert_eq!(w.mapped(c).await.len(), 1);
    assert_eq!(
        (
            w.calls("orders"),
            w.calls("room_bookings"),
            w.calls("customers")
        ),
        (1, 1, 1)
    );
    let log = w.log(second.run_id).await;
    assert!(
        log.iter()
            .all(|l| l.qloapps_entity_id != Some(i64::try_from(a).unwrap())),
        "order {a} was not re-read: {log:?}"
    );

    let third = w.pull(PullKind::Incremental).await;
    assert_eq!(
        (third.counts.created, third.counts.updated),
        (0, 0),
        "re-read in the overlap, skipped: {third:?}"
    );
    assert_eq!(w.reservations().await, after);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_cancellation_in_qloapps_cancels_the_pms_reservation(pool: PgPool) {
    let w = World::start(pool).await;
    let order = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 2)).await;
    w.pull(PullKind::Incremental).await;
    w.cancel(order).await;

    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(report.counts.updated, 1);
    let (_, r) = &w.mapped(order).await[0];
    assert_eq!(r.status, ReservationStatus::Cancelled);
    assert!(r.cancelled_at.is_some());
    assert_eq!(
        r.number_of_rooms, 2,
        "a cancelled reservation keeps its figures"
    );
    let log = w.log(report.run_id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, "cancelled");
    let again = w.pull(PullKind::Full).await;
    assert_eq!(
        (again.sync_type, again.counts.skipped, again.counts.updated),
        ("full", 1, 0)
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_run_that_fails_records_its_error_and_keeps_the_last_success(pool: PgPool) {
    let w = World::start(pool).await;
    w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    let ok = w.pull(PullKind::Incremental).await;
    let success = w.run(ok.run_id).await.last_successful_sync;
    w.sim
        .faults()
        .add(qlo_sim::Fault::status(503).on("orders").method("GET"));

    let error = w
        .service
        .pull(w.config, PullKind::Incremental)
        .await
        .unwrap_err();

    assert!(error.to_string().contains("unavailable"), "{error}");
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
    let failed = &runs[0];
    assert_eq!(
        (failed.status, failed.success),
        (SyncStatus::Failed, Some(false))
    );
    assert!(failed
        .last_sync_error
        .as_deref()
        .unwrap_or_default()
        .contains("unavailable"));
    assert_eq!(failed.last_successful_sync, success, "carried over");
    assert_eq!(
        failed.watermark,
        w.run(ok.run_id).await.watermark,
        "the watermark does not move back"
    );
}
