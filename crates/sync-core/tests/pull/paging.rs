//! Paging: ties on `date_upd`, shop time zones, orders changing mid-pull, bounded memory and
//! the call budget (3 calls a page), counted from the simulator's request log.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use qlo_sim::{Fault, SeedSpec, SimConfig};
use sqlx::PgPool;
use sync_core::pull::{PullKind, PullSettings};

use crate::helpers::{Spec, World};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

async fn distinct_mapped_orders(w: &World) -> i64 {
    sqlx::query_scalar("SELECT count(DISTINCT qloapps_booking_id) FROM qloapps_reservation_mappings WHERE config_id = $1")
        .bind(w.config)
        .fetch_one(&w.pool)
        .await
        .unwrap()
}

fn seed(w: &World, count: u32, spread_secs: i64) {
    w.sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count,
            spread_secs,
            id_hotel: Some(1),
            ..SeedSpec::default()
        })
    });
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn pages_of_orders_sharing_one_date_upd_miss_nothing_and_duplicate_nothing(pool: PgPool) {
    let w = World::start(pool).await;
    w.sim
        .state()
        .write(|shop| shop.freeze_clock(Some(at("2026-11-20 10:00:00"))));
    seed(&w, 250, 0);
    w.sim
        .state()
        .write(|shop| shop.freeze_clock(Some(at("2026-11-20 10:00:01"))));
    seed(&w, 30, 0);
    w.sim.clear_request_log();

    let report = w.pull(PullKind::Full).await;

    assert_eq!(
        (
            report.counts.processed,
            report.counts.created,
            report.counts.failed
        ),
        (280, 280, 0),
        "{report:?}"
    );
    assert_eq!(w.reservations().await.len(), 280);
    assert_eq!(distinct_mapped_orders(&w).await, 280);
    // pages: 100 | 101 (1 overlap) | 81 (1 overlap): 3 order reads, each with one room_bookings and one customers read
    assert_eq!(
        (
            w.calls("orders"),
            w.calls("room_bookings"),
            w.calls("customers")
        ),
        (3, 3, 3)
    );
    assert_eq!(report.pages, 3);
    assert_eq!(report.watermark.as_deref(), Some("2026-11-20 10:00:01"));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_shop_far_from_utc_misses_nothing(pool: PgPool) {
    for zone in ["Pacific/Kiritimati", "America/Los_Angeles"] {
        let pool = pool.clone();
        let sim = SimConfig {
            timezone: zone.to_owned(),
            ..SimConfig::default()
        };
        let w = World::start_with(pool, sim, PullSettings::default()).await;
        w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
        let first = w.pull(PullKind::Incremental).await;
        assert_eq!(first.counts.created, 1, "{zone}");
        // a booking made now, in shop-local time: hours away from UTC either way
        w.book(Spec::new(2, "2027-02-01", "2027-02-03", 1)).await;
        w.sim
            .state()
            .write(|shop| shop.advance_clock(chrono::Duration::seconds(90)));
        let third = w.book(Spec::new(3, "2027-02-01", "2027-02-03", 1)).await;
        let second = w.pull(PullKind::Incremental).await;
        assert_eq!(
            (second.sync_type, second.counts.created),
            ("incremental", 2),
            "{zone}: {second:?}"
        );
        assert_eq!(w.reservations().await.len(), 3, "{zone}");
        let local_now = w.sim.state().read(|shop| {
            shop.orders
                .order(u32::try_from(third).unwrap())
                .unwrap()
                .date_upd
        });
        // shop-local, and never after the run started: the shop's clock ran 90 s ahead of ours
        let mark = sync_core::pull::watermark::parse(second.watermark.as_deref().unwrap()).unwrap();
        assert!(
            mark <= local_now && mark >= local_now - chrono::Duration::seconds(120),
            "{zone}: {mark} against the shop's {local_now}"
        );
        w.sim.shutdown().await;
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn orders_changed_while_being_paged_are_neither_missed_nor_duplicated(pool: PgPool) {
    let settings = PullSettings {
        page_size: 20,
        ..PullSettings::default()
    };
    let w = World::start_with(pool, SimConfig::default(), settings).await;
    let t0 = at("2026-11-20 10:00:00");
    w.sim.state().write(|shop| shop.freeze_clock(Some(t0)));
    seed(&w, 150, 0);
    w.sim.faults().add(
        Fault::latency(Duration::from_millis(30))
            .on("orders")
            .method("GET"),
    );
    let sim_state = w.sim.state().clone();
    let changer = tokio::spawn(async move {
        // while the pull pages through the tie, orders it has already read move out of it
        for (round, id) in (1..=40u32).step_by(3).enumerate() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let later = t0 + chrono::Duration::seconds(1 + i64::try_from(round).unwrap());
            sim_state.write(|shop| shop.orders.update_order(id, |o| o.date_upd = later));
        }
    });

    let report = w.pull(PullKind::Full).await;
    changer.await.unwrap();

    assert_eq!(report.counts.failed, 0);
    assert!(
        report.restarts >= 1,
        "the rows shifted under the pager: {report:?}"
    );
    assert_eq!(w.reservations().await.len(), 150, "{report:?}");
    assert_eq!(distinct_mapped_orders(&w).await, 150);
    let again = w.pull(PullKind::Incremental).await;
    assert_eq!(again.counts.created, 0);
    assert_eq!(w.reservations().await.len(), 150);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn ten_thousand_bookings_are_pulled_one_page_at_a_time(pool: PgPool) {
    let w = World::start(pool).await;
    seed(&w, 10_000, 1);
    w.sim.clear_request_log();
    let started = Instant::now();

    let report = w.pull(PullKind::Incremental).await;

    let elapsed = started.elapsed();
    assert_eq!(
        (report.counts.created, report.counts.failed),
        (10_000, 0),
        "{report:?}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM reservations")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(count, 10_000);
    assert!(
        report.peak_orders_in_memory <= 101,
        "held {} orders at once",
        report.peak_orders_in_memory
    );
    // 100 full pages; the last order read returns only the overlap row
    assert_eq!(
        (
            w.calls("orders"),
            w.calls("room_bookings"),
            w.calls("customers")
        ),
        (101, 100, 100)
    );
    assert_eq!(report.pages, 100);
    eprintln!("pulled 10,000 bookings in {elapsed:?}");
}
