use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use sync_core::messages::InboundMessage;

use crate::helpers::{bearer, request, TestApp};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_booking_event_is_accepted_and_queued_on_the_inbound_queue(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let body =
        json!({"configId": world.config, "eventType": "booking.cancelled", "qloAppsBookingId": 42});
    let call = request(Method::POST, "/api/v1/qloapps/booking-events", Some(body))
        .header("authorization", bearer())
        .header("x-correlation-id", "hook-7")
        .body_json();
    let accepted = app.send(call).await;
    accepted.assert_status(StatusCode::ACCEPTED);
    assert_eq!(accepted.body["eventType"], "booking.cancelled");
    assert_eq!(accepted.body["qloAppsBookingId"], 42);
    let rows = app.outbox().await;
    assert_eq!(rows.len(), 1);
    let (queue, event, config, payload, correlation) = &rows[0];
    assert_eq!(
        (queue.as_str(), event.as_str(), config.as_str()),
        ("inbound", "booking.cancelled", world.config.as_str())
    );
    assert_eq!(payload["messageId"], accepted.body["messageId"]);
    assert_eq!(correlation.as_deref(), Some("hook-7"));
    let message: InboundMessage = serde_json::from_value(payload.clone()).expect("a valid message");
    let InboundMessage::BookingCancelled(event) = message else {
        panic!("wrong message: {message:?}")
    };
    assert_eq!(event.qlo_apps_booking_id, 42);

    for event_type in ["booking.created", "booking.updated"] {
        let body =
            json!({"configId": world.config, "eventType": event_type, "qloAppsBookingId": 7});
        let response = app.post("/api/v1/qloapps/booking-events", body).await;
        response.assert_status(StatusCode::ACCEPTED);
    }
    let events: Vec<String> = app.outbox().await.into_iter().map(|r| r.1).collect();
    assert_eq!(
        events,
        ["booking.cancelled", "booking.created", "booking.updated"]
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_booking_event_that_cannot_be_queued_is_rejected_and_queues_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = "/api/v1/qloapps/booking-events";
    let cases = [
        (
            json!({"configId": "6f1c2a3e-1111-4222-8333-944455556666", "eventType": "booking.created", "qloAppsBookingId": 1}),
            "configId",
        ),
        (
            json!({"configId": world.config, "eventType": "booking.sync", "qloAppsBookingId": 1}),
            "eventType",
        ),
        (
            json!({"configId": world.config, "eventType": "booking.created", "qloAppsBookingId": 0}),
            "qloAppsBookingId",
        ),
        (
            json!({"configId": world.config, "eventType": "booking.created", "qloAppsBookingId": 4_294_967_296_i64}),
            "qloAppsBookingId",
        ),
        (
            json!({"configId": world.config, "eventType": "booking.created", "qloAppsBookingId": "12"}),
            "qloAppsBookingId",
        ),
        (
            json!({"configId": world.config, "eventType": "booking.created"}),
            "qloAppsBookingId",
        ),
    ];
    for (body, field) in cases {
        app.assert_rejected(
            Method::POST,
            uri,
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &[field],
        )
        .await;
    }
    app.patch(
        &format!("/api/v1/qloapps/configs/{}", world.config),
        json!({"syncEnabled": false}),
    )
    .await;
    let body =
        json!({"configId": world.config, "eventType": "booking.updated", "qloAppsBookingId": 5});
    app.assert_rejected(Method::POST, uri, Some(body), StatusCode::CONFLICT, &[])
        .await;
    assert!(app.outbox().await.is_empty());
}
