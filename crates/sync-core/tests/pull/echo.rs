//! Echo suppression: orders qlosync pushed (`pms:<uuid>`) or holds (`qlosync-hold:`) never
//! become PMS reservations; a pushed order edited in QloApps updates its reservation when the
//! QloApps change is the newer one, and is not pushed back.

use rust_decimal::Decimal;
use sqlx::PgPool;
use sync_core::db;
use sync_core::domain::guest::NewGuest;
use sync_core::domain::reservation::NewReservation;
use sync_core::domain::{ReservationId, ReservationSource, ReservationStatus};
use sync_core::pull::PullKind;
use sync_core::push::PushOutcome;

use crate::helpers::{date, Spec, World};

async fn pms_reservation(w: &World) -> ReservationId {
    let guest = NewGuest {
        first_name: "Anna".into(),
        last_name: "Keller".into(),
        email: Some("anna.keller@example.com".into()),
        phone: None,
        possible_duplicate: false,
    };
    let guest = db::guests::insert_guest(&w.pool, w.property, &guest)
        .await
        .unwrap();
    let new = NewReservation {
        property_id: w.property,
        room_type_id: w.room_types[0],
        guest_id: guest.id,
        check_in: date("2027-02-01"),
        check_out: date("2027-02-03"),
        number_of_rooms: 1,
        adults: 2,
        children: 1,
        total_price: Decimal::from(150),
        currency: "USD".into(),
        source: ReservationSource::Pms,
        notes: None,
    };
    db::reservations::insert_reservation(&w.pool, &new)
        .await
        .unwrap()
        .id
}

async fn mapped_order_of(w: &World, reservation: ReservationId) -> Option<(i64, String)> {
    sqlx::query_as("SELECT qloapps_booking_id, qloapps_line_key FROM qloapps_reservation_mappings WHERE local_reservation_id = $1")
        .bind(reservation)
        .fetch_optional(&w.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_order_pushed_by_qlosync_refreshes_its_mapping_and_status_only(pool: PgPool) {
    let w = World::start(pool).await;
    let reservation = pms_reservation(&w).await;
    // the push created the order, then died before storing the mapping
    let order = w
        .book_with_source(
            &format!("pms:{reservation}"),
            Spec::new(1, "2027-02-01", "2027-02-03", 1),
        )
        .await;

    let first = w.pull(PullKind::Full).await;

    assert_eq!((first.counts.created, first.counts.skipped), (0, 1));
    assert_eq!(w.reservations().await.len(), 1, "no second reservation");
    assert_eq!(
        mapped_order_of(&w, reservation).await,
        Some((i64::try_from(order).unwrap(), String::new()))
    );
    let log = w.log(first.run_id).await;
    assert!(
        log[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("restored"),
        "{log:?}"
    );

    // changed in QloApps (dates) after the push: the newer side wins
    w.rebook(order, Spec::new(1, "2027-02-01", "2027-02-05", 1))
        .await;
    let second = w.pull(PullKind::Incremental).await;
    assert_eq!((second.counts.updated, second.counts.skipped), (1, 0));
    assert_eq!(
        w.reservation(reservation).await.check_out,
        date("2027-02-05")
    );

    w.cancel(order).await;
    let third = w.pull(PullKind::Incremental).await;
    assert_eq!(third.counts.updated, 1);
    assert_eq!(
        w.reservation(reservation).await.status,
        ReservationStatus::Cancelled
    );
    assert_eq!(w.reservations().await.len(), 1);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn holds_and_unknown_pushed_reservations_create_nothing(pool: PgPool) {
    let w = World::start(pool).await;
    w.book_with_source(
        "qlosync-hold:7d3c",
        Spec::new(1, "2027-02-01", "2027-02-03", 1),
    )
    .await;
    w.book_with_source(
        &format!("pms:{}", uuid::Uuid::new_v4()),
        Spec::new(2, "2027-02-01", "2027-02-03", 1),
    )
    .await;
    w.sim.clear_request_log();

    let report = w.pull(PullKind::Full).await;

    assert_eq!(
        (
            report.counts.processed,
            report.counts.skipped,
            report.counts.created
        ),
        (2, 2, 0)
    );
    assert!(w.reservations().await.is_empty());
    let guests: i64 = sqlx::query_scalar("SELECT count(*) FROM guests")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(guests, 0);
    assert_eq!(
        (w.calls("room_bookings"), w.calls("customers")),
        (1, 0),
        "room lines to compare pushed orders with; no customers"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_pushed_order_moved_in_qloapps_moves_its_reservation_and_is_not_pushed_back(
    pool: PgPool,
) {
    let w = World::start(pool).await;
    let push = w.push_service();
    let reservation = pms_reservation(&w).await;
    let pushed = push.push_reservation(w.config, reservation).await.unwrap();
    let PushOutcome::Created { order_id, .. } = pushed else {
        panic!("{pushed:?}");
    };
    let first = w.pull(PullKind::Incremental).await;
    assert_eq!(
        (first.counts.skipped, first.counts.updated),
        (1, 0),
        "{first:?}"
    );

    // the back office moves the stay by one day (PUT bookings), a few seconds later
    w.sim
        .state()
        .write(|shop| shop.advance_clock(chrono::Duration::seconds(5)));
    w.rebook(order_id, Spec::new(1, "2027-02-02", "2027-02-04", 1))
        .await;
    let second = w.pull(PullKind::Incremental).await;

    let r = w.reservation(reservation).await;
    assert_eq!(
        (r.check_in, r.check_out),
        (date("2027-02-02"), date("2027-02-04")),
        "{second:?}"
    );
    assert_eq!(r.status, ReservationStatus::Confirmed);
    let log = w.log(second.run_id).await;
    let entry = &log[0];
    assert_eq!(entry.outcome, "updated", "{log:?}");
    let details = entry.details.as_ref().expect("both versions logged");
    assert_eq!(details["winner"], "qloapps");
    assert_eq!(
        details["pms"]["checkIn"], "2027-02-01",
        "the losing version is kept"
    );

    // the change came from QloApps: pushing the reservation now sends nothing
    w.sim.clear_request_log();
    let again = push.push_reservation(w.config, reservation).await.unwrap();
    assert!(matches!(again, PushOutcome::Skipped { .. }), "{again:?}");
    assert_eq!(w.sim.request_count("bookings", "PUT"), 0);
    let third = w.pull(PullKind::Incremental).await;
    assert_eq!(third.counts.updated, 0, "{third:?}");
}
