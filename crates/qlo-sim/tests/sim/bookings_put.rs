//! `PUT bookings` as a stock QloApps 1.6.1 answers it (`tests/fixtures/README.md`, recorded
//! 2026-12-01): new lines are checked while the order's old lines still hold their rooms, the
//! order state changes only when `booking_status` is sent, the customer must already exist, and
//! on PHP 8 the warnings of reading the body come before the refusal.

use serde_json::{json, Value};

use crate::helpers::{fixture_json, start, Api};

/// A one-room booking shaped like qlosync's pushes (`adult` and `adults`, no `total_tax`).
fn booking(order: Option<u32>, checkin: &str, checkout: &str, email: &str) -> Value {
    let mut body = json!({"booking": {
        "id_property": 1, "currency": "USD", "source": "pms:put-test",
        "associations": {
            "customer_detail": {"firstname": "Ann", "lastname": "Lee", "email": email, "phone": "123"},
            "room_types": [{"id_room_type": 1, "checkin_date": checkin, "checkout_date": checkout,
                "number_of_rooms": 1, "rooms": [{"adult": 2, "adults": 2, "child": 0,
                "child_ages": [], "unit_price_without_tax": 300}]}]
        }
    }});
    if let Some(id) = order {
        body["booking"]["id"] = json!(id);
    }
    body
}

fn pin(mut body: Value, id_room: u32) -> Value {
    body["booking"]["associations"]["room_types"][0]["rooms"][0]["id_room"] = json!(id_room);
    body
}

