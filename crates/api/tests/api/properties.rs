use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{bearer, request, TestApp};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn creating_a_property_defaults_to_qloapps_as_channel_manager(pool: PgPool) {
    let app = TestApp::new(pool);
    let created = app
        .post("/api/v1/properties", json!({"name": "  Hotel Lac "}))
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.body["name"], "Hotel Lac");
    assert_eq!(created.body["timezone"], "UTC");
    assert_eq!(created.body["currency"], "EUR");
    assert_eq!(created.body["activeChannelManager"], "qloapps");
    let fetched = app
        .get(&format!("/api/v1/properties/{}", created.id()))
        .await;
    fetched.assert_status(StatusCode::OK);
    assert_eq!(fetched.body, created.body);
    let list = app.get("/api/v1/properties").await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_property_with_bad_fields_is_rejected_naming_each_one(pool: PgPool) {
    let app = TestApp::new(pool);
    let body = json!({"name": " ", "timezone": "Mars/Olympus", "currency": "eur"});
    app.assert_rejected(
        Method::POST,
        "/api/v1/properties",
        Some(body),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["name", "timezone", "currency"],
    )
    .await;
    let wrong_type = json!({"name": 12});
    app.assert_rejected(
        Method::POST,
        "/api/v1/properties",
        Some(wrong_type),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["name"],
    )
    .await;
    let unknown = json!({"name": "x", "stars": 5});
    app.assert_rejected(
        Method::POST,
        "/api/v1/properties",
        Some(unknown),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["stars"],
    )
    .await;
    app.assert_rejected(
        Method::POST,
        "/api/v1/properties",
        Some(json!({})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["name"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn malformed_json_is_400_a_missing_content_type_415_and_a_huge_body_413(pool: PgPool) {
    let app = TestApp::new(pool);
    let before = app.snapshot().await;
    let malformed = request(Method::POST, "/api/v1/properties", None)
        .header("authorization", bearer())
        .raw(Some("application/json"), r#"{"name": "#);
    let response = app.send(malformed).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_json");
    let no_type = request(Method::POST, "/api/v1/properties", None)
        .header("authorization", bearer())
        .raw(None, r#"{"name":"x"}"#);
    assert_eq!(
        app.send(no_type).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(64 * 1024));
    let too_big = request(Method::POST, "/api/v1/properties", None)
        .header("authorization", bearer())
        .raw(Some("application/json"), huge);
    let response = app.send(too_big).await;
    response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.code(), "payload_too_large");
    assert_eq!(app.snapshot().await, before);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn updating_a_property_changes_only_the_given_fields(pool: PgPool) {
    let app = TestApp::new(pool);
    let id = app.property().await;
    let uri = format!("/api/v1/properties/{id}");
    let updated = app.patch(&uri, json!({"name": "Hotel du Lac"})).await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.body["name"], "Hotel du Lac");
    assert_eq!(updated.body["currency"], "CHF");
    assert_eq!(updated.body["timezone"], "Europe/Zurich");
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"currency": "EURO", "name": ""})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["currency", "name"],
    )
    .await;
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"activeChannelManager": "none"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["activeChannelManager"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn unknown_property_ids_are_404_and_malformed_ids_422(pool: PgPool) {
    let app = TestApp::new(pool);
    let missing = "/api/v1/properties/6f1c2a3e-1111-4222-8333-944455556666";
    let response = app.get(missing).await;
    response.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(response.code(), "not_found");
    app.assert_rejected(
        Method::PATCH,
        missing,
        Some(json!({"name": "x"})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        "/api/v1/properties/not-a-uuid",
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["propertyId"],
    )
    .await;
}
