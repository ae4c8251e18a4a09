//! Orders a pull could not apply are kept and retried until they succeed (docs/pull-failures.md).

use std::time::Duration;

use qlo_sim::SimConfig;
use sqlx::PgPool;
use sync_core::db;
use sync_core::db::qloapps_room_type_mappings::RoomTypeMappingPatch;
use sync_core::pull::{Backoff, PullKind, PullSettings};

use crate::helpers::{Spec, World};

async fn set_mapping_of_4(w: &World, active: bool) {
    let mapping = db::qloapps_room_type_mappings::list_mappings(&w.pool, w.config)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.qloapps_room_type_id.get() == 4)
        .unwrap();
    let patch = RoomTypeMappingPatch {
        is_active: Some(active),
        ..RoomTypeMappingPatch::default()
    };
    db::qloapps_room_type_mappings::update_mapping(&w.pool, w.config, mapping.id, &patch)
        .await
        .unwrap()
        .unwrap();
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_order_that_failed_on_an_unmapped_room_type_arrives_once_the_mapping_is_back(
    pool: PgPool,
) {
    let w = World::start(pool).await;
    set_mapping_of_4(&w, false).await;
    let x = w.book(Spec::new(4, "2027-02-01", "2027-02-03", 1)).await;
    let first = w.pull(PullKind::Incremental).await;
    assert_eq!(first.counts.failed, 1, "{first:?}");

    // a few minutes later, well past the overlap margin, order Y is made and pulled
    w.sim
        .state()
        .write(|shop| shop.advance_clock(chrono::Duration::minutes(5)));
    let y = w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;
    let second = w.pull(PullKind::Incremental).await;
    assert_eq!(w.mapped(y).await.len(), 1, "{second:?}");
    assert!(w.mapped(x).await.is_empty());

    set_mapping_of_4(&w, true).await;
    let third = w.pull(PullKind::Incremental).await;

    let mapped = w.mapped(x).await;
    assert_eq!(mapped.len(), 1, "X arrives: {third:?}");
    assert_eq!(mapped[0].1.room_type_id, w.room_types[3]);
    assert_eq!(third.sync_type, "incremental");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_failed_order_is_retried_with_back_off_until_an_operator_discards_it(pool: PgPool) {
    let settings = PullSettings {
        retry_backoff: Backoff {
            initial: Duration::ZERO,
            max: Duration::ZERO,
        },
        ..PullSettings::default()
    };
    let w = World::start_with(pool, SimConfig::default(), settings).await;
    set_mapping_of_4(&w, false).await;
    let at = |s: &str| sync_core::pull::watermark::parse(s).unwrap();
    w.sim
        .state()
        .write(|shop| shop.freeze_clock(Some(at("2026-11-01 10:00:00"))));
    let x = w.book(Spec::new(4, "2027-02-01", "2027-02-03", 1)).await;
    w.pull(PullKind::Incremental).await;
    // two hours on, an order moves the watermark far past X
    w.sim
        .state()
        .write(|shop| shop.freeze_clock(Some(at("2026-11-01 12:00:00"))));
    w.book(Spec::new(1, "2027-02-01", "2027-02-03", 1)).await;

    let second = w.pull(PullKind::Incremental).await;
    assert_eq!(
        (second.retried, second.counts.failed, second.counts.created),
        (1, 1, 1),
        "X retried once, though also in the window: {second:?}"
    );
    assert_eq!(second.watermark.as_deref(), Some("2026-11-01 12:00:00"));
    let failures = db::qloapps_pull_failures::list_failures(&w.pool, w.config, false)
        .await
        .unwrap();
    assert_eq!(failures.len(), 1);
    let f = &failures[0];
    assert_eq!(f.qloapps_order_id.get(), x);
    assert_eq!(f.attempts, 2);
    assert!(f.reason.contains("room type 4"), "{f:?}");
    assert!(f.first_seen_at < f.last_seen_at);

    // with the default back-off a fresh failure is not due on the next pull
    let patient = w.other_service(PullSettings::default());
    let third = patient.pull(w.config, PullKind::Incremental).await.unwrap();
    assert_eq!(
        (third.retried, third.counts.failed),
        (1, 1),
        "back-off over (zero), and only the failure set brings X back: {third:?}"
    );
    let slow = db::qloapps_pull_failures::list_failures(&w.pool, w.config, false)
        .await
        .unwrap();
    assert!(
        slow[0].next_retry_at > slow[0].last_seen_at,
        "the default backs off"
    );
    let fourth = patient.pull(w.config, PullKind::Incremental).await.unwrap();
    assert_eq!(fourth.retried, 0, "not due yet");

    let discarded =
        db::qloapps_pull_failures::discard_failure(&w.pool, w.config, f.qloapps_order_id, "test")
            .await
            .unwrap()
            .unwrap();
    assert!(discarded.discarded_at.is_some());
    db::qloapps_pull_failures::mark_due(&w.pool, w.config)
        .await
        .unwrap();
    let fifth = w.pull(PullKind::Incremental).await;
    assert_eq!(fifth.retried, 0, "a discarded order is not retried");
    assert!(
        db::qloapps_pull_failures::list_failures(&w.pool, w.config, false)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db::qloapps_pull_failures::list_failures(&w.pool, w.config, true)
            .await
            .unwrap()
            .len(),
        1,
        "kept for the record"
    );

    // a full sync applies it once the mapping is back, and the row goes
    set_mapping_of_4(&w, true).await;
    w.pull(PullKind::Full).await;
    assert_eq!(w.mapped(x).await.len(), 1);
    assert!(
        db::qloapps_pull_failures::list_failures(&w.pool, w.config, true)
            .await
            .unwrap()
            .is_empty()
    );
}
