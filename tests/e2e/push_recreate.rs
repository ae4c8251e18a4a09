//! A stay extension QloApps refuses (it counts the order's own room as taken), pushed as
//! cancel-and-recreate where the config opts in (`crates/sync-core/src/push/recreate.rs`):
//! the booking moves to a new order exactly once, through PHP 8 answers, a QloApps outage in
//! the middle of the move and a pull, and a new stay QloApps refuses too is never silent.

use std::time::Duration;

use qlo_sim::{Fault, SimConfig};
use qlosync_tests::{eventually, inbound_worker, Stack};
use reqwest::Method;
use serde_json::{json, Value};

use crate::push_fidelity::{order_of, patch, BackOffice};

const WAIT: Duration = Duration::from_secs(30);
const CANCELED: u32 = 4;

/// Four other guests hold room type 1 on 1–4 August; the reservation holds the fifth room on
/// 1–3 August, so on the night of the 3rd only its own room is free.
async fn full_house(stack: &Stack) -> (qlosync_tests::Demo, String, u32) {
    let office = BackOffice(stack);
    for i in 1..=4 {
        let email = format!("other{i}@example.com");
        office.book(1, "2027-08-01", "2027-08-04", &email).await;
    }
    let demo = stack.demo().await;
    let id = demo
        .reserve(stack, 0, "2027-08-01", "2027-08-03", "200.00")
        .await;
    let order = order_of(stack, &id).await;
    (demo, id, order)
}

async fn opt_in(stack: &Stack, config_id: &str) {
    let body = json!({"recreateRefusedExtensions": true});
    let config = stack
        .ok(
            Method::PATCH,
            &format!("/qloapps/configs/{config_id}"),
            Some(body),
        )
        .await;
    assert_eq!(config["recreateRefusedExtensions"], json!(true), "{config}");
}

/// (id, state, source, active lines as (first night, check-out)) of one order.
type OrderSeen = (u32, u32, String, Vec<(String, String)>);

/// The orders qlosync pushed for the reservation, under either source.
fn orders_of(stack: &Stack, reservation: &str) -> Vec<OrderSeen> {
    let prefix = format!("pms:{reservation}");
    stack.sim.state().read(|shop| {
        shop.orders
            .orders()
            .filter(|o| o.source.starts_with(&prefix))
            .map(|o| {
                let lines = shop
                    .orders
                    .lines_of_order(o.id)
                    .filter(|l| !l.is_cancelled)
                    .map(|l| (l.date_from.to_string(), l.date_to.to_string()))
                    .collect();
                (o.id, o.current_state, o.source.clone(), lines)
            })
            .collect()
    })
}

async fn sync_status(stack: &Stack, reservation: &str) -> Value {
    let r = stack
        .ok(Method::GET, &format!("/reservations/{reservation}"), None)
        .await;
    r["qloappsSync"][0].clone()
}

