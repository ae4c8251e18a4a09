//! Every fault kind, its matcher and its count, and the stock PHP 8 mode.

use std::time::{Duration, Instant};

use qlo_sim::Fault;
use serde_json::{json, Value};

use crate::helpers::{fixture, fixture_json, start, Api};

#[tokio::test]
async fn latency_delays_only_matching_requests() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.faults().add(
        Fault::latency(Duration::from_millis(300))
            .on("orders")
            .times(1),
    );
    let started = Instant::now();
    assert_eq!(api.get("customers").await.status, 200);
    assert!(started.elapsed() < Duration::from_millis(250));
    let started = Instant::now();
    assert_eq!(api.get("orders").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    api.get("orders").await;
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "used up after one"
    );
}

#[tokio::test]
async fn status_faults_answer_without_writing() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.faults().add(
        Fault::status_with_error(503, 0, "maintenance")
            .on("bookings")
            .method("POST")
            .times(2),
    );
    for _ in 0..2 {
        let answer = api
            .post("bookings", fixture("real/post_booking_request.json"))
            .await;
        assert_eq!(answer.status, 503);
        assert_eq!(
            answer.json(),
            json!({"errors":[{"code":0,"message":"maintenance"}]})
        );
    }
    assert_eq!(sim.state().read(|s| s.orders.order_count()), 0);
    assert_eq!(
        api.post("bookings", fixture("real/post_booking_request.json"))
            .await
            .status,
        200
    );
    sim.faults().add(Fault::status(502));
    let bare = api.get("orders").await;
    assert_eq!((bare.status.as_u16(), bare.text.as_str()), (502, ""));
    sim.faults().clear();
    assert_eq!(api.get("orders").await.status, 200);
}

#[tokio::test]
async fn rate_limit_fault_sends_retry_after() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.faults().add(Fault::rate_limited(7).always());
    let answer = api.get("orders").await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers["retry-after"], "7");
    assert_eq!(api.get("").await.status, 429);
    assert_eq!(
        sim.request_log().iter().filter(|r| r.status == 429).count(),
        2
    );
}

#[tokio::test]
async fn timeout_hangs_longer_than_the_client_waits() {
    let sim = start().await;
    sim.faults()
        .add(Fault::timeout(Duration::from_secs(5)).on("orders").times(1));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let url = format!("{}/orders?output_format=JSON", sim.api_url());
    let err = client
        .get(&url)
        .basic_auth(sim.api_key(), Some(""))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    // the abandoned attempt is in the request log at once, unanswered
    assert_eq!(sim.request_count("orders", "GET"), 1);
    assert_eq!(sim.request_log()[0].status, 0);
    // The next call goes through on a fresh connection.
    let ok = client
        .get(&url)
        .basic_auth(sim.api_key(), Some(""))
        .send()
        .await
        .expect("answered");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn timeout_after_write_stores_the_booking() {
    let sim = start().await;
    sim.faults().add(
        Fault::timeout_after_write(Duration::from_secs(5))
            .on("bookings")
            .times(1),
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = client
        .post(format!("{}/bookings?output_format=JSON", sim.api_url()))
        .basic_auth(sim.api_key(), Some(""))
        .body(fixture("real/post_booking_request.json"))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout());
    assert_eq!(sim.state().read(|s| s.orders.order_count()), 1);
    assert_eq!(
        sim.request_count("bookings", "POST"),
        1,
        "a write that hangs is logged when written"
    );
}

#[tokio::test]
async fn dropped_connections_get_no_answer() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.faults()
        .add(Fault::drop_connection().on("orders").times(1));
    let err = api
        .client
        .get(api.url("orders"))
        .basic_auth(&api.key, Some(""))
        .send()
        .await
        .expect_err("connection dropped");
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(api.get("orders").await.status, 200);
    sim.faults()
        .add(Fault::drop_connection_after_write().on("bookings").times(1));
    assert!(api
        .client
        .post(api.url("bookings"))
        .basic_auth(&api.key, Some(""))
        .body(fixture("real/post_booking_request.json"))
        .send()
        .await
        .is_err());
    assert_eq!(sim.state().read(|s| s.orders.order_count()), 1);
    let logged: Vec<u16> = sim.request_log().iter().map(|r| r.status).collect();
    assert_eq!(logged, vec![0, 200, 0]);
}

#[tokio::test]
async fn error_after_write_stores_then_answers_the_php_warning_500() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.faults().add(
        Fault::error_after_write()
            .on("bookings")
            .method("POST")
            .times(1),
    );
    let answer = api
        .post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.json(),
        fixture_json("real/post_booking_response_STRICTKEY.json")
    );
    let found = api
        .get("orders?display=[id,source]&filter[source]=[api-test]")
        .await
        .json();
    assert_eq!(found, json!({"orders":[{"id":1,"source":"api-test"}]}));
}

#[tokio::test]
async fn stock_php8_mode_writes_then_500s_and_reads_500() {
    let sim = start().await;
    let api = Api::new(&sim);
    assert_eq!(
        api.post("bookings", fixture("real/post_booking_request.json"))
            .await
            .status,
        200
    );
    sim.set_stock_php8(true);
    let mut put: Value =
        serde_json::from_str(&fixture("real/post_booking_request.json")).expect("json");
    put["booking"]["id"] = json!(1);
    put["booking"]["associations"]["room_types"][0]["checkin_date"] = json!("2026-12-23");
    put["booking"]["associations"]["room_types"][0]["checkout_date"] = json!("2026-12-26");
    let answer = api.put("bookings", put.to_string()).await;
    assert_eq!(answer.status, 500);
    let lines = api
        .get("room_bookings?display=[id_order,date_from,date_to]&filter[id_order]=[1]")
        .await
        .json();
    assert_eq!(
        lines["bookings"],
        json!([{"id_order": 1, "date_from": "2026-12-23 00:00:00", "date_to": "2026-12-26 00:00:00"}])
    );
    assert_eq!(api.get("bookings/1").await.status, 500);
    assert_eq!(api.get("bookings").await.status, 200);
    // Validation errors still answer 400 and write nothing.
    let mut bad = put.clone();
    bad["booking"]["id"] = json!(99);
    assert_eq!(api.put("bookings", bad.to_string()).await.status, 400);
    sim.set_stock_php8(false);
    assert_eq!(api.get("bookings/1").await.status, 200);
}
