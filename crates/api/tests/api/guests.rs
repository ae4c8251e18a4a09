use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_guest_is_stored_with_a_normalised_phone(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let id = app.guest(&property).await;
    let guest = app.get(&format!("/api/v1/guests/{id}")).await;
    guest.assert_status(StatusCode::OK);
    assert_eq!(guest.body["email"], "Ada@Example.com");
    assert_eq!(guest.body["phone"], "+41 79 123 45 67");
    assert_eq!(guest.body["phoneNormalized"], "+41791234567");
    assert_eq!(guest.body["possibleDuplicate"], false);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn guests_are_found_by_email_phone_or_name_and_paged(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    app.guest(&property).await;
    let uri = format!("/api/v1/properties/{property}/guests");
    app.post(&uri, json!({"firstName": "Grace", "lastName": "Hopper"}))
        .await
        .assert_status(StatusCode::CREATED);
    app.post(
        &uri,
        json!({"firstName": "Alan", "lastName": "Turing", "phone": "0041 79 000 00 00"}),
    )
    .await;

    let by_email = app.get(&format!("{uri}?email=ada%40EXAMPLE.com")).await;
    assert_eq!(by_email.body["total"], 1, "{}", by_email.text);
    assert_eq!(by_email.body["items"][0]["lastName"], "Lovelace");
    let by_phone = app.get(&format!("{uri}?phone=%2B41-79-123-4567")).await;
    assert_eq!(by_phone.body["total"], 1, "{}", by_phone.text);
    let by_name = app.get(&format!("{uri}?name=hop")).await;
    assert_eq!(by_name.body["items"][0]["firstName"], "Grace");
    let page = app.get(&format!("{uri}?limit=2&offset=2")).await;
    assert_eq!(page.body["total"], 3);
    assert_eq!(page.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        page.body["items"][0]["lastName"], "Turing",
        "sorted by last name"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn bad_guests_and_bad_searches_are_rejected(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let uri = format!("/api/v1/properties/{property}/guests");
    let bad = json!({"firstName": "", "lastName": "x".repeat(101), "email": "not-an-email", "phone": "call me"});
    let fields = ["firstName", "lastName", "email", "phone"];
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
        Some(json!({"firstName": "A"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["lastName"],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?limit=0"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["limit"],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?limit=abc"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["limit"],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?color=red"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["color"],
    )
    .await;
    let unknown = "/api/v1/properties/6f1c2a3e-1111-4222-8333-944455556666/guests";
    app.assert_rejected(
        Method::POST,
        unknown,
        Some(json!({"firstName": "A", "lastName": "B"})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn updating_a_guest_can_clear_contact_fields_and_the_duplicate_flag(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let id = app.guest(&property).await;
    let uri = format!("/api/v1/guests/{id}");
    let updated = app
        .patch(
            &uri,
            json!({"email": null, "phone": "079 111 22 33", "possibleDuplicate": false}),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert!(updated.body["email"].is_null());
    assert_eq!(updated.body["phoneNormalized"], "0791112233");
    assert_eq!(updated.body["firstName"], "Ada");
    let cleared = app.patch(&uri, json!({"phone": null})).await;
    assert!(cleared.body["phoneNormalized"].is_null());
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"email": "x@"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["email"],
    )
    .await;
    let missing = "/api/v1/guests/6f1c2a3e-1111-4222-8333-944455556666";
    app.assert_rejected(
        Method::PATCH,
        missing,
        Some(json!({"firstName": "B"})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.get(missing).await.assert_status(StatusCode::NOT_FOUND);
}
