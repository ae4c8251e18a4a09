//! Multi-room and multi-line orders: one reservation per (room type, stay), kept up to date
//! line by line; unmapped room types and other hotels.

use qlo_sim::SimConfig;
use sqlx::PgPool;
use sync_core::domain::ReservationStatus;
use sync_core::pull::{PullKind, PullSettings};

use crate::helpers::{date, Spec, World};

fn multi() -> Spec {
    Spec::new(1, "2027-02-01", "2027-02-03", 2)
        .line(2, "2027-02-01", "2027-02-04", 1)
        .line(1, "2027-02-05", "2027-02-06", 1)
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_multi_room_multi_line_order_becomes_one_reservation_per_room_type_and_stay(
    pool: PgPool,
) {
    let w = World::start(pool).await;
    let order = w.book(multi()).await;

    let report = w.pull(PullKind::Full).await;

    assert_eq!(
        (report.counts.processed, report.counts.created),
        (1, 1),
        "counted per booking"
    );
    let mapped = w.mapped(order).await;
    let keys: Vec<&str> = mapped.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "1:2027-02-01:2027-02-03",
            "1:2027-02-05:2027-02-06",
            "2:2027-02-01:2027-02-04"
        ]
    );
    let (_, two_rooms) = &mapped[0];
    assert_eq!(
        (
            two_rooms.number_of_rooms,
            two_rooms.adults,
            two_rooms.children
        ),
        (2, 4, 2)
    );
    assert_eq!(two_rooms.total_price, "300.00".parse().unwrap());
    assert_eq!(
        (mapped[1].1.check_in, mapped[1].1.number_of_rooms),
        (date("2027-02-05"), 1)
    );
    assert_eq!(mapped[2].1.room_type_id, w.room_types[1]);
    assert!(
        mapped.iter().all(|(_, r)| r.guest_id == two_rooms.guest_id),
        "one guest for the order"
    );
    assert_eq!(
        w.log(report.run_id).await.len(),
        3,
        "one log entry per reservation"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_change_to_one_line_updates_only_its_reservation(pool: PgPool) {
    let w = World::start(pool).await;
    let order = w.book(multi()).await;
    w.pull(PullKind::Full).await;
    let before = w.mapped(order).await;

    // one room of the two-room line is cancelled in QloApps' back office
    w.sim.state().write(|shop| {
        let id = u32::try_from(order).unwrap();
        let now = shop.now() + chrono::Duration::seconds(1);
        let line = shop
            .orders
            .lines_of_order(id)
            .find(|l| l.id_room_type == 1 && l.date_to == date("2027-02-03"))
            .unwrap()
            .id;
        shop.orders.update_line(line, |l| {
            l.is_cancelled = true;
            l.is_refunded = true;
            l.date_upd = now;
        });
        shop.orders.update_order(id, |o| o.date_upd = now);
    });
    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(report.counts.updated, 1);
    let after = w.mapped(order).await;
    assert_eq!(
        (
            after[0].1.number_of_rooms,
            after[0].1.adults,
            after[0].1.total_price
        ),
        (1, 2, "150.00".parse().unwrap())
    );
    assert_eq!(after[0].1.status, ReservationStatus::Confirmed);
    assert_eq!(after[1], before[1], "other lines' reservations untouched");
    assert_eq!(after[2], before[2]);
    let outcomes: Vec<String> = w
        .log(report.run_id)
        .await
        .into_iter()
        .map(|l| l.outcome)
        .collect();
    assert_eq!(outcomes, ["updated", "skipped", "skipped"]);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_moved_stay_updates_its_reservation_and_removed_lines_cancel_theirs(pool: PgPool) {
    let w = World::start(pool).await;
    let order = w
        .book(Spec::new(1, "2027-02-01", "2027-02-03", 1).line(2, "2027-02-01", "2027-02-03", 1))
        .await;
    w.pull(PullKind::Full).await;
    let before = w.mapped(order).await;

    // the guest moves the room-type-1 stay by two nights and drops the room-type-2 line
    w.rebook(order, Spec::new(1, "2027-02-03", "2027-02-05", 1))
        .await;
    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(
        (report.counts.created, report.counts.updated),
        (0, 1),
        "{report:?}"
    );
    let after = w.mapped(order).await;
    assert_eq!(after.len(), 2);
    let moved = after
        .iter()
        .find(|(k, _)| k == "1:2027-02-03:2027-02-05")
        .expect("re-keyed mapping");
    assert_eq!(moved.1.id, before[0].1.id, "the same reservation, moved");
    assert_eq!(
        (moved.1.check_in, moved.1.check_out, moved.1.status),
        (
            date("2027-02-03"),
            date("2027-02-05"),
            ReservationStatus::Confirmed
        )
    );
    let dropped = after.iter().find(|(_, r)| r.id == before[1].1.id).unwrap();
    assert_eq!(dropped.1.status, ReservationStatus::Cancelled);
    assert_eq!(w.reservations().await.len(), 2);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_unmapped_room_type_fails_that_booking_and_the_run_goes_on(pool: PgPool) {
    let w = World::start(pool).await;
    sqlx::query(
        "UPDATE qloapps_room_type_mappings SET is_active = false WHERE qloapps_room_type_id = 4",
    )
    .execute(&w.pool)
    .await
    .unwrap();
    let unmapped = w.book(Spec::new(4, "2027-02-01", "2027-02-03", 1)).await;
    let fine = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;

    let report = w.pull(PullKind::Full).await;

    assert_eq!(
        (
            report.counts.processed,
            report.counts.created,
            report.counts.failed
        ),
        (2, 1, 1)
    );
    assert!(w.mapped(unmapped).await.is_empty());
    assert_eq!(w.mapped(fine).await.len(), 1);
    let log = w.log(report.run_id).await;
    let failed = log
        .iter()
        .find(|l| l.outcome == "failed")
        .expect("a failed entry");
    assert_eq!(
        failed.qloapps_entity_id,
        Some(i64::try_from(unmapped).unwrap())
    );
    assert!(
        failed
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("room type 4"),
        "{failed:?}"
    );
    let run = w.run(report.run_id).await;
    assert_eq!(
        (run.items_failed, run.success),
        (1, Some(true)),
        "the run itself succeeded"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn orders_of_another_qloapps_hotel_are_skipped(pool: PgPool) {
    let sim = SimConfig {
        hotels: 2,
        ..SimConfig::default()
    };
    let w = World::start_with(pool, sim, PullSettings::default()).await;
    let elsewhere = w
        .book(Spec::new(5, "2027-02-01", "2027-02-03", 1).hotel(2))
        .await;

    let report = w.pull(PullKind::Full).await;

    assert_eq!((report.counts.skipped, report.counts.failed), (1, 0));
    assert!(w.mapped(elsewhere).await.is_empty());
    let log = w.log(report.run_id).await;
    assert!(
        log[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("hotel 1"),
        "{log:?}"
    );
}
