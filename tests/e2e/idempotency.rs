//! `Idempotency-Key` end to end: a PMS that retries `POST /reservations` (its first attempt's
//! answer lost) books one reservation and one QloApps order, and reads the first answer again.

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, reservation_body, Stack, TOKEN};
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(20);

async fn post_keyed(
    stack: &Stack,
    path: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> (u16, Option<String>, Vec<u8>) {
    let mut request = stack
        .http
        .post(format!("{}/api/v1{path}", stack.api_url))
        .bearer_auth(TOKEN)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.expect("api answers");
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, replayed, bytes)
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_retried_reservation_post_with_a_key_books_one_qloapps_order(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let path = format!("/properties/{}/reservations", demo.property_id);
    let body = reservation_body(
        &demo.room_types[1],
        &demo.guest_id,
        "2026-12-21",
        "2026-12-23",
        "300.00",
    );
    let orders_before = stack.sim.state().read(|shop| shop.orders.orders().count());

    let (status, replayed, first) = post_keyed(&stack, &path, Some("pms-booking-77"), &body).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&first));
    assert_eq!(replayed, None);
    let (status, replayed, second) = post_keyed(&stack, &path, Some("pms-booking-77"), &body).await;
    assert_eq!(status, 201);
    assert_eq!(replayed.as_deref(), Some("true"));
    assert_eq!(first, second, "byte-identical answers");

    let id = serde_json::from_slice::<serde_json::Value>(&first).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    eventually("the order to be mapped", WAIT, || async {
        stack.mapped_order(&id).await
    })
    .await;
    let reservations: i64 = sqlx::query_scalar("SELECT count(*) FROM reservations")
        .fetch_one(&stack.pool)
        .await
        .expect("count");
    assert_eq!(reservations, 1, "one reservation");
    let creates: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE event_type = 'reservation.create'")
            .fetch_one(&stack.pool)
            .await
            .expect("outbox count");
    assert_eq!(creates, 1, "one reservation.create message");
    // the outbox is relayed and every message handled: no second order can still come
    eventually("the outbox to drain", WAIT, || async {
        (stack.outbox_backlog().await == 0).then_some(())
    })
    .await;
    let orders_after = stack.sim.state().read(|shop| shop.orders.orders().count());
    assert_eq!(orders_after - orders_before, 1, "one QloApps order");
    assert_eq!(stack.sim_orders_for(&id).len(), 1);

    // without a key, the same POST books again (behaviour unchanged)
    let (status, replayed, third) = post_keyed(&stack, &path, None, &body).await;
    assert_eq!(status, 201);
    assert_eq!(replayed, None);
    assert_ne!(third, first);
    stack.stop().await;
}
