//! Reservations pushed to QloApps: nothing lost, nothing duplicated (issue: outbound worker).

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, Stack};
use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(20);

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn reservation_created_updated_and_cancelled_ends_as_one_order_in_its_final_state(
    pool: PgPool,
) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;

    let id = demo
        .reserve(&stack, 1, "2026-12-21", "2026-12-23", "300.00")
        .await;
    let order_id = eventually("the order to be mapped", WAIT, || async {
        stack.mapped_order(&id).await
    })
    .await;
    let orders = stack.sim_orders_for(&id);
    assert_eq!(orders.len(), 1, "{orders:?}");
    let order = &orders[0];
    assert_eq!(i64::from(order.id), order_id);
    assert_eq!(
        order.lines,
        vec![(2, "2026-12-21".into(), "2026-12-23".into())]
    );
    assert_eq!(order.customer_email, "anna.keller@example.com");
    assert_eq!(order.total_tax_excl, "300.00".parse().unwrap());

    stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{id}"),
            Some(json!({"checkOut": "2026-12-25", "totalPrice": "500.00"})),
        )
        .await;
    eventually("the new dates in QloApps", WAIT, || async {
        let o = &stack.sim_orders_for(&id)[0];
        (o.lines == vec![(2, "2026-12-21".into(), "2026-12-25".into())]).then_some(())
    })
    .await;
    assert_eq!(
        stack.sim_orders_for(&id)[0].total_tax_excl,
        "500.00".parse().unwrap()
    );

    stack
        .ok(Method::POST, &format!("/reservations/{id}/cancel"), None)
        .await;
    let canceled = 4; // PS_OS_CANCELED of a fresh install
    eventually("the order to be cancelled", WAIT, || async {
        (stack.sim_orders_for(&id)[0].current_state == canceled).then_some(())
    })
    .await;

    assert_eq!(
        stack.sim_orders_for(&id).len(),
        1,
        "still exactly one order"
    );
    // QloApps shows the cancellation a moment before the worker commits its log entry
    let log: Vec<(String, String)> = eventually("the cancellation logged", WAIT, || async {
        let log: Vec<(String, String)> = sqlx::query_as(
            "SELECT operation, outcome FROM qloapps_sync_log WHERE local_entity_id = $1::uuid ORDER BY id",
        )
        .bind(&id)
        .fetch_all(&stack.pool)
        .await
        .unwrap();
        (log.len() >= 3).then_some(log)
    })
    .await;
    let outcomes: Vec<&str> = log.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(outcomes, ["created", "updated", "cancelled"], "{log:?}");
    let pushes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM qloapps_sync_state WHERE sync_type = 'reservation_push' AND direction = 'outbound' AND success",
    )
    .fetch_one(&stack.pool)
    .await
    .unwrap();
    assert_eq!(pushes, 3);
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}