async fn moved(stack: &Stack, reservation: &str, old: u32) -> u32 {
    let new = eventually("the reservation mapped to a new order", WAIT, || async {
        let mapped = stack.mapped_order(reservation).await?;
        let mapped = u32::try_from(mapped).ok()?;
        let replacing: Option<i64> = sqlx::query_scalar(
            "SELECT replacing_order_id FROM qloapps_reservation_mappings WHERE local_reservation_id = $1::uuid",
        )
        .bind(reservation)
        .fetch_one(&stack.pool)
        .await
        .expect("mapping");
        (mapped != old && replacing.is_none()).then_some(mapped)
    })
    .await;
    let stay = vec![("2027-08-01".to_owned(), "2027-08-04".to_owned())];
    let source = format!("pms:{reservation}:replaces:{old}");
    let orders = orders_of(stack, reservation);
    assert_eq!(orders.len(), 2, "the old order and one new one: {orders:?}");
    assert_eq!(orders[0].0, old);
    assert_eq!(
        orders[0].1, CANCELED,
        "the old order is cancelled: {orders:?}"
    );
    assert_eq!((orders[1].0, &orders[1].2), (new, &source), "{orders:?}");
    assert_eq!(orders[1].3, stay, "the new order holds the new stay");
    new
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_opted_in_config_books_a_refused_extension_as_one_new_order(pool: sqlx::PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let inbound = inbound_worker(&stack).await;
    let (demo, id, old) = full_house(&stack).await;
    opt_in(&stack, &demo.config_id).await;
    // stock PHP 8: the new order's POST answers 500 after writing, so it is found by its source
    stack.sim.set_stock_php8(true);

    patch(&stack, &id, json!({"checkOut": "2027-08-04"})).await;
    let new = moved(&stack, &id, old).await;
    assert_eq!(sync_status(&stack, &id).await["status"], json!("in_sync"));
    let message: Option<String> = sqlx::query_scalar(
        "SELECT message FROM qloapps_sync_log WHERE operation = 'recreate' AND local_entity_id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&stack.pool)
    .await
    .expect("the move in the sync log");
    let message = message.unwrap_or_default();
    assert!(
        message.contains(&format!("order {old}")) && message.contains(&format!("order {new}")),
        "{message}"
    );

    // a pull reads the cancelled old order and the new one: the reservation stays as it is
    stack.sim.set_stock_php8(false);
    let sync = json!({"configId": demo.config_id, "syncType": "full"});
    stack.ok(Method::POST, "/qloapps/sync", Some(sync)).await;
    eventually("the pull", WAIT, || async {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM qloapps_sync_state WHERE direction = 'inbound' AND status = 'completed'",
        )
        .fetch_one(&stack.pool)
        .await
        .expect("runs");
        (done >= 1).then_some(())
    })
    .await;
    let r = stack
        .ok(Method::GET, &format!("/reservations/{id}"), None)
        .await;
    assert_eq!(
        (&r["status"], &r["checkOut"]),
        (&json!("confirmed"), &json!("2027-08-04")),
        "{r}"
    );
    assert_eq!(stack.mapped_order(&id).await, Some(i64::from(new)));
    assert!(stack.dead_letters().await.is_empty());
    inbound.stop().await;
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_move_stopped_after_the_cancel_is_finished_by_the_retry(pool: sqlx::PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let (demo, id, old) = full_house(&stack).await;
    opt_in(&stack, &demo.config_id).await;
    // QloApps goes away right after the old order is cancelled (the client tries twice)
    let posts = stack.sim.request_count("bookings", "POST");
    stack
        .sim
        .faults()
        .add(Fault::status(503).on("bookings").method("POST").times(2));

    patch(&stack, &id, json!({"checkOut": "2027-08-04"})).await;
    moved(&stack, &id, old).await;
    assert_eq!(
        stack.sim.request_count("bookings", "POST"),
        posts + 3,
        "two refused by the outage, then the one that booked"
    );
    assert_eq!(sync_status(&stack, &id).await["status"], json!("in_sync"));
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_new_stay_refused_after_the_cancel_is_out_of_sync_until_a_replay_books_it(
    pool: sqlx::PgPool,
) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let inbound = inbound_worker(&stack).await;
    let (demo, id, old) = full_house(&stack).await;
    opt_in(&stack, &demo.config_id).await;
    // the freed room is sold to another channel in the moment before the new order
    let refusal = Fault::status_with_error(400, 404, "Requested room(s) not available");
    stack
        .sim
        .faults()
        .add(refusal.on("bookings").method("POST").times(1));

    patch(&stack, &id, json!({"checkOut": "2027-08-04"})).await;
    let status = eventually("the reservation out of sync", WAIT, || async {
        let s = sync_status(&stack, &id).await;
        (s["status"] == "out_of_sync").then_some(s)
    })
    .await;
    let reason = status["reason"].as_str().expect("a reason");
    assert!(
        reason.contains(&format!("replaces order {old}"))
            && reason.contains("Requested room(s) not available")
            && reason.contains("no active QloApps order holds this reservation"),
        "{reason}"
    );
    let orders = orders_of(&stack, &id);
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0].1, CANCELED);

    // a pull meanwhile must not take the old order's cancellation into the PMS
    let sync = json!({"configId": demo.config_id, "syncType": "full"});
    stack.ok(Method::POST, "/qloapps/sync", Some(sync)).await;
    let message: String = eventually("the pull to read the old order", WAIT, || async {
        sqlx::query_scalar(
            "SELECT message FROM qloapps_sync_log WHERE direction = 'inbound' AND qloapps_entity_id = $1",
        )
        .bind(i64::from(old))
        .fetch_optional(&stack.pool)
        .await
        .expect("log")
        .flatten()
    })
    .await;
    assert!(message.contains("moving this reservation"), "{message}");
    let r = stack
        .ok(Method::GET, &format!("/reservations/{id}"), None)
        .await;
    assert_eq!(r["status"], json!("confirmed"), "{r}");

    // the operator replays the dead letter: the move finishes
    let report = stack
        .ok(Method::POST, "/dlq/replay", Some(json!({"all": true})))
        .await;
    assert_eq!(report["replayed"], json!(1), "{report}");
    moved(&stack, &id, old).await;
    eventually("back in sync", WAIT, || async {
        (sync_status(&stack, &id).await["status"] == "in_sync").then_some(())
    })
    .await;
    inbound.stop().await;
    stack.stop().await;
}
