//! Booking writes: availability, pricing with feature prices, cancellation, PUT.

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use crate::helpers::{start, Api};

fn booking(id_room_type: u32, checkin: &str, checkout: &str, rooms: u32) -> String {
    json!({"booking": {
        "id_property": 1, "currency": "USD", "source": "pms:test",
        "associations": {
            "customer_detail": {"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com", "phone": "123"},
            "room_types": [{"id_room_type": id_room_type, "checkin_date": checkin,
                "checkout_date": checkout, "number_of_rooms": rooms}]
        }
    }})
    .to_string()
}

fn fixed_price_xml(id_product: u32, from: &str, to: &str, price: &str) -> String {
    format!(
        "<qloapps><feature_price><id_product>{id_product}</id_product>\
         <feature_price_name><language id=\"1\">PMS BAR</language></feature_price_name>\
         <date_selection_type>1</date_selection_type><date_from>{from}</date_from><date_to>{to}</date_to>\
         <impact_way>3</impact_way><impact_type>2</impact_type><impact_value>{price}</impact_value>\
         <is_special_days_exists>0</is_special_days_exists><special_days></special_days><active>1</active>\
         <associations><groups><group><id>1</id></group><group><id>2</id></group><group><id>3</id></group></groups></associations>\
         </feature_price></qloapps>"
    )
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("datetime")
}

#[tokio::test]
async fn refuses_what_it_cannot_sell_and_checkout_is_exclusive() {
    let sim = start().await;
    let api = Api::new(&sim);
    let all = api
        .post("bookings", booking(1, "2026-12-21", "2026-12-23", 5))
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    let rooms: Vec<u64> = all.json()["booking"]["associations"]["room_types"][0]["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .filter_map(|r| r["id_room"].as_u64())
        .collect();
    assert_eq!(rooms, vec![1, 2, 3, 4, 5]);
    let refused = api
        .post("bookings", booking(1, "2026-12-22", "2026-12-24", 1))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json(),
        json!({"errors":[{"code":404,"message":"Requested room(s) not available."}]})
    );
    // Nothing was written by the refusal.
    assert_eq!(sim.state().read(|s| s.orders.order_count()), 1);
    // The checkout day is free again.
    let next = api
        .post("bookings", booking(1, "2026-12-23", "2026-12-24", 1))
        .await;
    assert_eq!(next.status, 200, "{}", next.text);
}

