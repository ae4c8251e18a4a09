//! Orders a pull could not apply are kept and retried until they succeed (docs/pull-failures.md).

use sqlx::PgPool;
use sync_core::db;
use sync_core::db::qloapps_room_type_mappings::RoomTypeMappingPatch;
use sync_core::pull::PullKind;

use crate::helpers::{Spec, World};

async fn set_mapping_of_4(w: &World, active: bool) {
    let mapping = db::qloapps_room_type_mappings::list_mappings(&w.pool, w.config)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.qloapps_room_type_id == 4)
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
