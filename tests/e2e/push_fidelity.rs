//! Pushes that stay right on a real QloApps (its behaviour recorded in
//! `crates/qlo-sim/tests/fixtures/README.md`): guest changes never make a reservation
//! un-pushable, an update never touches QloApps' order state, rooms stay put where QloApps
//! allows it, and a refused update is never silent.

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, Stack};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(30);

/// Talks to the simulator the way the hotel's back office or another channel would.
pub(crate) struct BackOffice<'a>(pub(crate) &'a Stack);

impl BackOffice<'_> {
    async fn send(&self, method: Method, resource: &str, body: String) -> u16 {
        let url = format!("{}/{resource}?output_format=JSON", self.0.sim.api_url());
        let response = self
            .0
            .http
            .request(method, url)
            .basic_auth(self.0.sim.api_key(), Some(""))
            .body(body)
            .send()
            .await
            .expect("the simulator answers");
        response.status().as_u16()
    }

    /// Books one room of `room_type` for another guest; returns the order id.
    pub(crate) async fn book(&self, room_type: u32, from: &str, to: &str, email: &str) -> u32 {
        let body = json!({"booking": {"id_property": 1, "currency": "USD", "source": "front-office",
            "associations": {"customer_detail": {"firstname": "Other", "lastname": "Guest",
                "email": email, "phone": "123"},
            "room_types": [{"id_room_type": room_type, "checkin_date": from,
                "checkout_date": to, "number_of_rooms": 1}]}}});
        assert_eq!(
            self.send(Method::POST, "bookings", body.to_string()).await,
            200
        );
        self.0
            .sim
            .state()
            .read(|s| s.orders.order_ids().max().unwrap_or(0))
    }

    pub(crate) async fn set_state(&self, order: u32, state: u32) {
        let xml = format!(
            "<qloapps><order_history><id_order>{order}</id_order><id_order_state>{state}</id_order_state></order_history></qloapps>"
        );
        assert_eq!(self.send(Method::POST, "order_histories", xml).await, 201);
    }

    fn histories(&self, order: u32) -> usize {
        self.0
            .sim
            .state()
            .read(|s| s.orders.histories().filter(|h| h.id_order == order).count())
    }

    /// (room id, check-in) of the order's active lines.
    pub(crate) fn rooms(&self, order: u32) -> Vec<(u32, String)> {
        self.0.sim.state().read(|s| {
            s.orders
                .lines_of_order(order)
                .filter(|l| !l.is_cancelled)
                .map(|l| (l.id_room, l.date_from.to_string()))
                .collect()
        })
    }
}

pub(crate) async fn order_of(stack: &Stack, reservation: &str) -> u32 {
    let id = eventually("the order to be mapped", WAIT, || async {
        stack.mapped_order(reservation).await
    })
    .await;
    u32::try_from(id).expect("order id")
}

pub(crate) async fn dates_reach_qloapps(
    stack: &Stack,
    reservation: &str,
    check_in: &str,
    check_out: &str,
) {
    eventually("the new dates in QloApps", WAIT, || async {
        let orders = stack.sim_orders_for(reservation);
        let want = (check_in.to_owned(), check_out.to_owned());
        orders
            .first()
            .filter(|o| {
                o.lines
                    .iter()
                    .all(|(_, i, o)| (i.clone(), o.clone()) == want)
            })
            .filter(|o| !o.lines.is_empty())
            .map(|_| ())
    })
    .await;
}

/// Moves the stay in the PMS and waits for QloApps to have the new dates.
async fn move_stay(stack: &Stack, reservation: &str, check_in: &str, check_out: &str) {
    let body = json!({"checkIn": check_in, "checkOut": check_out});
    patch(stack, reservation, body).await;
    dates_reach_qloapps(stack, reservation, check_in, check_out).await;
}

pub(crate) async fn patch(stack: &Stack, reservation: &str, body: Value) {
    stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{reservation}"),
            Some(body),
        )
        .await;
}

