//! The admin API and the request log.

use qlo_sim::SimConfig;
use serde_json::{json, Value};

use crate::helpers::{start, start_with, Api};

#[tokio::test]
async fn request_log_counts_per_resource_and_method() {
    let sim = start().await;
    let api = Api::new(&sim);
    api.get("orders").await;
    api.get("orders/1").await;
    api.get("").await;
    api.post("customers", "<x/>").await;
    assert_eq!(sim.request_count("orders", "GET"), 2);
    assert_eq!(sim.request_count("", "GET"), 1);
    assert_eq!(sim.request_count("customers", "POST"), 1);
    let log = sim.request_log();
    assert_eq!(log.len(), 4);
    assert_eq!(log[1].id.as_deref(), Some("1"));
    assert_eq!(log[1].status, 404);
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
    sim.clear_request_log();
    assert!(sim.request_log().is_empty());
}

#[tokio::test]
async fn admin_api_drives_faults_seeding_and_switches() {
    let sim = start_with(SimConfig {
        hotels: 3,
        ..SimConfig::default()
    })
    .await;
    let api = Api::new(&sim);
    let admin = sim.admin_url();
    let http = reqwest::Client::new();
    let fault: Value = http
        .post(format!("{admin}/faults"))
        .json(&json!({"kind": "status", "status": 503, "match": {"resource": "orders"}, "times": {"times": 1}}))
        .send()
        .await
        .expect("admin answers")
        .json()
        .await
        .expect("json");
    assert!(fault["id"].as_u64().is_some());
    assert_eq!(api.get("orders").await.status, 503);
    assert_eq!(api.get("orders").await.status, 200);
    let seeded: Value = http
        .post(format!("{admin}/seed"))
        .json(&json!({"count": 50, "id_hotel": 2}))
        .send()
        .await
        .expect("seeded")
        .json()
        .await
        .expect("json");
    assert_eq!(seeded["created"], json!(50));
    let summary: Value = http
        .get(format!("{admin}/state"))
        .send()
        .await
        .expect("state")
        .json()
        .await
        .expect("json");
    assert_eq!(summary["hotels"], json!(3));
    assert_eq!(summary["rooms"], json!(60));
    assert_eq!(summary["orders"], json!(50));
    let counts: Value = http
        .get(format!("{admin}/requests/counts"))
        .send()
        .await
        .expect("counts")
        .json()
        .await
        .expect("json");
    assert_eq!(counts["total"], json!(2));
    http.post(format!("{admin}/stock-php8"))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .expect("switch");
    assert_eq!(api.get("bookings/1").await.status, 500);
    let tz = http
        .post(format!("{admin}/timezone"))
        .json(&json!({"timezone": "Europe/Zurich"}))
        .send()
        .await
        .expect("tz");
    assert_eq!(tz.status(), 200);
    let conf = api
        .get("configurations?display=[value]&filter[name]=[PS_TIMEZONE]")
        .await
        .json();
    assert_eq!(conf["configurations"][0]["value"], json!("Europe/Zurich"));
    let bad_tz = http
        .post(format!("{admin}/timezone"))
        .json(&json!({"timezone": "Mars/Base"}))
        .send()
        .await
        .expect("tz");
    assert_eq!(bad_tz.status(), 400);
    http.delete(format!("{admin}/requests"))
        .send()
        .await
        .expect("cleared");
    assert!(sim.request_log().is_empty());
    let rooms = api
        .get("hotel_room_types?display=[id]&filter[id_hotel]=[3]")
        .await
        .json();
    assert_eq!(
        rooms,
        json!({"hotel_room_types":[{"id":9},{"id":10},{"id":11},{"id":12}]})
    );
}
