//! The simulator's answers have the keys and JSON value types of the real samples
//! (`tests/fixtures/real/`), for the same requests.

use qlo_sim::SimConfig;
use serde_json::Value;

use crate::helpers::{assert_same_shape, fixture, fixture_json, start_with, Api};

/// The captured shop has one language, so translated fields are plain strings there.
fn captured_shop() -> SimConfig {
    SimConfig {
        single_language: true,
        ..SimConfig::default()
    }
}

async fn with_sample_booking() -> (qlo_sim::SimServer, Api) {
    let sim = start_with(captured_shop()).await;
    let api = Api::new(&sim);
    let created = api
        .post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    (sim, api)
}

fn check(sample: &str, actual: &Value) {
    assert_same_shape(&fixture_json(sample), actual, &[]);
}

#[tokio::test]
async fn resources_list_is_the_real_list() {
    let sim = start_with(captured_shop()).await;
    let answer = Api::new(&sim).get("").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), fixture_json("real/resources_list.json"));
}

#[tokio::test]
async fn booking_post_and_reads_match_the_real_samples() {
    let sim = start_with(captured_shop()).await;
    let api = Api::new(&sim);
    let created = api
        .post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    check("real/post_booking_response.json", &created.json());
    // Same values as the real server for the same request on a fresh shop.
    let real = fixture_json("real/post_booking_response.json");
    let ours = created.json();
    for pointer in [
        "/booking/associations/price_details",
        "/booking/associations/room_types/0/rooms/0/unit_price_without_tax",
        "/booking/associations/room_types/0/checkin_date",
        "/booking/associations/customer_detail/id_customer",
    ] {
        assert_eq!(ours.pointer(pointer), real.pointer(pointer), "{pointer}");
    }

    check("real/get_bookings.json", &api.get("bookings").await.json());
    check(
        "real/get_bookings_ID.json",
        &api.get("bookings/1").await.json(),
    );
    let order = api.get("orders/1").await.json();
    check("real/get_orders_ID.json", &order);
    assert_eq!(order["order"]["total_paid"], "2080.000000");
    check(
        "real/get_room_bookings_display_full.json",
        &api.get("room_bookings?display=full").await.json(),
    );
}

#[tokio::test]
async fn catalog_reads_match_the_real_samples() {
    let (_sim, api) = with_sample_booking().await;
    check(
        "real/get_customers_display_some.json",
        &api.get("customers?display=[id,lastname,firstname,email]&filter[id]=[1]")
            .await
            .json(),
    );
    let rooms = api.get("hotel_rooms?display=full").await.json();
    check("real/get_hotel_rooms_display_full.json", &rooms);
    assert_eq!(
        rooms,
        fixture_json("real/get_hotel_rooms_display_full.json").pipe_dates(&rooms)
    );
    check(
        "real/get_hotel_room_types_display_full.json",
        &api.get("hotel_room_types?display=full").await.json(),
    );
    check(
        "real/get_room_types_1.json",
        &api.get("room_types/1").await.json(),
    );
    check(
        "real/get_room_types_display_full.json",
        &api.get("room_types?display=full").await.json(),
    );
    check("real/get_hotels_1.json", &api.get("hotels/1").await.json());
}

#[tokio::test]
async fn hotel_ari_matches_the_real_sample_values() {
    let sim = start_with(captured_shop()).await;
    let api = Api::new(&sim);
    let answer = api
        .post("hotel_ari", fixture("real/post_hotel_ari_request.xml"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    check("real/post_hotel_ari_response.json", &answer.json());
    assert_eq!(
        answer.json(),
        fixture_json("real/post_hotel_ari_response.json")
    );
}

#[tokio::test]
async fn stock_php8_answers_match_the_strictkey_samples() {
    let sim = start_with(SimConfig {
        stock_php8: true,
        ..captured_shop()
    })
    .await;
    let api = Api::new(&sim);
    let post = api
        .post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(post.status, 500);
    assert_eq!(
        post.json(),
        fixture_json("real/post_booking_response_STRICTKEY.json")
    );
    let get = api.get("bookings/1").await;
    assert_eq!(get.status, 500);
    assert_eq!(
        get.json(),
        fixture_json("real/get_bookings_ID_STRICTKEY.json")
    );
    // The write happened anyway.
    assert_eq!(sim.state().read(|s| s.orders.order_count()), 1);
}

#[tokio::test]
async fn unknown_resource_and_missing_key_answer_like_the_real_server() {
    let sim = start_with(captured_shop()).await;
    let api = Api::new(&sim);
    let unknown = api.get("nonexistent").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(
        unknown.json(),
        fixture_json("real/get_nonexistent_resource.json")
    );

    let resp = reqwest::get(format!("{}/?output_format=JSON", sim.api_url()))
        .await
        .expect("answered");
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    assert_eq!(
        resp.text().await.expect("body").trim(),
        fixture("real/get_without_key.txt").trim()
    );
}

/// Copies the timestamps of `actual` into the sample, so the rest can compare exactly.
trait PipeDates {
    fn pipe_dates(self, actual: &Value) -> Value;
}

impl PipeDates for Value {
    fn pipe_dates(mut self, actual: &Value) -> Value {
        if let (Some(rows), Some(ours)) = (self["rooms"].as_array_mut(), actual["rooms"].as_array())
        {
            for (row, our) in rows.iter_mut().zip(ours) {
                row["date_add"] = our["date_add"].clone();
                row["date_upd"] = our["date_upd"].clone();
            }
        }
        self
    }
}
