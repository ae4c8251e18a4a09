use std::str::FromStr;

use api::auth::ApiTokens;
use api::state::HttpPolicy;
use axum::http::{Method, StatusCode};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use tower::ServiceExt;

use crate::helpers::{request, TestApp};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn health_and_ready_answer_when_postgres_does(pool: PgPool) {
    let app = TestApp::new(pool);
    let health = app
        .send(request(Method::GET, "/health", None).body_json())
        .await;
    health.assert_status(StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    let ready = app
        .send(request(Method::GET, "/ready", None).body_json())
        .await;
    ready.assert_status(StatusCode::OK);
    assert_eq!(ready.body["database"], "ok");
}

#[tokio::test]
async fn ready_is_503_when_postgres_does_not_answer() {
    let options =
        PgConnectOptions::from_str("postgres://nobody@127.0.0.1:1/none").expect("options");
    let pool = sync_core::db::pool_options(1)
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy_with(options);
    let state = api::startup::build_state(
        pool,
        KeyRing::single("k", [1; 32]),
        ApiTokens::new(&[]),
        HttpPolicy::default(),
    );
    let router = api::app(state);
    let response = router
        .clone()
        .oneshot(request(Method::GET, "/ready", None).body_json())
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health = router
        .oneshot(request(Method::GET, "/health", None).body_json())
        .await
        .expect("response");
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the process is up even without its database"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn metrics_count_requests_in_prometheus_format(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    app.reservation(&world).await;
    let metrics = app
        .send(request(Method::GET, "/metrics", None).body_json())
        .await;
    metrics.assert_status(StatusCode::OK);
    assert!(metrics.headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/plain"));
    assert!(
        metrics.text.contains("qlosync_http_requests_total{"),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("route=\"/api/v1/properties/{propertyId}/reservations\""),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("qlosync_outbox_enqueued_total{event_type=\"reservation.create\"}"),
        "{}",
        metrics.text
    );
    // a second app in the same process reuses the recorder instead of installing another
    let again = TestApp::new(app.pool.clone());
    again
        .send(request(Method::GET, "/metrics", None).body_json())
        .await
        .assert_status(StatusCode::OK);
}