#[tokio::test]
async fn validation_errors_are_400_with_code_404() {
    let sim = start().await;
    let api = Api::new(&sim);
    let mut body: Value =
        serde_json::from_str(&booking(1, "2026-12-21", "2026-12-23", 1)).expect("json");
    body["booking"]["currency"] = json!("XXX");
    let currency = api.post("bookings", body.to_string()).await;
    assert_eq!(
        (currency.status.as_u16(), currency.error_code()),
        (400, 404)
    );
    assert_eq!(
        currency.json()["errors"][0]["message"],
        "Please provide valid currency."
    );
    body["booking"]["currency"] = json!("USD");
    body["booking"]["id_property"] = json!(9);
    assert_eq!(
        api.post("bookings", body.to_string()).await.error_code(),
        404
    );
    body["booking"]["id_property"] = json!(1);
    body["booking"]["associations"]["customer_detail"]["phone"] = Value::Null;
    assert_eq!(api.post("bookings", body.to_string()).await.status, 400);
    body["booking"]["associations"]["customer_detail"]["phone"] = json!("1");
    body["booking"]["associations"]["room_types"][0]["rooms"] = json!([{"adult": 1}, {"adult": 2}]);
    let mismatch = api.post("bookings", body.to_string()).await;
    assert_eq!(
        (mismatch.status.as_u16(), mismatch.error_code()),
        (400, 404)
    );
    let not_booking = api.post("bookings", r#"{"order":{}}"#).await;
    assert_eq!(not_booking.status, 400);
    let delete = api.delete("bookings/1").await;
    assert_eq!((delete.status.as_u16(), delete.error_code()), (405, 101));
}

#[tokio::test]
async fn occupancy_reads_adult_singular_and_prices_are_whole_stay() {
    let sim = start().await;
    let api = Api::new(&sim);
    let mut body: Value =
        serde_json::from_str(&booking(2, "2026-12-21", "2026-12-24", 2)).expect("json");
    body["booking"]["associations"]["room_types"][0]["rooms"] = json!([
        {"adult": 1, "adults": 2, "child": 1, "child_ages": [7], "unit_price_without_tax": 900},
        {"adults": 1}
    ]);
    let created = api.post("bookings", body.to_string()).await.json();
    let rooms = &created["booking"]["associations"]["room_types"][0]["rooms"];
    assert_eq!(rooms[0]["adults"], json!(1));
    assert_eq!(rooms[0]["child"], json!(1));
    assert_eq!(rooms[0]["unit_price_without_tax"], json!(900));
    assert_eq!(rooms[0]["total_tax"], json!(36));
    // `adults` is ignored: base occupancy; no price: 3 nights at the base price.
    assert_eq!(rooms[1]["adults"], json!(2));
    assert_eq!(rooms[1]["unit_price_without_tax"], json!(4500));
    assert_eq!(
        created["booking"]["associations"]["price_details"]["total_price_without_tax"],
        json!(5400)
    );
}

#[tokio::test]
async fn inclusive_feature_price_date_to_prices_ari_and_bookings() {
    let sim = start().await;
    let api = Api::new(&sim);
    let created = api
        .post(
            "feature_prices?language=1",
            fixed_price_xml(2, "2026-12-10", "2026-12-12", "120.00"),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let fp = created.json();
    assert_eq!(fp["feature_price"]["impact_value"], "120.00");
    assert_eq!(fp["feature_price"]["id_cart"], "");
    assert_eq!(fp["feature_price"]["feature_price_name"], "PMS BAR");
    let ari = api
        .post(
            "hotel_ari",
            "<qloapps><hotel_ari><id_hotel>1</id_hotel><id_room_type>2</id_room_type>\
             <date_from>2026-12-09</date_from><date_to>2026-12-14</date_to>\
             <date_wise_breakdown>1</date_wise_breakdown></hotel_ari></qloapps>",
        )
        .await
        .json();
    let bases: Vec<Value> = ari["hotel_aris"]
        .as_array()
        .expect("nights")
        .iter()
        .map(|n| n["room_types"][0]["base_price"].clone())
        .collect();
    // 250 of auto-added services a night on top, like the captured shop.
    assert_eq!(
        bases,
        vec![json!(1750), json!(370), json!(370), json!(370), json!(1750)]
    );
    assert_eq!(
        ari["hotel_aris"][1]["room_types"][0]["rooms"]["available"]["6"],
        json!({"id_room": 6, "room_num": "DR-101"})
    );
    let stay = api
        .post("bookings", booking(2, "2026-12-12", "2026-12-14", 1))
        .await
        .json();
    assert_eq!(
        stay["booking"]["associations"]["price_details"]["total_price_without_tax"],
        json!(1620)
    );
}

#[tokio::test]
async fn cancelling_through_order_histories_frees_the_rooms() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.state()
        .write(|s| s.freeze_clock(Some(at("2026-05-01 08:00:00"))));
    api.post("bookings", booking(1, "2026-12-21", "2026-12-23", 5))
        .await;
    assert_eq!(
        api.post("bookings", booking(1, "2026-12-21", "2026-12-22", 1))
            .await
            .status,
        400
    );
    sim.state()
        .write(|s| s.advance_clock(chrono::Duration::seconds(90)));
    let history = api
        .post("order_histories", "<qloapps><order_history><id_order>1</id_order><id_order_state>4</id_order_state></order_history></qloapps>")
        .await;
    assert_eq!(history.status, 201, "{}", history.text);
    let h = history.json();
    assert_eq!(h["order_history"]["id_order_state"], json!(4));
    assert_eq!(h["order_history"]["id_order"], json!("1"));
    assert_eq!(h["order_history"]["id_employee"], json!(""));
    let order = api.get("orders/1").await.json();
    assert_eq!(order["order"]["current_state"], json!(4));
    assert_eq!(order["order"]["date_upd"], json!("2026-05-01 08:01:30"));
    let lines = api
        .get("room_bookings?display=[id,is_cancelled,is_refunded]&filter[id_order]=[1]")
        .await
        .json();
    for line in lines["bookings"].as_array().expect("lines") {
        assert_eq!(
            (line["is_cancelled"].clone(), line["is_refunded"].clone()),
            (json!(1), json!(1))
        );
    }
    assert_eq!(
        api.post("bookings", booking(1, "2026-12-21", "2026-12-22", 1))
            .await
            .status,
        200
    );
    let cancelled_at_create: Value = {
        let mut b: Value =
            serde_json::from_str(&booking(3, "2027-01-01", "2027-01-02", 1)).expect("json");
        b["booking"]["booking_status"] = json!(3);
        api.post("bookings", b.to_string()).await.json()
    };
    let id = cancelled_at_create["booking"]["id"].as_u64().expect("id");
    assert_eq!(
        api.get(&format!("orders/{id}")).await.json()["order"]["current_state"],
        json!(4)
    );
}

#[tokio::test]
async fn put_replaces_the_room_lines() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.state()
        .write(|s| s.freeze_clock(Some(at("2026-05-01 08:00:00"))));
    api.post("bookings", booking(1, "2026-12-21", "2026-12-23", 1))
        .await;
    sim.state()
        .write(|s| s.advance_clock(chrono::Duration::seconds(5)));
    let mut put: Value =
        serde_json::from_str(&booking(1, "2026-12-22", "2026-12-25", 1)).expect("json");
    put["booking"]["id"] = json!(1);
    let answer = api.put("bookings", put.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let b = answer.json();
    assert_eq!(
        b["booking"]["associations"]["room_types"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        b["booking"]["associations"]["price_details"]["total_price_without_tax"],
        json!(3000)
    );
    let lines = api
        .get("room_bookings?display=[id,date_from,date_to]&filter[id_order]=[1]")
        .await
        .json();
    assert_eq!(
        lines["bookings"],
        json!([{"id": 2, "date_from": "2026-12-22 00:00:00", "date_to": "2026-12-25 00:00:00"}])
    );
    assert_eq!(
        api.get("orders/1").await.json()["order"]["date_upd"],
        json!("2026-05-01 08:00:05")
    );
    // Matching lines are kept (same id), and the customer must exist.
    put["booking"]["associations"]["customer_detail"]["email"] = json!("nobody@example.com");
    assert_eq!(api.put("bookings", put.to_string()).await.error_code(), 404);
}

#[tokio::test]
async fn xml_bookings_reuse_the_customer_by_email() {
    let sim = start().await;
    let api = Api::new(&sim);
    let first = api
        .post("bookings", booking(1, "2026-12-01", "2026-12-02", 1))
        .await
        .json();
    let xml = "<qloapps><booking><id_property>1</id_property><currency>USD</currency>\
        <associations><customer_detail><firstname>Ann</firstname><lastname>Lee</lastname>\
        <email>ANN@example.com</email><phone>123</phone></customer_detail>\
        <room_types><room_type><id_room_type>3</id_room_type><checkin_date>2026-12-01</checkin_date>\
        <checkout_date>2026-12-03</checkout_date><number_of_rooms>1</number_of_rooms>\
        <rooms><room><adult>1</adult></room></rooms></room_type></room_types></associations>\
        </booking></qloapps>";
    let second = api.post("bookings", xml).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let second = second.json();
    let customer =
        |b: &Value| b["booking"]["associations"]["customer_detail"]["id_customer"].clone();
    assert_eq!(customer(&first), json!(2));
    assert_eq!(customer(&second), json!(2));
    assert_eq!(
        second["booking"]["associations"]["room_types"][0]["rooms"][0]["adults"],
        json!(1)
    );
    assert_eq!(second["booking"]["source"], json!("localhost"));
}

#[tokio::test]
async fn hotel_ari_lists_booked_and_partially_available_rooms() {
    let sim = start().await;
    let api = Api::new(&sim);
    api.post("bookings", booking(1, "2026-12-21", "2026-12-23", 1))
        .await;
    let ari = |from: &str, to: &str| {
        format!(
            "<qloapps><hotel_ari><id_hotel>1</id_hotel><id_room_type>1</id_room_type>\
             <date_from>{from}</date_from><date_to>{to}</date_to><get_available_rooms>1</get_available_rooms>\
             <get_booked_rooms>1</get_booked_rooms><get_partial_available_rooms>1</get_partial_available_rooms>\
             <get_unavailable_rooms>1</get_unavailable_rooms></hotel_ari></qloapps>"
        )
    };
    let inside = api
        .post("hotel_ari", ari("2026-12-21", "2026-12-23"))
        .await
        .json();
    let a = &inside["hotel_ari"];
    assert_eq!(
        (
            a["total_rooms"].clone(),
            a["total_available_rooms"].clone(),
            a["total_booked_rooms"].clone()
        ),
        (json!(5), json!(4), json!(1))
    );
    let rooms = &a["room_types"][0]["rooms"];
    assert_eq!(
        rooms["booked"]["1"]["detail"][0]["id_htl_booking"],
        json!(1)
    );
    assert_eq!(rooms["partially_available"], json!([]));
    assert_eq!(rooms["unavailable"], json!([]));
    let overlapping = api
        .post("hotel_ari", ari("2026-12-22", "2026-12-24"))
        .await
        .json();
    let rooms = &overlapping["hotel_ari"]["room_types"][0]["rooms"];
    assert!(rooms["partially_available"]["1"].is_object(), "{rooms}");
    let after = api
        .post("hotel_ari", ari("2026-12-23", "2026-12-24"))
        .await
        .json();
    assert_eq!(after["hotel_ari"]["total_available_rooms"], json!(5));
}
