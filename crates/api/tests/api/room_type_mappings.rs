use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, QLO_KEY};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn room_type_mappings_are_created_read_updated_and_deleted(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!(
        "/api/v1/qloapps/configs/{}/room-type-mappings",
        world.config
    );
    let created = app
        .post(
            &uri,
            json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 11}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["isActive"], true);
    assert_eq!(
        created.body["propertyId"].as_str(),
        Some(world.property.as_str())
    );
    let item = format!("{uri}/{}", created.id());
    assert_eq!(app.get(&item).await.body, created.body);
    assert_eq!(app.get(&uri).await.body.as_array().map(Vec::len), Some(1));
    let updated = app
        .patch(&item, json!({"qloappsRoomTypeId": 12, "isActive": false}))
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(
        (
            updated.body["qloappsRoomTypeId"].as_i64(),
            updated.body["isActive"].as_bool()
        ),
        (Some(12), Some(false))
    );
    app.delete(&item)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.get(&item).await.assert_status(StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_mapping_is_unique_per_config_in_both_directions(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let other_room = app.room_type(&world.property, "SGL").await;
    let uri = format!(
        "/api/v1/qloapps/configs/{}/room-type-mappings",
        world.config
    );
    app.post(
        &uri,
        json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 11}),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let same_local = json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 12});
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(same_local),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    let same_remote = json!({"localRoomTypeId": other_room, "qloappsRoomTypeId": 11});
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(same_remote),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    let second = app
        .post(
            &uri,
            json!({"localRoomTypeId": other_room, "qloappsRoomTypeId": 12}),
        )
        .await;
    let item = format!("{uri}/{}", second.id());
    app.assert_rejected(
        Method::PATCH,
        &item,
        Some(json!({"qloappsRoomTypeId": 11})),
        StatusCode::CONFLICT,
        &[],
    )
    .await;

    let other_config = app
        .config(&world.property, 2, "https://other.example/api", QLO_KEY)
        .await;
    let elsewhere = format!("/api/v1/qloapps/configs/{other_config}/room-type-mappings");
    app.post(
        &elsewhere,
        json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 11}),
    )
    .await
    .assert_status(StatusCode::CREATED);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn bad_mappings_are_rejected_and_change_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let other_property = app.property().await;
    let foreign_room = app.room_type(&other_property, "DBL").await;
    let uri = format!(
        "/api/v1/qloapps/configs/{}/room-type-mappings",
        world.config
    );
    let bad = json!({"localRoomTypeId": foreign_room, "qloappsRoomTypeId": 0});
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["localRoomTypeId", "qloappsRoomTypeId"],
    )
    .await;
    let not_uuid = json!({"localRoomTypeId": "abc", "qloappsRoomTypeId": 1});
    app.assert_rejected(
        Method::POST,
        &uri,
        Some(not_uuid),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["localRoomTypeId"],
    )
    .await;
    let unknown = "/api/v1/qloapps/configs/6f1c2a3e-1111-4222-8333-944455556666/room-type-mappings";
    let ok = json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 1});
    app.assert_rejected(Method::POST, unknown, Some(ok), StatusCode::NOT_FOUND, &[])
        .await;
    app.assert_rejected(Method::GET, unknown, None, StatusCode::NOT_FOUND, &[])
        .await;
    let missing_item = format!("{uri}/6f1c2a3e-1111-4222-8333-944455556666");
    app.assert_rejected(
        Method::PATCH,
        &missing_item,
        Some(json!({"isActive": false})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::DELETE,
        &missing_item,
        None,
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("{uri}/xyz"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["mappingId"],
    )
    .await;
}
