//! Reconciliation: drift made in QloApps behind qlosync's back is reported per room type and
//! night, a dry run changes nothing, a fix brings the drift to zero (issue: rates and
//! availability sync).

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::Stack;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sqlx::PgPool;
use sync_core::nightly::rates::SyncMode;
use sync_core::reconcile::{run_once, ReconcileContext, ReconcileSettings};

use crate::ari_support::*;

const CANCELED: u32 = 4;

/// Night strings of a drift list.
fn drift_nights(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|n| n["night"].as_str().expect("night").to_owned())
        .collect()
}

fn december(from: u32, to: u32) -> Vec<String> {
    (from..=to).map(|day| format!("2026-12-{day:02}")).collect()
}

async fn owned_state(stack: &Stack) -> (Vec<String>, Vec<String>) {
    let rules = sqlx::query_scalar("SELECT concat_ws(' ', qloapps_rule_id, date_from, date_to, rate, status) FROM qloapps_rate_rules ORDER BY 1")
        .fetch_all(&stack.pool)
        .await
        .expect("owned rows");
    let holds = sqlx::query_scalar("SELECT concat_ws(' ', qloapps_order_id, check_in, check_out, rooms, status) FROM qloapps_inventory_holds ORDER BY 1")
        .fetch_all(&stack.pool)
        .await
        .expect("owned rows");
    (rules, holds)
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn drift_made_in_qloapps_is_reported_a_dry_run_changes_nothing_and_a_fix_clears_it(
    pool: PgPool,
) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let (config, rt) = (config_id(&demo), room_type(&demo, 0)); // QloApps room type 1
    let sim = &stack.sim;
    set_rate(&stack, rt, "2026-12-01", "2026-12-10", Decimal::from(100)).await;
    set_rate(&stack, rt, "2026-12-11", "2026-12-20", Decimal::from(130)).await;
    set_available(&stack, rt, "2026-12-01", "2026-12-20", 2).await;
    let range = (d("2026-12-01"), d("2026-12-20"));
    s.rates
        .sync_rates(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    let holds = s
        .availability
        .sync_availability(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(holds.holds_created, 1);

    // drift, made in the QloApps back office: one rule repriced, one deleted, the hold
    // cancelled; and a guest books a room through another channel
    let rules = sim_rules(sim, 1);
    sim.state().write(|shop| {
        let first = rules
            .iter()
            .find(|r| r.2 == d("2026-12-01"))
            .expect("rule")
            .0;
        let second = rules
            .iter()
            .find(|r| r.2 == d("2026-12-11"))
            .expect("rule")
            .0;
        if let Some(rule) = shop.feature_prices.get_mut(&first) {
            rule.impact_value = Decimal::from(999);
        }
        shop.feature_prices.remove(&second);
        let hold = shop
            .orders
            .orders()
            .find(|o| o.source.starts_with("qlosync-hold:"))
            .expect("hold")
            .id;
        shop.orders
            .update_order(hold, |o| o.current_state = CANCELED);
    });
    let guest = book(sim, "ota:7", 1, "2026-12-15", "2026-12-16", 1)
        .await
        .unwrap();

    let path = format!("/qloapps/configs/{}/reconcile", demo.config_id);
    let window =
        json!({"dryRun": true, "from": "2026-12-01", "to": "2026-12-31", "scope": "inventory"});
    let before = owned_state(&stack).await;
    sim.clear_request_log();
    let report = stack.ok(Method::POST, &path, Some(window.clone())).await;
    let mine = report["roomTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["qloappsRoomTypeId"] == 1)
        .cloned()
        .expect("room type 1");
    assert_eq!(drift_nights(&mine["rates"]), december(1, 20), "{mine}");
    assert_eq!(
        mine["rates"][0],
        json!({"night": "2026-12-01", "pms": "100.00", "qloapps": "999"})
    );
    assert_eq!(
        mine["rates"][10]["qloapps"], "1000",
        "the deleted rule leaves the base price"
    );
    assert_eq!(drift_nights(&mine["availability"]), december(1, 20));
    assert_eq!(
        mine["availability"][0],
        json!({"night": "2026-12-01", "pms": 2, "qloapps": 5})
    );
    assert_eq!(
        mine["availability"][14],
        json!({"night": "2026-12-15", "pms": 2, "qloapps": 4})
    );
    assert_eq!(report["availabilityDriftNights"], 20);
    assert_eq!(report["rateDriftNights"], 20);
    for other in report["roomTypes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["qloappsRoomTypeId"] != 1)
    {
        assert_eq!(
            (other["rates"].clone(), other["availability"].clone()),
            (json!([]), json!([])),
            "{other}"
        );
    }
    // hotel_rooms, one hotel_ari chunk, room_types, feature_prices of the 4 mapped room types
    assert_eq!(count(sim, "hotel_ari", "POST"), 1);
    assert_eq!(count(sim, "feature_prices", "GET"), 4);
    assert_eq!(sim.request_log_handle().total(), 7, "{:?}", calls(sim));
    assert_eq!(
        owned_state(&stack).await,
        before,
        "a dry run changes nothing"
    );

    sim.clear_request_log();
    let fix =
        json!({"dryRun": false, "from": "2026-12-01", "to": "2026-12-31", "scope": "inventory"});
    let fixed = stack.ok(Method::POST, &path, Some(fix)).await;
    let done = &fixed["fixes"][0];
    assert_eq!(done["rates"]["rulesUpdated"], 1, "{fixed}");
    assert_eq!(done["rates"]["rulesCreated"], 1);
    assert_eq!(done["availability"]["holdsCreated"], 3, "{fixed}");
    assert!(done["error"].is_null());
    assert_eq!(count(sim, "feature_prices", "PUT"), 1);
    assert_eq!(count(sim, "feature_prices", "POST"), 1);
    assert_eq!(
        count(sim, "bookings", "POST"),
        3,
        "holds: 1-14 (3 rooms), 15 (2), 16-20 (3)"
    );
    assert_eq!(
        count(sim, "order_histories", "POST"),
        0,
        "the cancelled hold is not cancelled twice"
    );

    let after = stack.ok(Method::POST, &path, Some(window)).await;
    assert_eq!(after["availabilityDriftNights"], 0, "{after}");
    assert_eq!(after["rateDriftNights"], 0, "{after}");
    let prices = qloapps_prices(sim, 1, d("2026-12-01"), d("2026-12-20")).await;
    assert!(prices
        .iter()
        .all(|(n, p)| *p == Decimal::from(if *n <= d("2026-12-10") { 100 } else { 130 })));
    let guest_state = sim.state().read(|shop| {
        shop.orders
            .order(u32::try_from(guest).unwrap())
            .map(|o| o.current_state)
    });
    assert_ne!(
        guest_state,
        Some(CANCELED),
        "the guest's booking is not qlosync's"
    );
    let runs: Vec<String> = sqlx::query_scalar(
        "SELECT sync_type FROM qloapps_sync_state WHERE operation = 'reconcile' ORDER BY started_at",
    )
    .fetch_all(&stack.pool)
    .await
    .unwrap();
    assert_eq!(runs, ["reconcile_check", "reconcile", "reconcile_check"]);
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_scheduled_job_fixes_each_enabled_config_once_per_interval(pool: PgPool) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let rt = room_type(&demo, 0);
    set_available(&stack, rt, "2026-12-01", "2026-12-10", 2).await;
    let ctx = ReconcileContext {
        pool: stack.pool.clone(),
        clients: s.clients.clone(),
        settings: ReconcileSettings {
            interval: Duration::from_secs(3600),
            horizon_days: 30,
            fix: true,
            ..ReconcileSettings::default()
        },
    };
    let first = run_once(&ctx).await.unwrap();
    assert_eq!(first.len(), 1);
    let report = first[0].result.as_ref().expect("reconciled");
    assert_eq!(report.availability_drift_nights, 10);
    assert_eq!(
        sim_orders(&stack.sim, "qlosync-hold:").len(),
        1,
        "the job made the hold"
    );
    assert!(
        run_once(&ctx).await.unwrap().is_empty(),
        "not due again within the interval"
    );
    stack.stop().await;
}
