//! Conflicts: a cancellation on either side wins; otherwise the newer change wins; the loser is
//! logged (outcome 'conflict') with both versions.

use sqlx::PgPool;
use sync_core::db;
use sync_core::domain::reservation::ReservationPatch;
use sync_core::domain::{Reservation, ReservationStatus};
use sync_core::pull::PullKind;

use crate::helpers::{date, LogRow, Spec, World};

async fn booked_and_pulled(w: &World) -> (u64, Reservation) {
    let order = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    w.pull(PullKind::Full).await;
    let (_, r) = w.mapped(order).await.remove(0);
    (order, r)
}

async fn pms_changes_price(w: &World, r: &Reservation) {
    let patch = ReservationPatch {
        total_price: Some("999.00".parse().unwrap()),
        ..ReservationPatch::default()
    };
    db::reservations::update_reservation(&w.pool, r.id, &patch)
        .await
        .unwrap();
}

fn later_in_qloapps(w: &World) {
    w.sim
        .state()
        .write(|shop| shop.advance_clock(chrono::Duration::seconds(10)));
}

fn conflict(log: &[LogRow]) -> &LogRow {
    log.iter()
        .find(|l| l.outcome == "conflict")
        .unwrap_or_else(|| panic!("no conflict in {log:?}"))
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_newer_pms_change_is_kept_and_the_qloapps_version_logged(pool: PgPool) {
    let w = World::start(pool).await;
    let (order, r) = booked_and_pulled(&w).await;
    w.rebook(order, Spec::new(1, "2027-02-01", "2027-02-04", 1))
        .await;
    pms_changes_price(&w, &r).await;

    let report = w.pull(PullKind::Incremental).await;

    let now = w.reservation(r.id).await;
    assert_eq!(
        (now.check_out, now.total_price),
        (date("2027-02-03"), "999.00".parse().unwrap()),
        "not overwritten"
    );
    assert_eq!((report.counts.updated, report.counts.skipped), (0, 1));
    let log = w.log(report.run_id).await;
    let details = conflict(&log).details.clone().unwrap();
    assert_eq!(details["winner"], "pms");
    assert_eq!(details["pms"]["totalPrice"], "999.00");
    assert_eq!(details["qloapps"]["checkOut"], "2027-02-04");
    assert_eq!(details["qloapps"]["lineKey"], "1:2027-02-01:2027-02-04");

    let again = w.pull(PullKind::Incremental).await;
    assert!(
        w.log(again.run_id)
            .await
            .iter()
            .all(|l| l.outcome != "conflict"),
        "judged once"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_newer_qloapps_change_wins_over_an_earlier_pms_change(pool: PgPool) {
    let w = World::start(pool).await;
    let (order, r) = booked_and_pulled(&w).await;
    pms_changes_price(&w, &r).await;
    later_in_qloapps(&w);
    w.rebook(order, Spec::new(1, "2027-02-01", "2027-02-04", 1))
        .await;

    let report = w.pull(PullKind::Incremental).await;

    let now = w.reservation(r.id).await;
    assert_eq!(
        (now.check_out, now.total_price),
        (date("2027-02-04"), "150.00".parse().unwrap())
    );
    assert_eq!(report.counts.updated, 1);
    let details = conflict(&w.log(report.run_id).await)
        .details
        .clone()
        .unwrap();
    assert_eq!(details["winner"], "qloapps");
    assert_eq!(
        details["pms"]["totalPrice"], "999.00",
        "the losing PMS version"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_qloapps_cancellation_wins_over_a_newer_pms_change(pool: PgPool) {
    let w = World::start(pool).await;
    let (order, r) = booked_and_pulled(&w).await;
    w.cancel(order).await;
    pms_changes_price(&w, &r).await;

    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(
        w.reservation(r.id).await.status,
        ReservationStatus::Cancelled
    );
    let details = conflict(&w.log(report.run_id).await)
        .details
        .clone()
        .unwrap();
    assert_eq!(
        (details["winner"].as_str(), details["rule"].as_str()),
        (Some("qloapps"), Some("a cancellation wins over an update"))
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_pms_cancellation_wins_over_a_newer_qloapps_change(pool: PgPool) {
    let w = World::start(pool).await;
    let (order, r) = booked_and_pulled(&w).await;
    db::reservations::cancel_reservation(&w.pool, r.id)
        .await
        .unwrap();
    later_in_qloapps(&w);
    w.rebook(order, Spec::new(1, "2027-02-01", "2027-02-04", 1))
        .await;

    let report = w.pull(PullKind::Incremental).await;

    let now = w.reservation(r.id).await;
    assert_eq!(
        (now.status, now.check_out),
        (ReservationStatus::Cancelled, date("2027-02-03"))
    );
    let details = conflict(&w.log(report.run_id).await)
        .details
        .clone()
        .unwrap();
    assert_eq!(
        (
            details["winner"].as_str(),
            details["pms"]["status"].as_str()
        ),
        (Some("pms"), Some("cancelled"))
    );
}