async fn rooms_of(api: &Api, order: u32) -> Vec<(u64, String, String)> {
    let lines = api
        .get(&format!(
            "room_bookings?display=[id_room,date_from,date_to]&filter[id_order]=[{order}]"
        ))
        .await
        .json();
    lines["bookings"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .map(|l| {
                    (
                        l["id_room"].as_u64().unwrap_or(0),
                        l["date_from"].as_str().unwrap_or("").to_owned(),
                        l["date_to"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn state_of(api: &Api, order: u32) -> Value {
    api.get(&format!("orders/{order}")).await.json()["order"]["current_state"].clone()
}

/// Four other guests hold rooms 1-4 of room type 1 from 2027-02-01 to 02-04; order 5 (ours)
/// holds room 5 from 02-01 to 02-03.
async fn nearly_full_shop(api: &Api) {
    for i in 1..=4 {
        let other = booking(
            None,
            "2027-02-01",
            "2027-02-04",
            &format!("other{i}@example.com"),
        );
        assert_eq!(api.post("bookings", other.to_string()).await.status, 200);
    }
    let ours = booking(None, "2027-02-01", "2027-02-03", "ann@example.com");
    assert_eq!(api.post("bookings", ours.to_string()).await.status, 200);
    assert_eq!(rooms_of(api, 5).await[0].0, 5);
}

#[tokio::test]
async fn an_extension_is_refused_when_only_the_orders_own_room_would_be_free() {
    let sim = start().await;
    let api = Api::new(&sim);
    nearly_full_shop(&api).await;

    let extend = booking(Some(5), "2027-02-01", "2027-02-04", "ann@example.com");
    let refused = api.put("bookings", extend.to_string()).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(
        refused.json(),
        json!({"errors": [{"code": 404, "message": "Requested room(s) not available"}]})
    );
    assert_eq!(
        rooms_of(&api, 5).await,
        vec![(
            5,
            "2027-02-01 00:00:00".into(),
            "2027-02-03 00:00:00".into()
        )],
        "a refusal changes nothing"
    );

    // Once another room is free the extension goes through, in that other room.
    let cancel = "<qloapps><order_history><id_order>1</id_order><id_order_state>4</id_order_state></order_history></qloapps>";
    assert_eq!(api.post("order_histories", cancel).await.status, 201);
    assert_eq!(api.put("bookings", extend.to_string()).await.status, 200);
    assert_eq!(
        rooms_of(&api, 5).await,
        vec![(
            1,
            "2027-02-01 00:00:00".into(),
            "2027-02-04 00:00:00".into()
        )]
    );
}

#[tokio::test]
async fn a_pinned_room_is_kept_on_new_dates_only_when_it_is_free_there() {
    let sim = start().await;
    let api = Api::new(&sim);
    nearly_full_shop(&api).await;

    // Overlapping the old nights, room 5 is still held by the old line.
    let overlap = pin(
        booking(Some(5), "2027-02-02", "2027-02-04", "ann@example.com"),
        5,
    );
    assert_eq!(api.put("bookings", overlap.to_string()).await.status, 400);
    // Elsewhere it is free, and kept even though room 1 would be QloApps' own choice.
    let later = pin(
        booking(Some(5), "2027-03-01", "2027-03-03", "ann@example.com"),
        5,
    );
    let moved = api.put("bookings", later.to_string()).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(rooms_of(&api, 5).await[0].0, 5);
    // Unpinned, QloApps takes the first free room.
    let again = booking(Some(5), "2027-03-10", "2027-03-12", "ann@example.com");
    assert_eq!(api.put("bookings", again.to_string()).await.status, 200);
    assert_eq!(rooms_of(&api, 5).await[0].0, 1);
}

#[tokio::test]
async fn the_order_state_changes_only_when_booking_status_is_sent() {
    let sim = start().await;
    let api = Api::new(&sim);
    let create = booking(None, "2027-01-10", "2027-01-12", "ann@example.com");
    assert_eq!(api.post("bookings", create.to_string()).await.status, 200);
    let paid = "<qloapps><order_history><id_order>1</id_order><id_order_state>2</id_order_state></order_history></qloapps>";
    assert_eq!(api.post("order_histories", paid).await.status, 201);
    let histories = || async {
        api.get("order_histories?display=[id]&filter[id_order]=[1]")
            .await
            .json()["order_histories"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let before = histories().await;

    let moved = booking(Some(1), "2027-01-20", "2027-01-22", "ann@example.com");
    assert_eq!(api.put("bookings", moved.to_string()).await.status, 200);
    assert_eq!(state_of(&api, 1).await, json!(2), "payment accepted stays");
    assert_eq!(histories().await, before, "no history row added");

    let mut awaiting = booking(Some(1), "2027-01-21", "2027-01-23", "ann@example.com");
    awaiting["booking"]["booking_status"] = json!(1);
    awaiting["booking"]["payment_status"] = json!(3);
    assert_eq!(api.put("bookings", awaiting.to_string()).await.status, 200);
    assert_eq!(state_of(&api, 1).await, json!(1));
    assert_eq!(histories().await, before + 1);
}

#[tokio::test]
async fn a_kept_line_changes_its_price_but_not_its_occupancy() {
    let sim = start().await;
    let api = Api::new(&sim);
    let create = booking(None, "2027-01-10", "2027-01-12", "ann@example.com");
    assert_eq!(api.post("bookings", create.to_string()).await.status, 200);
    let mut update = booking(Some(1), "2027-01-10", "2027-01-12", "ann@example.com");
    let room = &mut update["booking"]["associations"]["room_types"][0]["rooms"][0];
    room["adult"] = json!(1);
    room["unit_price_without_tax"] = json!(280);
    assert_eq!(api.put("bookings", update.to_string()).await.status, 200);
    let line = &api
        .get("room_bookings?display=[adults,total_price_tax_excl]&filter[id_order]=[1]")
        .await
        .json()["bookings"][0];
    assert_eq!(line["adults"], json!(2));
    assert_eq!(line["total_price_tax_excl"], json!("280.000000"));
}

/// The recorded file paths are the real shop's; the simulator names its own.
fn with_sim_paths(mut recorded: Value) -> Value {
    for e in recorded["errors"].as_array_mut().into_iter().flatten() {
        if let Some(m) = e["message"].as_str() {
            e["message"] = json!(m.replace("/tmp/qloapps/", "/var/www/qloapps/"));
        }
    }
    recorded
}

#[tokio::test]
async fn stock_php8_refusals_put_the_warnings_first_like_the_real_server() {
    let sim = start().await;
    let api = Api::new(&sim);
    nearly_full_shop(&api).await;
    sim.set_stock_php8(true);

    let unknown = booking(
        Some(5),
        "2027-02-01",
        "2027-02-03",
        "nobody-new@example.com",
    );
    let answer = api.put("bookings", unknown.to_string()).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        with_sim_paths(fixture_json(
            "real/put_booking_unknown_customer_STRICTKEY.json"
        ))
    );

    let extend = booking(Some(5), "2027-02-01", "2027-02-04", "ann@example.com");
    let answer = api.put("bookings", extend.to_string()).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        with_sim_paths(fixture_json(
            "real/put_booking_extension_refused_STRICTKEY.json"
        ))
    );
}
