//! Crash recovery of the rate and availability pushes: a write QloApps applied but qlosync
//! never recorded (the process died in between) is found again, never made twice.

use qlo_sim::SimConfig;
use qlosync_tests::Stack;
use rust_decimal::Decimal;
use sqlx::PgPool;
use sync_core::nightly::rates::SyncMode;

use crate::ari_support::*;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_rule_created_just_before_a_crash_is_adopted_not_created_twice(pool: PgPool) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let (config, rt) = (config_id(&demo), room_type(&demo, 0));
    set_rate(&stack, rt, "2026-12-01", "2026-12-05", Decimal::from(110)).await;
    // the worker recorded the rule as pending, QloApps created it, the worker died
    let name = "qlosync RT1 2026-12-01..2026-12-05";
    let rule_id = foreign_rule(&stack.sim, 1, "2026-12-01", "2026-12-05", 110);
    stack.sim.state().write(|shop| {
        if let Some(rule) = shop.feature_prices.get_mut(&rule_id) {
            rule.name = name.into();
        }
    });
    sqlx::query(
        "INSERT INTO qloapps_rate_rules (id, config_id, room_type_id, qloapps_room_type_id, date_from, date_to, rate, name)
         VALUES (gen_random_uuid(), $1, $2, 1, '2026-12-01', '2026-12-05', 110, $3)",
    )
    .bind(config)
    .bind(rt)
    .bind(name)
    .execute(&stack.pool)
    .await
    .unwrap();
    stack.sim.clear_request_log();

    let range = (d("2026-12-01"), d("2026-12-05"));
    let outcome = s
        .rates
        .sync_rates(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(
        (outcome.rules_created, outcome.rules_unchanged),
        (0, 1),
        "{outcome:?}"
    );
    assert_eq!(
        count(&stack.sim, "feature_prices", "GET"),
        1,
        "one read settles the pending row"
    );
    assert_eq!(
        stack.sim.request_log_handle().total(),
        1,
        "{:?}",
        calls(&stack.sim)
    );
    assert_eq!(owned(&sim_rules(&stack.sim, 1)).len(), 1);
    let recorded: (Option<i64>, String) =
        sqlx::query_as("SELECT qloapps_rule_id, status FROM qloapps_rate_rules")
            .fetch_one(&stack.pool)
            .await
            .unwrap();
    assert_eq!(recorded, (Some(i64::from(rule_id)), "active".to_owned()));
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_hold_booked_just_before_a_crash_is_found_by_its_source_not_booked_twice(pool: PgPool) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let (config, rt) = (config_id(&demo), room_type(&demo, 0));
    let sim = &stack.sim;
    set_available(&stack, rt, "2026-12-01", "2026-12-03", 2).await;
    // the worker recorded the hold as pending, QloApps booked it, the worker died
    let id = uuid::Uuid::new_v4();
    let source = sync_core::domain::order_source::hold_source(id);
    sqlx::query(
        "INSERT INTO qloapps_inventory_holds (id, config_id, room_type_id, qloapps_room_type_id, check_in, check_out, rooms, source)
         VALUES ($1, $2, $3, 1, '2026-12-01', '2026-12-04', 3, $4)",
    )
    .bind(id)
    .bind(config)
    .bind(rt)
    .bind(&source)
    .execute(&stack.pool)
    .await
    .unwrap();
    let order = book(sim, &source, 1, "2026-12-01", "2026-12-04", 3)
        .await
        .unwrap();
    sim.clear_request_log();

    let range = (d("2026-12-01"), d("2026-12-03"));
    let outcome = s
        .availability
        .sync_availability(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(
        (outcome.holds_created, outcome.holds_kept),
        (0, 1),
        "{outcome:?}"
    );
    assert_eq!(count(sim, "bookings", "POST"), 0);
    // orders by source, the shop's order states (is it cancelled?), its room lines,
    // hotel_rooms, hotel_ari
    assert_eq!(sim.request_log_handle().total(), 5, "{:?}", calls(sim));
    let recorded: (Option<i64>, String, usize) = sqlx::query_as(
        "SELECT qloapps_order_id, status, cardinality(room_ids)::bigint FROM qloapps_inventory_holds",
    )
    .fetch_one(&stack.pool)
    .await
    .map(|(o, s, n): (Option<i64>, String, i64)| (o, s, n as usize))
    .unwrap();
    assert_eq!(
        recorded,
        (i64::try_from(order).ok(), "active".to_owned(), 3)
    );
    stack.stop().await;
}
