//! The watermark is an instant with the shop zone it was read in: moving `PS_TIMEZONE` either
//! way, or a DST fall-back repeating an hour of shop-local `date_upd`, loses no order.

use chrono::{TimeZone, Utc};
use qlo_sim::SimConfig;
use sqlx::PgPool;
use sync_core::pull::{PullKind, PullSettings};

use crate::helpers::{Spec, World};

async fn shop_in(pool: PgPool, zone: &str) -> World {
    let sim = SimConfig {
        timezone: zone.to_owned(),
        ..SimConfig::default()
    };
    World::start_with(pool, sim, PullSettings::default()).await
}

fn set_zone(w: &World, zone: &str) {
    w.sim.state().write(|shop| shop.set_timezone(zone)).unwrap();
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn moving_the_shop_zone_behind_its_old_one_loses_no_order(pool: PgPool) {
    let w = shop_in(pool, "Asia/Kolkata").await;
    w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    w.pull(PullKind::Full).await;

    // shop-local times now run ~10 h below the stored watermark
    set_zone(&w, "America/New_York");
    let later = w.book(Spec::new(2, "2027-02-01", "2027-02-03", 1)).await;
    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(w.mapped(later).await.len(), 1, "{report:?}");
    assert_eq!(report.counts.created, 1);
    let run = w.run(report.run_id).await;
    let (at, zone): (Option<chrono::DateTime<Utc>>, Option<String>) =
        sqlx::query_as("SELECT watermark_at, watermark_zone FROM qloapps_sync_state WHERE id = $1")
            .bind(run.id)
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!(zone.as_deref(), Some("America/New_York"));
    assert!(at.unwrap() <= Utc::now(), "never in the future");

    // and the next order is not hidden behind old-zone times either
    let next = w.book(Spec::new(3, "2027-02-01", "2027-02-03", 1)).await;
    w.pull(PullKind::Incremental).await;
    assert_eq!(w.mapped(next).await.len(), 1);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn moving_the_shop_zone_ahead_still_sees_changes_made_before_the_switch(pool: PgPool) {
    let w = shop_in(pool, "America/New_York").await;
    let order = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    w.pull(PullKind::Full).await;

    // changed in the old zone after the pull, then the zone moves ~10 h ahead
    w.sim
        .state()
        .write(|shop| shop.advance_clock(chrono::Duration::minutes(5)));
    w.rebook(order, Spec::new(1, "2027-02-01", "2027-02-05", 1))
        .await;
    set_zone(&w, "Asia/Kolkata");
    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(report.counts.updated, 1, "{report:?}");
    let mapped = w.mapped(order).await;
    assert_eq!(mapped[0].1.check_out, crate::helpers::date("2027-02-05"));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_hour_repeated_by_a_dst_fall_back_is_read_again(pool: PgPool) {
    let w = shop_in(pool, "America/New_York").await;
    // 01:40 EDT; at 06:00 UTC the clocks go back from 02:00 EDT to 01:00 EST
    let before = Utc.with_ymd_and_hms(2026, 11, 1, 5, 40, 0).unwrap();
    w.sim
        .state()
        .write(|shop| shop.freeze_clock_at(Some(before)));
    w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    let first = w.pull(PullKind::Full).await;
    assert_eq!(first.watermark.as_deref(), Some("2026-11-01 01:40:00"));

    // 30 minutes later it is 01:10 EST: below the watermark in shop-local time
    w.sim
        .state()
        .write(|shop| shop.advance_clock(chrono::Duration::minutes(30)));
    let repeated = w.book(Spec::new(2, "2027-02-01", "2027-02-03", 1)).await;
    let report = w.pull(PullKind::Incremental).await;

    assert_eq!(w.mapped(repeated).await.len(), 1, "{report:?}");
}
