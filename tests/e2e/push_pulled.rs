//! Changes in the PMS to reservations that came from a QloApps order with several room lines:
//! `PUT bookings` replaces all of an order's lines, so every push re-sends the whole order.

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, inbound_worker, Stack};
use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(30);

/// Active lines of `order` as (room type, first night, check-out), and its state.
fn order_lines(stack: &Stack, order: u32) -> (Vec<(u32, String, String)>, u32) {
    stack.sim.state().read(|shop| {
        let mut lines: Vec<_> = shop
            .orders
            .lines_of_order(order)
            .filter(|l| !l.is_cancelled)
            .map(|l| {
                (
                    l.id_room_type,
                    l.date_from.to_string(),
                    l.date_to.to_string(),
                )
            })
            .collect();
        lines.sort();
        let state = shop
            .orders
            .order(order)
            .map(|o| o.current_state)
            .unwrap_or_default();
        (lines, state)
    })
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn editing_one_group_of_a_pulled_order_keeps_the_other_groups(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let inbound = inbound_worker(&stack).await;
    let demo = stack.demo().await;

    // a booking made in QloApps with two room types
    let booking = json!({"booking": {"id_property": 1, "currency": "USD", "source": "website",
    "associations": {
        "customer_detail": {"firstname": "Lena", "lastname": "Maier", "email": "lena@example.com", "phone": "0123456789"},
        "room_types": [
            {"id_room_type": 1, "checkin_date": "2027-10-01", "checkout_date": "2027-10-03", "number_of_rooms": 1, "rooms": [{"adult": 2, "child": 0}]},
            {"id_room_type": 3, "checkin_date": "2027-10-01", "checkout_date": "2027-10-03", "number_of_rooms": 1, "rooms": [{"adult": 1, "child": 0}]}
        ]}}});
    let created: serde_json::Value = stack
        .http
        .post(format!(
            "{}/bookings?output_format=JSON",
            stack.sim.api_url()
        ))
        .basic_auth(stack.sim.api_key(), Some(""))
        .json(&booking)
        .send()
        .await
        .expect("sim answers")
        .json()
        .await
        .expect("json");
    let order = u32::try_from(created["booking"]["id"].as_u64().expect("order id")).expect("u32");

    let sync = json!({"configId": demo.config_id, "syncType": "full"});
    stack.ok(Method::POST, "/qloapps/sync", Some(sync)).await;
    let groups: Vec<(String, i32)> = eventually("two pulled reservations", WAIT, || async {
        let rows: Vec<(String, i32)> = sqlx::query_as(
            "SELECT r.id::text, rm.qloapps_room_type_id FROM reservations r
             JOIN qloapps_room_type_mappings rm ON rm.local_room_type_id = r.room_type_id
             ORDER BY rm.qloapps_room_type_id",
        )
        .fetch_all(&stack.pool)
        .await
        .expect("reservations");
        (rows.len() == 2).then_some(rows)
    })
    .await;
    let (general, executive) = (&groups[0].0, &groups[1].0);

    stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{executive}"),
            Some(json!({"checkOut": "2027-10-05"})),
        )
        .await;
    let want = vec![
        (1, "2027-10-01".to_owned(), "2027-10-03".to_owned()),
        (3, "2027-10-01".to_owned(), "2027-10-05".to_owned()),
    ];
    eventually(
        "the edited group in QloApps, the other kept",
        WAIT,
        || async { (order_lines(&stack, order).0 == want).then_some(()) },
    )
    .await;

    stack
        .ok(
            Method::POST,
            &format!("/reservations/{general}/cancel"),
            None,
        )
        .await;
    eventually("only the cancelled group removed", WAIT, || async {
        let (lines, state) = order_lines(&stack, order);
        (lines == want[1..]).then_some(state)
    })
    .await;
    assert_ne!(
        order_lines(&stack, order).1,
        4,
        "the order itself stays open"
    );

    stack
        .ok(
            Method::POST,
            &format!("/reservations/{executive}/cancel"),
            None,
        )
        .await;
    eventually("the order cancelled with its last group", WAIT, || async {
        (order_lines(&stack, order).1 == 4).then_some(())
    })
    .await;
    assert!(stack.dead_letters().await.is_empty());
    inbound.stop().await;
    stack.stop().await;
}
