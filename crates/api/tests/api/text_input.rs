//! Text PostgreSQL cannot store and bodies that are not UTF-8 JSON are refused at the edge,
//! naming the problem and changing nothing (instead of a 500 from the database).

use axum::http::{header, Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{bearer, request, TestApp};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_nul_byte_in_a_body_or_a_query_is_a_422_naming_the_field(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    app.assert_rejected(
        Method::POST,
        &format!("/api/v1/properties/{property}/guests"),
        Some(json!({"firstName": "An\u{0}na", "lastName": "Keller"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["firstName"],
    )
    .await;
    app.assert_rejected(
        Method::POST,
        "/api/v1/properties",
        Some(json!({"name": "Hotel", "currency": "USD", "timezone": "Europe/Zurich\u{0}"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["timezone"],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("/api/v1/properties/{property}/guests?email=%00"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["email"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_body_in_another_charset_is_a_415(pool: PgPool) {
    let app = TestApp::new(pool);
    let body = json!({"name": "Hotel", "currency": "USD"}).to_string();
    let sent = app
        .send(
            request(Method::POST, "/api/v1/properties", None)
                .header(header::AUTHORIZATION, bearer())
                .raw(Some("application/json; charset=utf-16"), body.clone()),
        )
        .await;
    sent.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let utf8 = app
        .send(
            request(Method::POST, "/api/v1/properties", None)
                .header(header::AUTHORIZATION, bearer())
                .raw(Some("application/json; charset=UTF-8"), body),
        )
        .await;
    utf8.assert_status(StatusCode::CREATED);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn dates_outside_yyyy_mm_dd_or_a_sane_range_are_refused(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let room_type = app.room_type(&property, "STD").await;
    let guest = app.guest(&property).await;
    let far = (chrono::Utc::now().date_naive() + chrono::Days::new(6 * 366)).to_string();
    for check_in in [
        "0000-01-01",
        "-0001-01-01",
        "+10000-01-01",
        "2028-1-1",
        far.as_str(),
    ] {
        let body = json!({"roomTypeId": room_type, "guestId": guest, "checkIn": check_in,
            "checkOut": "2031-01-03", "adults": 2, "totalPrice": "100.00"});
        app.assert_rejected(
            Method::POST,
            &format!("/api/v1/properties/{property}/reservations"),
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &["checkIn"],
        )
        .await;
    }
}
