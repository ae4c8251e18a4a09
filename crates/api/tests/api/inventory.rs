use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn availability_is_set_over_a_range_enqueued_and_read_back(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/room-types/{}/availability", world.room_type);
    let set = app
        .put(
            &uri,
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "available": 4}),
        )
        .await;
    set.assert_status(StatusCode::OK);
    assert_eq!(set.body["nights"].as_array().map(Vec::len), Some(3));
    app.put(
        &uri,
        json!({"dateFrom": "2026-12-03", "dateTo": "2026-12-04", "available": 0}),
    )
    .await
    .assert_status(StatusCode::OK);

    let read = app
        .get(&format!("{uri}?dateFrom=2026-11-30&dateTo=2026-12-31"))
        .await;
    read.assert_status(StatusCode::OK);
    let nights: Vec<(String, i64)> = read.body["nights"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            (
                n["night"].as_str().unwrap_or_default().to_owned(),
                n["available"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let want = [
        ("2026-12-01", 4),
        ("2026-12-02", 4),
        ("2026-12-03", 0),
        ("2026-12-04", 0),
    ];
    assert_eq!(nights, want.map(|(d, n)| (d.to_owned(), n)));

    let rows = app.outbox().await;
    assert_eq!(rows.len(), 2);
    let (queue, event, config, payload, _) = &rows[0];
    assert_eq!(
        (queue.as_str(), event.as_str(), config.as_str()),
        ("outbound", "availability.update", world.config.as_str())
    );
    assert_eq!(
        payload["roomTypeId"].as_str(),
        Some(world.room_type.as_str())
    );
    assert_eq!(
        (payload["dateFrom"].as_str(), payload["dateTo"].as_str()),
        (Some("2026-12-01"), Some("2026-12-03"))
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn bad_availability_is_rejected_and_changes_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/room-types/{}/availability", world.room_type);
    let cases = [
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "available": 6}),
            vec!["available"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "available": -1}),
            vec!["available"],
        ),
        (
            json!({"dateFrom": "2026-12-05", "dateTo": "2026-12-03", "available": 1}),
            vec!["dateTo"],
        ),
        (
            json!({"dateFrom": "2026-01-01", "dateTo": "2027-01-02", "available": 1}),
            vec!["dateTo"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-13-01", "available": 1}),
            vec!["dateTo"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "available": 1}),
            vec!["dateTo"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-02", "available": "many"}),
            vec!["available"],
        ),
    ];
    for (body, fields) in cases {
        app.assert_rejected(
            Method::PUT,
            &uri,
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &fields,
        )
        .await;
    }
    let missing = "/api/v1/room-types/6f1c2a3e-1111-4222-8333-944455556666/availability";
    let ok = json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-02", "available": 1});
    app.assert_rejected(Method::PUT, missing, Some(ok), StatusCode::NOT_FOUND, &[])
        .await;
    app.assert_rejected(
        Method::GET,
        &format!("{missing}?dateFrom=2026-12-01&dateTo=2026-12-02"),
        None,
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?dateFrom=2026-12-01"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["dateTo"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn rates_are_set_over_a_range_enqueued_and_read_back_in_the_property_currency(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/room-types/{}/rates", world.room_type);
    let set = app
        .put(
            &uri,
            json!({"dateFrom": "2026-12-24", "dateTo": "2026-12-26", "rate": "189.5"}),
        )
        .await;
    set.assert_status(StatusCode::OK);
    assert_eq!(set.body["currency"], "CHF");
    let read = app
        .get(&format!("{uri}?dateFrom=2026-12-25&dateTo=2026-12-25"))
        .await;
    assert_eq!(read.body["nights"][0]["rate"], "189.50");
    assert_eq!(read.body["nights"].as_array().map(Vec::len), Some(1));
    let rows = app.outbox().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "rate.update");
    assert_eq!(rows[0].3["dateTo"], "2026-12-26");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn bad_rates_are_rejected_and_change_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/room-types/{}/rates", world.room_type);
    let cases = [
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "rate": "-1"}),
            vec!["rate"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "rate": "10.001"}),
            vec!["rate"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "rate": "ten"}),
            vec!["rate"],
        ),
        (
            json!({"dateFrom": "2026-12-04", "dateTo": "2026-12-03", "rate": "-5"}),
            vec!["dateTo", "rate"],
        ),
        (
            json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "rate": "1", "currency": "EUR"}),
            vec!["currency"],
        ),
    ];
    for (body, fields) in cases {
        app.assert_rejected(
            Method::PUT,
            &uri,
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &fields,
        )
        .await;
    }
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?dateFrom=x&dateTo=2026-12-01"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["dateFrom"],
    )
    .await;
}
