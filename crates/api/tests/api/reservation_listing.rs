use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{reservation_body, TestApp};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn reservations_are_listed_with_filters_and_paging(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    for (check_in, check_out) in [
        ("2026-12-01", "2026-12-04"),
        ("2026-12-03", "2026-12-05"),
        ("2026-12-10", "2026-12-12"),
    ] {
        let mut body = reservation_body(&world);
        body["checkIn"] = json!(check_in);
        body["checkOut"] = json!(check_out);
        app.post(&uri, body)
            .await
            .assert_status(StatusCode::CREATED);
    }
    let first = app.get(&format!("{uri}?limit=1")).await;
    app.call(
        Method::POST,
        &format!(
            "/api/v1/reservations/{}/cancel",
            first.body["items"][0]["id"].as_str().unwrap_or_default()
        ),
        None,
    )
    .await
    .assert_status(StatusCode::OK);

    let total = |q: &str| {
        let app = &app;
        let uri = format!("{uri}?{q}");
        async move { app.get(&uri).await.body["total"].as_i64() }
    };
    assert_eq!(total("").await, Some(3));
    assert_eq!(total("status=confirmed").await, Some(2));
    assert_eq!(total("stayDate=2026-12-03").await, Some(2));
    assert_eq!(
        total("stayDate=2026-12-05").await,
        Some(0),
        "check-out day is not a night of the stay"
    );
    assert_eq!(
        total("checkInFrom=2026-12-02&checkInTo=2026-12-10").await,
        Some(2)
    );
    assert_eq!(
        total(&format!("roomTypeId={}&source=pms", world.room_type)).await,
        Some(3)
    );
    let page = app.get(&format!("{uri}?limit=2&offset=2")).await;
    assert_eq!(page.body["items"][0]["checkIn"], "2026-12-10");

    let bad = [
        ("status=open", "status"),
        ("stayDate=tomorrow", "stayDate"),
        ("limit=500", "limit"),
        ("offset=-1", "offset"),
        ("checkInFrom=2026-12-05&checkInTo=2026-12-01", "checkInTo"),
        ("guestId=42", "guestId"),
        ("sort=asc", "sort"),
    ];
    for (query, field) in bad {
        app.assert_rejected(
            Method::GET,
            &format!("{uri}?{query}"),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            &[field],
        )
        .await;
    }
}
