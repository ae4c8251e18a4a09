//! `Idempotency-Key` on POST: one effect per key and token, the first answer replayed byte for
//! byte, another body a 422, a key still in flight a 409, a 5xx not kept, 24 h expiry, and no
//! change at all for requests without the header.

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{request, reservation_body, TestApp, TestResponse, OTHER_TOKEN, TOKEN};

async fn post_keyed(
    app: &TestApp,
    token: &str,
    uri: &str,
    key: &str,
    body: &Value,
) -> TestResponse {
    app.send(
        request(Method::POST, uri, Some(body.clone()))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("Idempotency-Key", key)
            .body_json(),
    )
    .await
}

fn replayed(response: &TestResponse) -> Option<&str> {
    response
        .headers
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
}

async fn reservations(app: &TestApp) -> i64 {
    app.count("reservations").await
}

async fn create_events(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE event_type = 'reservation.create'")
        .fetch_one(&app.pool)
        .await
        .expect("outbox count")
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_same_post_twice_with_a_key_creates_one_reservation_and_replays_the_answer(
    pool: PgPool,
) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);

    let first = post_keyed(&app, TOKEN, &uri, "booking-0001", &body).await;
    first.assert_status(StatusCode::CREATED);
    assert_eq!(replayed(&first), None, "the first answer is no replay");
    let second = post_keyed(&app, TOKEN, &uri, "booking-0001", &body).await;
    second.assert_status(StatusCode::CREATED);
    assert_eq!(second.text, first.text, "byte-identical answers");
    assert_eq!(replayed(&second), Some("true"));
    assert_eq!(
        second.headers.get(header::CONTENT_TYPE),
        first.headers.get(header::CONTENT_TYPE)
    );
    // the same object written in another key order is the same request
    let reordered: Value = serde_json::from_str(&{
        let mut pairs: Vec<(String, Value)> = body
            .as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.reverse();
        let inner: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}: {v}", Value::String(k.clone())))
            .collect();
        format!("{{ {} }}", inner.join(", "))
    })
    .expect("json");
    let third = post_keyed(&app, TOKEN, &uri, "booking-0001", &reordered).await;
    assert_eq!(third.text, first.text);

    assert_eq!(reservations(&app).await, 1, "one reservation");
    assert_eq!(
        create_events(&app).await,
        1,
        "one reservation.create message"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_same_key_with_another_body_is_a_422_and_changes_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);
    post_keyed(&app, TOKEN, &uri, "booking-0002", &body)
        .await
        .assert_status(StatusCode::CREATED);

    let mut other = body.clone();
    other["adults"] = json!(1);
    let before = app.snapshot().await;
    let answer = post_keyed(&app, TOKEN, &uri, "booking-0002", &other).await;
    answer.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.fields(), ["Idempotency-Key"]);
    let problem = answer.body["error"]["fields"][0]["problem"]
        .as_str()
        .unwrap_or_default();
    assert!(problem.contains("different request"), "{}", answer.text);
    // another path with the same key is another request too
    let other_path = format!("/api/v1/properties/{}/guests", world.property);
    let guest = json!({"firstName": "Bo", "lastName": "Lind"});
    post_keyed(&app, TOKEN, &other_path, "booking-0002", &guest)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.snapshot().await, before);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn keys_are_scoped_per_token_and_never_store_the_token(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);
    let mine = post_keyed(&app, TOKEN, &uri, "shared-key", &body).await;
    mine.assert_status(StatusCode::CREATED);
    let theirs = post_keyed(&app, OTHER_TOKEN, &uri, "shared-key", &body).await;
    theirs.assert_status(StatusCode::CREATED);
    assert_eq!(replayed(&theirs), None);
    assert_ne!(mine.id(), theirs.id(), "another token's key is its own");
    assert_eq!(reservations(&app).await, 2);

    let dump: String = sqlx::query_scalar(
        "SELECT json_agg(k)::text || string_agg(encode(token_hash, 'escape'), '') FROM api_idempotency_keys k",
    )
    .fetch_one(&app.pool)
    .await
    .expect("dump");
    assert!(
        !dump.contains(TOKEN) && !dump.contains(OTHER_TOKEN),
        "{dump}"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn without_a_key_every_post_creates(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    app.reservation(&world).await;
    let second = app
        .post(
            &format!("/api/v1/properties/{}/reservations", world.property),
            reservation_body(&world),
        )
        .await;
    second.assert_status(StatusCode::CREATED);
    assert_eq!(replayed(&second), None);
    assert_eq!(reservations(&app).await, 2);
    assert_eq!(app.count("api_idempotency_keys").await, 0);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_malformed_key_is_a_422_naming_the_header(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);
    let before = app.snapshot().await;
    for key in ["k".repeat(256), "   ".to_owned(), "tab\tkey".to_owned()] {
        let answer = post_keyed(&app, TOKEN, &uri, &key, &body).await;
        answer.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.fields(), ["Idempotency-Key"], "{key:?}");
    }
    let non_ascii = app
        .send(
            request(Method::POST, &uri, Some(body.clone()))
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header("Idempotency-Key", "clé")
                .body_json(),
        )
        .await;
    non_ascii.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.count("api_idempotency_keys").await, 0);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_second_request_while_the_first_is_in_flight_is_a_409(pool: PgPool) {
    let app = std::sync::Arc::new(TestApp::new(pool.clone()));
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);

    // hold the first request inside its handler: it waits for this lock on properties
    let mut lock = pool.begin().await.expect("tx");
    sqlx::query("LOCK TABLE properties IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .expect("lock");
    let first = {
        let (app, uri, body) = (app.clone(), uri.clone(), body.clone());
        tokio::spawn(async move { post_keyed(&app, TOKEN, &uri, "slow-key", &body).await })
    };
    crate::helpers::eventually_true(Duration::from_secs(20), || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM api_idempotency_keys")
            .fetch_one(&pool)
            .await
            .expect("count")
            == 1
    })
    .await;
    let second = post_keyed(&app, TOKEN, &uri, "slow-key", &body).await;
    second.assert_status(StatusCode::CONFLICT);
    assert!(
        second.text.contains("still being processed"),
        "{}",
        second.text
    );

    lock.commit().await.expect("unlock");
    let first = first.await.expect("first request");
    first.assert_status(StatusCode::CREATED);
    let third = post_keyed(&app, TOKEN, &uri, "slow-key", &body).await;
    assert_eq!(third.text, first.text);
    assert_eq!(reservations(&app).await, 1);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_server_error_is_not_kept_so_the_client_may_retry(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);
    sqlx::query("ALTER TABLE reservations RENAME TO reservations_away")
        .execute(&app.pool)
        .await
        .expect("rename");
    let failed = post_keyed(&app, TOKEN, &uri, "retry-me", &body).await;
    failed.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        app.count("api_idempotency_keys").await,
        0,
        "a 5xx is not kept"
    );
    sqlx::query("ALTER TABLE reservations_away RENAME TO reservations")
        .execute(&app.pool)
        .await
        .expect("rename back");
    let retried = post_keyed(&app, TOKEN, &uri, "retry-me", &body).await;
    retried.assert_status(StatusCode::CREATED);
    assert_eq!(replayed(&retried), None);

    // a 4xx is an answer like any other: kept and replayed
    let mut bad = body.clone();
    bad["adults"] = json!(0);
    let refused = post_keyed(&app, TOKEN, &uri, "bad-body", &bad).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let again = post_keyed(&app, TOKEN, &uri, "bad-body", &bad).await;
    assert_eq!(again.text, refused.text);
    assert_eq!(replayed(&again), Some("true"));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn keys_expire_after_24_hours(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!("/api/v1/properties/{}/reservations", world.property);
    let body = reservation_body(&world);
    post_keyed(&app, TOKEN, &uri, "old-key", &body)
        .await
        .assert_status(StatusCode::CREATED);
    post_keyed(&app, TOKEN, &uri, "fresh-key", &body)
        .await
        .assert_status(StatusCode::CREATED);
    sqlx::query(
        "UPDATE api_idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = 'old-key'",
    )
    .execute(&app.pool)
    .await
    .expect("age the key");

    // an expired key is a new key...
    let reused = post_keyed(&app, TOKEN, &uri, "old-key", &body).await;
    reused.assert_status(StatusCode::CREATED);
    assert_eq!(replayed(&reused), None);
    assert_eq!(reservations(&app).await, 3);

    // ...and the sweep deletes expired rows only
    sqlx::query("UPDATE api_idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = 'old-key'")
        .execute(&app.pool)
        .await
        .expect("age the key again");
    let deleted = sync_core::db::api_idempotency_keys::delete_expired(
        &app.pool,
        Duration::from_secs(24 * 3600),
    )
    .await
    .expect("sweep");
    assert_eq!(deleted, 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM api_idempotency_keys")
        .fetch_all(&app.pool)
        .await
        .expect("keys");
    assert_eq!(left, ["fresh-key"]);
}
