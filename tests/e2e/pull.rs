//! The pull side end to end (issue: pull sync, inbound worker, sync scheduler): api, relay,
//! RabbitMQ, the outbound and inbound workers, schedulers and qlo-sim together.

use std::time::Duration;

use qlo_sim::{Fault, SeedSpec, SimConfig};
use qlosync_tests::{eventually, inbound_worker, scheduler, Stack};
use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(30);

async fn count(stack: &Stack, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&stack.pool)
        .await
        .expect("count")
}

async fn completed_pulls(stack: &Stack) -> i64 {
    count(stack, "SELECT count(*) FROM qloapps_sync_state WHERE direction = 'inbound' AND status = 'completed'").await
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_reservation_pushed_then_pulled_stays_one_reservation(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let inbound = inbound_worker(&stack).await;
    let demo = stack.demo().await;

    let id = demo
        .reserve(&stack, 1, "2027-01-11", "2027-01-13", "300.00")
        .await;
    let order_id = eventually("the push's mapping", WAIT, || async {
        stack.mapped_order(&id).await
    })
    .await;
    // a booking made directly in QloApps, next to the pushed one
    stack.sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: 1,
            start_date: Some("2027-02-01".parse().unwrap()),
            ..SeedSpec::default()
        })
    });

    let sync = json!({"configId": demo.config_id, "syncType": "full"});
    stack.ok(Method::POST, "/qloapps/sync", Some(sync)).await;
    eventually("the requested pull", WAIT, || async {
        (completed_pulls(&stack).await == 1).then_some(())
    })
    .await;

    assert_eq!(
        count(&stack, "SELECT count(*) FROM reservations").await,
        2,
        "the echo created nothing"
    );
    let mappings: Vec<(i64, String)> =
        sqlx::query_as("SELECT qloapps_booking_id, qloapps_line_key FROM qloapps_reservation_mappings ORDER BY qloapps_booking_id")
            .fetch_all(&stack.pool)
            .await
            .unwrap();
    assert_eq!(mappings.len(), 2);
    assert_eq!(
        mappings[0],
        (order_id, String::new()),
        "the pushed reservation's mapping, untouched"
    );
    let (outcome, message): (String, Option<String>) = sqlx::query_as(
        "SELECT outcome, message FROM qloapps_sync_log WHERE direction = 'inbound' AND qloapps_entity_id = $1",
    )
    .bind(order_id)
    .fetch_one(&stack.pool)
    .await
    .unwrap();
    assert_eq!(outcome, "skipped");
    assert!(message.unwrap_or_default().contains("pushed by qlosync"));

    // a QloApps-side hook reports a cancellation: the worker pulls that one order
    let pulled = mappings[1].0;
    stack.sim.state().write(|shop| {
        let canceled = shop.config_id("PS_OS_CANCELED", 4);
        shop.orders
            .update_order(u32::try_from(pulled).unwrap(), |o| {
                o.current_state = canceled
            });
    });
    let event = json!({"configId": demo.config_id, "eventType": "booking.cancelled", "qloAppsBookingId": pulled});
    stack
        .ok(Method::POST, "/qloapps/booking-events", Some(event))
        .await;
    eventually("the cancellation pulled", WAIT, || async {
        let status: String = sqlx::query_scalar(
            "SELECT r.status FROM reservations r JOIN qloapps_reservation_mappings m ON m.local_reservation_id = r.id
             WHERE m.qloapps_booking_id = $1",
        )
        .bind(pulled)
        .fetch_one(&stack.pool)
        .await
        .unwrap();
        (status == "cancelled").then_some(())
    })
    .await;
    assert_eq!(count(&stack, "SELECT count(*) FROM reservations").await, 2);
    assert!(stack.dead_letters().await.is_empty());
    inbound.stop().await;
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn two_schedulers_and_an_inbound_worker_never_pull_one_config_at_once(pool: PgPool) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    stack.sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: 60,
            ..SeedSpec::default()
        })
    });
    stack.sim.faults().add(
        Fault::latency(Duration::from_millis(25))
            .on("orders")
            .method("GET"),
    );

    let processes = vec![
        scheduler(&stack).await,
        scheduler(&stack).await,
        inbound_worker(&stack).await,
    ];
    for i in 0..6 {
        let sync = json!({"configId": demo.config_id, "syncType": if i % 2 == 0 { "full" } else { "incremental" }});
        stack.ok(Method::POST, "/qloapps/sync", Some(sync)).await;
        let event = json!({"configId": demo.config_id, "eventType": "booking.updated", "qloAppsBookingId": i + 1});
        stack
            .ok(Method::POST, "/qloapps/booking-events", Some(event))
            .await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    eventually("many pulls", WAIT, || async {
        (completed_pulls(&stack).await >= 8).then_some(())
    })
    .await;
    eventually("single-booking pulls", WAIT, || async {
        let n = count(&stack, "SELECT count(*) FROM qloapps_sync_state WHERE sync_type = 'booking' AND status = 'completed'").await;
        (n >= 6).then_some(())
    })
    .await;
    eventually("the outbox drained and consumed", WAIT, || async {
        (stack.outbox_backlog().await == 0).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for process in processes {
        process.stop().await;
    }

    let runs: Vec<(chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>, String)> = sqlx::query_as(
        "SELECT started_at, completed_at, sync_type FROM qloapps_sync_state WHERE direction = 'inbound' ORDER BY started_at",
    )
    .fetch_all(&stack.pool)
    .await
    .unwrap();
    assert!(
        runs.iter().any(|r| r.2 == "booking"),
        "the worker's single-booking pulls ran too"
    );
    for pair in runs.windows(2) {
        let end = pair[0].1.expect("every run finished");
        assert!(end <= pair[1].0, "two pulls overlapped: {pair:?}");
    }
    assert_eq!(
        count(&stack, "SELECT count(*) FROM reservations").await,
        60,
        "no duplicate reservation"
    );
    assert_eq!(
        count(
            &stack,
            "SELECT count(DISTINCT qloapps_booking_id) FROM qloapps_reservation_mappings"
        )
        .await,
        60
    );
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}
