//! A change and its outbox row commit together or not at all: a trigger installed by the test
//! makes every outbox insert fail after the reservation row was written.

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{reservation_body, TestApp};

async fn break_the_outbox(app: &TestApp) {
    sqlx::query(
        "CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'outbox insert refused by the test'; END $$",
    )
    .execute(&app.pool)
    .await
    .expect("function");
    sqlx::query("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox()")
        .execute(&app.pool)
        .await
        .expect("trigger");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_reservation_is_not_created_when_its_outbox_row_cannot_be_written(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    break_the_outbox(&app).await;
    let response = app
        .post(
            &format!("/api/v1/properties/{}/reservations", world.property),
            reservation_body(&world),
        )
        .await;
    response.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.code(), "internal");
    assert!(
        !response.text.contains("refused by the test"),
        "internal details stay in the log: {}",
        response.text
    );
    assert_eq!(app.count("reservations").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn updates_cancels_and_range_changes_roll_back_with_their_outbox_row(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let id = app.reservation(&world).await;
    break_the_outbox(&app).await;
    let before = app.snapshot().await;
    let uri = format!("/api/v1/reservations/{id}");
    app.patch(&uri, json!({"adults": 1}))
        .await
        .assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    app.call(Method::POST, &format!("{uri}/cancel"), None)
        .await
        .assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    let range = json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "available": 2});
    let room = format!("/api/v1/room-types/{}", world.room_type);
    app.put(&format!("{room}/availability"), range)
        .await
        .assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    let rates = json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "rate": "99.00"});
    app.put(&format!("{room}/rates"), rates)
        .await
        .assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    app.post("/api/v1/qloapps/sync", json!({"configId": world.config}))
        .await
        .assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        app.snapshot().await,
        before,
        "nothing of the failed changes remains"
    );
}
