use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{bearer, request, reservation_body, TestApp, QLO_KEY};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn creating_a_reservation_writes_one_outbox_row_per_enabled_config(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let second = app
        .config(&world.property, 2, "https://second.example/api", QLO_KEY)
        .await;
    let disabled = app
        .config(&world.property, 3, "https://third.example/api", QLO_KEY)
        .await;
    app.patch(
        &format!("/api/v1/qloapps/configs/{disabled}"),
        json!({"syncEnabled": false}),
    )
    .await
    .assert_status(StatusCode::OK);

    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let create = request(Method::POST, &uri, Some(reservation_body(&world)))
        .header("authorization", bearer())
        .header("x-correlation-id", "corr-123")
        .body_json();
    let created = app.send(create).await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["status"], "confirmed");
    assert_eq!(created.body["source"], "pms");
    assert_eq!(
        created.body["currency"], "CHF",
        "defaults to the property's currency"
    );
    assert_eq!(created.body["totalPrice"], "450.00", "money is a string");

    let rows = app.outbox().await;
    let configs: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(configs, [world.config.as_str(), second.as_str()]);
    for (queue, event_type, config_id, payload, correlation) in &rows {
        assert_eq!(
            (queue.as_str(), event_type.as_str()),
            ("outbound", "reservation.create")
        );
        assert_eq!(payload["eventType"], "reservation.create");
        assert_eq!(payload["reservationId"], created.body["id"]);
        assert_eq!(payload["configId"].as_str(), Some(config_id.as_str()));
        assert!(payload["messageId"].is_string() && payload["timestamp"].is_string());
        assert_eq!(payload["correlationId"], "corr-123");
        assert_eq!(correlation.as_deref(), Some("corr-123"));
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_request_id_is_the_correlation_id_when_none_is_given(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let create = request(Method::POST, &uri, Some(reservation_body(&world)))
        .header("authorization", bearer())
        .header("x-request-id", "req-77")
        .body_json();
    let response = app.send(create).await;
    assert_eq!(response.headers["x-request-id"], "req-77");
    assert_eq!(app.outbox().await[0].4.as_deref(), Some("req-77"));
    app.reservation(&world).await;
    let generated = app.outbox().await[1].4.clone().unwrap_or_default();
    assert!(
        uuid::Uuid::parse_str(&generated).is_ok(),
        "a new id when the caller sends none: {generated}"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_property_that_does_not_sync_gets_no_outbox_rows(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let switch = json!({"propertyId": world.property, "channelManager": "none"});
    app.post("/api/v1/settings/channel-managers/switch", switch)
        .await
        .assert_status(StatusCode::OK);
    app.reservation(&world).await;
    assert_eq!(app.count("outbox").await, 0);
    assert_eq!(app.count("reservations").await, 1);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn an_invalid_reservation_names_every_bad_field_and_stores_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let mut bad = reservation_body(&world);
    bad["checkOut"] = json!("2026-11-30");
    bad["adults"] = json!(0);
    bad["children"] = json!(-1);
    bad["numberOfRooms"] = json!(0);
    bad["totalPrice"] = json!("-10.005");
    bad["currency"] = json!("chf");
    let fields = [
        "checkOut",
        "adults",
        "children",
        "numberOfRooms",
        "totalPrice",
        "currency",
    ];
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        &fields,
    )
    .await;

    let mut bad_date = reservation_body(&world);
    bad_date["checkIn"] = json!("01/12/2026");
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(bad_date),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["checkIn"],
    )
    .await;
    let mut long = reservation_body(&world);
    long["checkOut"] = json!("2028-01-01");
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(long),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["checkOut"],
    )
    .await;
    let mut missing = reservation_body(&world);
    missing.as_object_mut().map(|o| o.remove("guestId"));
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(missing),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["guestId"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_reservation_must_use_a_room_type_and_guest_of_its_property_and_fit(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let other = app.property().await;
    let foreign_room = app.room_type(&other, "DBL").await;
    let foreign_guest = app.guest(&other).await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let mut body = reservation_body(&world);
    body["roomTypeId"] = json!(foreign_room);
    body["guestId"] = json!(foreign_guest);
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(body),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["roomTypeId", "guestId"],
    )
    .await;
    let mut crowded = reservation_body(&world);
    crowded["numberOfRooms"] = json!(6);
    crowded["adults"] = json!(13);
    crowded["children"] = json!(7);
    let fields = ["numberOfRooms", "adults", "children"];
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(crowded),
        StatusCode::UNPROCESSABLE_ENTITY,
        &fields,
    )
    .await;
    let unknown = "/api/v1/properties/6f1c2a3e-1111-4222-8333-944455556666/reservations";
    app.assert_rejected(
        Method::POST,
        unknown,
        Some(reservation_body(&world)),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn updating_a_reservation_enqueues_an_update_and_validates_the_merged_stay(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let id = app.reservation(&world).await;
    let uri = format!("/api/v1/reservations/{id}");
    let before = app.get(&uri).await;
    let updated = app
        .patch(
            &uri,
            json!({"checkOut": "2026-12-05", "totalPrice": 600, "notes": "late arrival"}),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["checkOut"], "2026-12-05");
    assert_eq!(updated.body["totalPrice"], "600.00");
    assert_eq!(updated.body["checkIn"], "2026-12-01");
    assert!(updated.body["updatedAt"].as_str() > before.body["updatedAt"].as_str());
    let events: Vec<String> = app.outbox().await.into_iter().map(|r| r.1).collect();
    assert_eq!(events, ["reservation.create", "reservation.update"]);

    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"checkOut": "2026-12-01"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["checkOut"],
    )
    .await;
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["body"],
    )
    .await;
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"adults": 9})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["adults"],
    )
    .await;
    let missing = "/api/v1/reservations/6f1c2a3e-1111-4222-8333-944455556666";
    app.assert_rejected(Method::GET, missing, None, StatusCode::NOT_FOUND, &[])
        .await;
    app.assert_rejected(
        Method::GET,
        "/api/v1/reservations/12",
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["reservationId"],
    )
    .await;
    app.assert_rejected(
        Method::PATCH,
        missing,
        Some(json!({"adults": 1})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn cancelling_enqueues_a_cancel_and_a_cancelled_reservation_is_final(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let id = app.reservation(&world).await;
    let cancel = format!("/api/v1/reservations/{id}/cancel");
    let cancelled = app.call(Method::POST, &cancel, None).await;
    cancelled.assert_status(StatusCode::OK);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert!(cancelled.body["cancelledAt"].is_string());
    assert_eq!(
        app.outbox().await.last().map(|r| r.1.clone()).as_deref(),
        Some("reservation.cancel")
    );

    app.assert_rejected(Method::POST, &cancel, None, StatusCode::CONFLICT, &[])
        .await;
    let uri = format!("/api/v1/reservations/{id}");
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"adults": 1})),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    let missing = "/api/v1/reservations/6f1c2a3e-1111-4222-8333-944455556666/cancel";
    app.assert_rejected(Method::POST, missing, None, StatusCode::NOT_FOUND, &[])
        .await;
}
