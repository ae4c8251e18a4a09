use serde_json::json;

use crate::helpers::{fixture, start, Api};

#[tokio::test]
async fn resource_list_orders_and_booking_post_work() {
    let sim = start().await;
    let api = Api::new(&sim);
    let list = api.get("").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.headers["PSWS-Version"], "1.6.1.23");
    assert!(list.json().as_array().expect("array").len() > 80);
    assert_eq!(api.get("orders").await.json(), json!([]));

    let created = api
        .post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let b = created.json();
    assert_eq!(
        b["booking"]["associations"]["price_details"]["total_price_without_tax"],
        json!(2000)
    );
    assert_eq!(
        b["booking"]["associations"]["price_details"]["total_tax"],
        json!(80)
    );

    let order = api.get("orders/1").await.json();
    assert_eq!(order["order"]["total_paid"], json!("2080.000000"));
    assert_eq!(order["order"]["current_state"], json!(1));
    let lines = api
        .get("room_bookings?display=full&filter[id_order]=[1]")
        .await
        .json();
    assert_eq!(lines["bookings"][0]["room_num"], json!("GR-101"));
    let customers = api
        .get("customers?display=[id,firstname,lastname,email,phone]&filter[email]=[jane.tester@example.com]")
        .await
        .json();
    assert_eq!(customers["customers"][0]["id"], json!(2));
    let conf = api
        .get("configurations?display=[name,value]&filter[name]=[PS_OS_CANCELED|PS_TIMEZONE]")
        .await
        .json();
    assert_eq!(conf["configurations"].as_array().map(Vec::len), Some(2));
    sim.shutdown().await;
}
