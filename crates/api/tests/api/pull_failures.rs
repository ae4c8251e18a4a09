//! Orders a pull could not apply: listed, discarded with a reason, retried at once when a
//! room-type mapping changes.

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use sync_core::db::qloapps_pull_failures::{record_failure, Backoff};
use sync_core::domain::ConfigId;

use crate::helpers::TestApp;

async fn failed_order(app: &TestApp, config: &str, order_id: i64) {
    let config = ConfigId(config.parse().expect("config id"));
    let mut conn = app.pool.acquire().await.expect("connection");
    let backoff = Backoff {
        initial: std::time::Duration::from_secs(3600),
        max: std::time::Duration::from_secs(3600),
    };
    let reason = "QloApps room type 4 is not mapped to a PMS room type in this config";
    record_failure(
        &mut conn,
        config,
        order_id,
        reason,
        uuid::Uuid::new_v4(),
        backoff,
    )
    .await
    .expect("failure recorded");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn failed_orders_are_listed_and_an_operator_can_discard_one(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    failed_order(&app, &world.config, 41).await;
    failed_order(&app, &world.config, 42).await;
    let uri = format!("/api/v1/qloapps/configs/{}/pull-failures", world.config);

    let listed = app.get(&uri).await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(2));
    assert_eq!(listed.body[0]["qloappsOrderId"], 41);
    assert_eq!(listed.body[0]["attempts"], 1);
    assert!(listed.body[0]["reason"]
        .as_str()
        .unwrap()
        .contains("room type 4"));
    let status = app
        .get(&format!(
            "/api/v1/settings/channel-managers?propertyId={}",
            world.property
        ))
        .await;
    assert_eq!(status.body["qloapps"][0]["pullFailures"], 2);

    let discarded = app
        .post(
            &format!("{uri}/41/discard"),
            json!({"reason": "test order, deleted in QloApps"}),
        )
        .await;
    discarded.assert_status(StatusCode::OK);
    assert_eq!(
        discarded.body["discardReason"],
        "test order, deleted in QloApps"
    );
    assert!(discarded.body["discardedAt"].is_string());
    let open = app.get(&uri).await;
    assert_eq!(open.body.as_array().map(Vec::len), Some(1));
    assert_eq!(open.body[0]["qloappsOrderId"], 42);
    let all = app.get(&format!("{uri}?includeDiscarded=true")).await;
    assert_eq!(all.body.as_array().map(Vec::len), Some(2));

    app.assert_rejected(
        Method::POST,
        &format!("{uri}/42/discard"),
        Some(json!({"reason": "  "})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["reason"],
    )
    .await;
    app.assert_rejected(
        Method::POST,
        &format!("{uri}/99/discard"),
        Some(json!({"reason": "no such"})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn activating_a_room_type_mapping_retries_the_failed_orders_at_once(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let mappings = format!(
        "/api/v1/qloapps/configs/{}/room-type-mappings",
        world.config
    );
    let mapping = app
        .post(
            &mappings,
            json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 4, "isActive": false}),
        )
        .await;
    mapping.assert_status(StatusCode::CREATED);
    assert!(
        app.outbox().await.is_empty(),
        "no failures yet: nothing to retry"
    );
    failed_order(&app, &world.config, 41).await;

    app.patch(
        &format!("{mappings}/{}", mapping.id()),
        json!({"isActive": true}),
    )
    .await
    .assert_status(StatusCode::OK);

    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let (queue, event_type, config, payload, _) = &outbox[0];
    assert_eq!(
        (queue.as_str(), event_type.as_str()),
        ("inbound", "booking.sync")
    );
    assert_eq!(config, &world.config);
    assert_eq!(payload["syncType"], "incremental");
    let due: bool = sqlx::query_scalar(
        "SELECT next_retry_at <= now() FROM qloapps_pull_failures WHERE qloapps_order_id = 41",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(due, "the back-off is over");
}
