//! Pushes under failure: QloApps faults, stock PHP 8 answers, a killed worker, a lost broker.

use std::time::Duration;

use qlo_sim::{Fault, SimConfig};
use qlosync_tests::{eventually, Stack};
use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(20);
const CANCELED: u32 = 4;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn qloapps_faults_after_the_write_never_duplicate_an_order(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let faults = [
        ("500 after write", Fault::error_after_write()),
        (
            "timeout after write",
            Fault::timeout_after_write(Duration::from_secs(3)),
        ),
        (
            "dropped connection after write",
            Fault::drop_connection_after_write(),
        ),
    ];
    for (n, (name, fault)) in faults.into_iter().enumerate() {
        stack
            .sim
            .faults()
            .add(fault.on("bookings").method("POST").times(1));
        let day = 10 + 3 * n;
        let id = demo
            .reserve(
                &stack,
                0,
                &format!("2027-01-{day:02}"),
                &format!("2027-01-{:02}", day + 2),
                "200.00",
            )
            .await;
        let mapped = eventually(name, WAIT, || async { stack.mapped_order(&id).await }).await;
        let orders = stack.sim_orders_for(&id);
        assert_eq!(orders.len(), 1, "{name}: {orders:?}");
        assert_eq!(
            i64::from(orders[0].id),
            mapped,
            "{name}: the mapping names the order"
        );
        assert_eq!(
            stack.sim.request_count("bookings", "POST"),
            n as u64 + 1,
            "{name}: the POST was never repeated after it wrote"
        );
    }
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn stock_php8_answers_still_create_update_and_cancel_exactly_once(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.sim.set_stock_php8(true);
    stack.start_worker(false).await;
    let demo = stack.demo().await;

    let id = demo
        .reserve(&stack, 2, "2027-02-01", "2027-02-04", "900.00")
        .await;
    eventually("the order mapped", WAIT, || async {
        stack.mapped_order(&id).await
    })
    .await;
    stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{id}"),
            Some(json!({"checkIn": "2027-02-02", "checkOut": "2027-02-06"})),
        )
        .await;
    eventually("the new dates", WAIT, || async {
        let orders = stack.sim_orders_for(&id);
        (orders[0].lines == vec![(3, "2027-02-02".into(), "2027-02-06".into())]).then_some(())
    })
    .await;
    stack
        .ok(Method::POST, &format!("/reservations/{id}/cancel"), None)
        .await;
    eventually("the cancellation", WAIT, || async {
        (stack.sim_orders_for(&id)[0].current_state == CANCELED).then_some(())
    })
    .await;

    assert_eq!(stack.sim_orders_for(&id).len(), 1);
    assert_eq!(
        stack.sim.request_count("bookings", "GET"),
        0,
        "never depends on GET bookings/{{id}}"
    );
    assert!(
        stack.dead_letters().await.is_empty(),
        "nothing dead-lettered"
    );
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM qloapps_sync_log WHERE NOT success")
        .fetch_one(&stack.pool)
        .await
        .unwrap();
    assert_eq!(failed, 0, "every push succeeded on its first attempt");
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_worker_killed_between_the_qloapps_call_and_the_ack_leaves_one_order(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let first = stack.start_worker(true).await;
    let demo = stack.demo().await;
    // the booking is written, then the answer hangs: the worker dies waiting for it
    stack.sim.faults().add(
        Fault::timeout_after_write(Duration::from_secs(5))
            .on("bookings")
            .method("POST")
            .times(1),
    );

    let id = demo
        .reserve(&stack, 0, "2027-03-01", "2027-03-03", "250.00")
        .await;
    eventually("the order written in QloApps", WAIT, || async {
        (!stack.sim_orders_for(&id).is_empty()).then_some(())
    })
    .await;
    stack.kill_worker(first).await;
    assert_eq!(
        stack.mapped_order(&id).await,
        None,
        "killed before it could record the mapping"
    );

    stack.start_worker(false).await;
    let mapped = eventually(
        "the redelivered message to adopt the order",
        WAIT,
        || async { stack.mapped_order(&id).await },
    )
    .await;
    let orders = stack.sim_orders_for(&id);
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(i64::from(orders[0].id), mapped);
    assert_eq!(stack.sim.request_count("bookings", "POST"), 1);
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn changes_made_while_the_broker_is_unreachable_arrive_when_it_returns(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    stack.relay_proxy.set_reachable(false);

    let mut ids = Vec::new();
    for day in [5, 10, 15] {
        ids.push(
            demo.reserve(
                &stack,
                1,
                &format!("2027-04-{day:02}"),
                &format!("2027-04-{:02}", day + 2),
                "300.00",
            )
            .await,
        );
    }
    stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{}", ids[0]),
            Some(json!({"totalPrice": "350.00"})),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        stack.outbox_backlog().await,
        4,
        "every change is kept in the outbox"
    );
    assert_eq!(stack.sim.request_count("bookings", "POST"), 0);

    stack.relay_proxy.set_reachable(true);
    for id in &ids {
        eventually("each reservation in QloApps", WAIT, || async {
            stack.mapped_order(id).await
        })
        .await;
    }
    eventually("the update too", WAIT, || async {
        let orders = stack.sim_orders_for(&ids[0]);
        (orders[0].total_tax_excl == "350.00".parse().unwrap()).then_some(())
    })
    .await;
    eventually("an empty outbox", WAIT, || async {
        (stack.outbox_backlog().await == 0).then_some(())
    })
    .await;
    for id in &ids {
        assert_eq!(stack.sim_orders_for(id).len(), 1);
    }
    stack.stop().await;
}