async fn new_guest(stack: &Stack, property: &str, body: Value) -> String {
    let guest = stack
        .ok(
            Method::POST,
            &format!("/properties/{property}/guests"),
            Some(body),
        )
        .await;
    guest["id"].as_str().expect("guest id").to_owned()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn guest_changes_never_make_a_reservation_unpushable(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    stack.sim.set_stock_php8(true);
    let demo = stack.demo().await;

    // A guest QloApps has never seen takes over a pushed reservation.
    let id = demo
        .reserve(&stack, 0, "2027-03-01", "2027-03-03", "200.00")
        .await;
    order_of(&stack, &id).await;
    let nora = new_guest(
        &stack,
        &demo.property_id,
        json!({"firstName": "Nora", "lastName": "Neu", "email": "nora.neu@example.com"}),
    )
    .await;
    patch(
        &stack,
        &id,
        json!({"guestId": nora, "checkOut": "2027-03-04"}),
    )
    .await;
    dates_reach_qloapps(&stack, &id, "2027-03-01", "2027-03-04").await;
    assert!(
        stack
            .sim
            .state()
            .read(|s| s.customers.find_by_email("nora.neu@example.com").is_some()),
        "the new guest exists as a QloApps customer"
    );

    // A guest without an email (pushed under a synthetic one) later gets one.
    let max = new_guest(
        &stack,
        &demo.property_id,
        json!({"firstName": "Max", "lastName": "Ohne"}),
    )
    .await;
    let mut body = qlosync_tests::reservation_body(
        &demo.room_types[1],
        &max,
        "2027-04-01",
        "2027-04-03",
        "250.00",
    );
    body["adults"] = json!(1);
    let created = stack
        .ok(
            Method::POST,
            &format!("/properties/{}/reservations", demo.property_id),
            Some(body),
        )
        .await;
    let second = created["id"].as_str().expect("id").to_owned();
    order_of(&stack, &second).await;
    stack
        .ok(
            Method::PATCH,
            &format!("/guests/{max}"),
            Some(json!({"email": "max.ohne@example.com"})),
        )
        .await;
    patch(&stack, &second, json!({"checkOut": "2027-04-05"})).await;
    dates_reach_qloapps(&stack, &second, "2027-04-01", "2027-04-05").await;

    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_update_leaves_the_payment_state_qloapps_recorded(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let office = BackOffice(&stack);
    let demo = stack.demo().await;
    let id = demo
        .reserve(&stack, 2, "2027-05-10", "2027-05-12", "300.00")
        .await;
    let order = order_of(&stack, &id).await;
    let payment_accepted = 2;
    office.set_state(order, payment_accepted).await;
    let histories = office.histories(order);

    move_stay(&stack, &id, "2027-05-20", "2027-05-22").await;
    assert_eq!(stack.sim_orders_for(&id)[0].current_state, payment_accepted);
    assert_eq!(office.histories(order), histories, "no history row added");
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_date_change_keeps_the_guest_in_their_room_where_qloapps_allows(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let office = BackOffice(&stack);
    let demo = stack.demo().await;
    // Room 11 (ER-101) is taken, so the reservation gets room 12 (ER-102).
    office
        .book(3, "2027-06-01", "2027-06-03", "other@example.com")
        .await;
    let id = demo
        .reserve(&stack, 2, "2027-06-01", "2027-06-03", "300.00")
        .await;
    let order = order_of(&stack, &id).await;
    assert_eq!(office.rooms(order), vec![(12, "2027-06-01".to_owned())]);

    // Moved to nights where room 11 is free (QloApps' own first choice): it stays in 12.
    move_stay(&stack, &id, "2027-07-01", "2027-07-03").await;
    assert_eq!(office.rooms(order), vec![(12, "2027-07-01".to_owned())]);

    // A one-night shift overlaps the old nights, where QloApps counts room 12 as taken by the
    // order itself: the update still goes through, in a room QloApps chooses.
    move_stay(&stack, &id, "2027-07-02", "2027-07-04").await;
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_refused_update_marks_the_reservation_out_of_sync_until_it_goes_through(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let worker = stack.start_worker(false).await;
    let office = BackOffice(&stack);
    let demo = stack.demo().await;
    let mut others = Vec::new();
    for i in 1..=4 {
        let email = format!("other{i}@example.com");
        others.push(office.book(1, "2027-08-01", "2027-08-04", &email).await);
    }
    let id = demo
        .reserve(&stack, 0, "2027-08-01", "2027-08-03", "200.00")
        .await;
    let order = order_of(&stack, &id).await;
    stack.sim.set_stock_php8(true);

    // Only the reservation's own room is free on the extra night: QloApps refuses.
    patch(&stack, &id, json!({"checkOut": "2027-08-04"})).await;
    let status = eventually("the reservation to be out of sync", WAIT, || async {
        let r = stack
            .ok(Method::GET, &format!("/reservations/{id}"), None)
            .await;
        let sync = r["qloappsSync"][0].clone();
        (sync["status"] == "out_of_sync").then_some(sync)
    })
    .await;
    let reason = status["reason"].as_str().expect("a reason").to_owned();
    assert!(
        reason.contains("Requested room(s) not available"),
        "{status}"
    );
    let php = reason.find("[PHP").unwrap_or(usize::MAX);
    assert!(
        reason.find("not available").expect("the reason") < php,
        "QloApps' answer comes before the PHP warnings: {reason}"
    );
    assert_eq!(status["configId"], json!(demo.config_id));
    assert_eq!(status["qloappsOrderId"], json!(order));

    let listed = stack
        .ok(
            Method::GET,
            &format!("/qloapps/configs/{}/out-of-sync", demo.config_id),
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(1), "{listed}");
    assert_eq!(listed["items"][0]["reservationId"], json!(id));
    assert_eq!(office.rooms(order), vec![(5, "2027-08-01".to_owned())]);
    let metrics = stack
        .http
        .get(format!("{}/metrics", stack.worker(worker).ops_url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics body");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("qlosync_push_refused_total{") && l.contains(&demo.config_id)),
        "{metrics}"
    );

    // A room frees up; the operator replays the dead letter and the two sides agree again.
    stack.sim.set_stock_php8(false);
    office.set_state(others[0], 4).await;
    let report = stack
        .ok(Method::POST, "/dlq/replay", Some(json!({"all": true})))
        .await;
    assert_eq!(report["replayed"], json!(1), "{report}");
    dates_reach_qloapps(&stack, &id, "2027-08-01", "2027-08-04").await;
    eventually("the reservation back in sync", WAIT, || async {
        let r = stack
            .ok(Method::GET, &format!("/reservations/{id}"), None)
            .await;
        (r["qloappsSync"][0]["status"] == "in_sync").then_some(())
    })
    .await;
    let listed = stack
        .ok(
            Method::GET,
            &format!("/qloapps/configs/{}/out-of-sync", demo.config_id),
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(0), "{listed}");
    stack.stop().await;
}
