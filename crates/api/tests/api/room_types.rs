use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, QLO_KEY};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn room_types_are_created_listed_updated_and_deleted(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let uri = format!("/api/v1/properties/{property}/room-types");
    let body =
        json!({"code": "DBL", "name": "Double", "description": "Lake view", "totalRooms": 10});
    let created = app.post(&uri, body).await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["maxAdults"], 2);
    assert_eq!(created.body["maxChildren"], 0);
    let id = created.id();
    assert_eq!(app.get(&uri).await.body.as_array().map(Vec::len), Some(1));
    let item = format!("/api/v1/room-types/{id}");
    let updated = app
        .patch(&item, json!({"totalRooms": 12, "description": null}))
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["totalRooms"], 12);
    assert!(updated.body["description"].is_null());
    assert_eq!(updated.body["name"], "Double");
    app.put(
        &format!("{item}/availability"),
        json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-02", "available": 3}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.delete(&item)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.get(&item).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("availability").await,
        0,
        "availability goes with its room type"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn bad_room_types_are_rejected_and_nothing_changes(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let uri = format!("/api/v1/properties/{property}/room-types");
    let bad = json!({"code": "has space", "name": "", "totalRooms": -1, "maxAdults": 0, "maxChildren": -2});
    let fields = ["code", "name", "totalRooms", "maxAdults", "maxChildren"];
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        &fields,
    )
    .await;
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(json!({"code": "A", "name": "A"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["totalRooms"],
    )
    .await;
    app.room_type(&property, "DBL").await;
    let duplicate = json!({"code": "DBL", "name": "Again", "totalRooms": 1});
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(duplicate),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    let unknown = "/api/v1/properties/6f1c2a3e-1111-4222-8333-944455556666/room-types";
    app.assert_rejected(Method::GET, unknown, None, StatusCode::NOT_FOUND, &[])
        .await;
    app.assert_rejected(
        Method::POST,
        unknown,
        Some(json!({"code": "X", "name": "X", "totalRooms": 1})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn updating_a_room_type_to_a_taken_code_or_bad_values_is_rejected(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    app.room_type(&property, "DBL").await;
    let single = app.room_type(&property, "SGL").await;
    let item = format!("/api/v1/room-types/{single}");
    app.assert_rejected(
        Method::PATCH,
        &item,
        Some(json!({"code": "DBL"})),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::PATCH,
        &item,
        Some(json!({"totalRooms": -5})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["totalRooms"],
    )
    .await;
    let missing = "/api/v1/room-types/6f1c2a3e-1111-4222-8333-944455556666";
    app.assert_rejected(
        Method::PATCH,
        missing,
        Some(json!({"name": "x"})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.assert_rejected(Method::DELETE, missing, None, StatusCode::NOT_FOUND, &[])
        .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_room_type_in_use_cannot_be_deleted(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    app.reservation(&world).await;
    let item = format!("/api/v1/room-types/{}", world.room_type);
    app.assert_rejected(Method::DELETE, &item, None, StatusCode::CONFLICT, &[])
        .await;

    let spare = app.room_type(&world.property, "SPARE").await;
    let config = app
        .config(&world.property, 2, "https://other.example/api", QLO_KEY)
        .await;
    let mapping = json!({"localRoomTypeId": spare, "qloappsRoomTypeId": 7});
    app.post(
        &format!("/api/v1/qloapps/configs/{config}/room-type-mappings"),
        mapping,
    )
    .await
    .assert_status(StatusCode::CREATED);
    app.assert_rejected(
        Method::DELETE,
        &format!("/api/v1/room-types/{spare}"),
        None,
        StatusCode::CONFLICT,
        &[],
    )
    .await;
}
