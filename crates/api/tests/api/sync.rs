use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use sync_core::db::qloapps_reservation_mappings::{insert_mapping, NewReservationMapping};
use sync_core::db::qloapps_sync_log::{insert_entry, NewSyncLogEntry};
use sync_core::db::qloapps_sync_state::insert_running;
use sync_core::domain::{ConfigId, PropertyId, ReservationId, SyncDirection, SyncOutcome};
use uuid::Uuid;

use crate::helpers::{bearer, request, TestApp};

fn id_of<T: From<Uuid>>(text: &str) -> T {
    Uuid::parse_str(text).expect("uuid").into()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_manual_sync_is_accepted_and_queued_on_the_inbound_queue(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let sync = request(
        Method::POST,
        "/api/v1/qloapps/sync",
        Some(json!({"configId": world.config, "syncType": "full"})),
    )
    .header("authorization", bearer())
    .header("x-correlation-id", "sync-1")
    .body_json();
    let accepted = app.send(sync).await;
    accepted.assert_status(StatusCode::ACCEPTED);
    assert_eq!(accepted.body["syncType"], "full");
    let rows = app.outbox().await;
    assert_eq!(rows.len(), 1);
    let (queue, event, config, payload, correlation) = &rows[0];
    assert_eq!(
        (queue.as_str(), event.as_str(), config.as_str()),
        ("inbound", "booking.sync", world.config.as_str())
    );
    assert_eq!(payload["messageId"], accepted.body["messageId"]);
    assert_eq!(payload["syncType"], "full");
    assert_eq!(correlation.as_deref(), Some("sync-1"));
    let message: sync_core::messages::InboundMessage =
        serde_json::from_value(payload.clone()).expect("a valid message");
    assert!(matches!(
        message,
        sync_core::messages::InboundMessage::BookingSync(_)
    ));

    let default = app
        .post("/api/v1/qloapps/sync", json!({"configId": world.config}))
        .await;
    assert_eq!(default.body["syncType"], "incremental");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_sync_request_that_cannot_run_is_rejected_and_queues_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let unknown = json!({"configId": "6f1c2a3e-1111-4222-8333-944455556666"});
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/sync",
        Some(unknown),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["configId"],
    )
    .await;
    let bad_type = json!({"configId": world.config, "syncType": "partial"});
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/sync",
        Some(bad_type),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["syncType"],
    )
    .await;
    app.patch(
        &format!("/api/v1/qloapps/configs/{}", world.config),
        json!({"syncEnabled": false}),
    )
    .await;
    let body = json!({"configId": world.config});
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/sync",
        Some(body.clone()),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    app.patch(
        &format!("/api/v1/qloapps/configs/{}", world.config),
        json!({"syncEnabled": true}),
    )
    .await;
    let switch = json!({"propertyId": world.property, "channelManager": "none"});
    app.post("/api/v1/settings/channel-managers/switch", switch)
        .await
        .assert_status(StatusCode::OK);
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/sync",
        Some(body),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn sync_state_history_is_listed_newest_first_and_filtered(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let config: ConfigId = id_of(&world.config);
    let first = insert_running(&app.pool, config, "full", SyncDirection::Inbound, "pull")
        .await
        .expect("run");
    sqlx::query("UPDATE qloapps_sync_state SET status = 'completed', completed_at = now(), started_at = now() - interval '1 hour', items_processed = 3, success = true, watermark = '2026-11-21 10:00:00' WHERE id = $1")
        .bind(first.id)
        .execute(&app.pool)
        .await
        .expect("complete");
    insert_running(
        &app.pool,
        config,
        "incremental",
        SyncDirection::Inbound,
        "pull",
    )
    .await
    .expect("run");
    let uri = format!("/api/v1/qloapps/configs/{}/sync-state", world.config);
    let all = app.get(&uri).await;
    all.assert_status(StatusCode::OK);
    assert_eq!(all.body[0]["syncType"], "incremental");
    assert_eq!(all.body[1]["itemsProcessed"], 3);
    assert_eq!(all.body[1]["watermark"], "2026-11-21 10:00:00");
    assert_eq!(
        app.get(&format!("{uri}?status=completed"))
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?status=done"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["status"],
    )
    .await;
    let missing = "/api/v1/qloapps/configs/6f1c2a3e-1111-4222-8333-944455556666/sync-state";
    app.assert_rejected(Method::GET, missing, None, StatusCode::NOT_FOUND, &[])
        .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_sync_log_pages_backwards_by_id_with_filters(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let config: ConfigId = id_of(&world.config);
    for (i, outcome) in [
        SyncOutcome::Created,
        SyncOutcome::Failed,
        SyncOutcome::Updated,
    ]
    .into_iter()
    .enumerate()
    {
        let entry = NewSyncLogEntry {
            config_id: config,
            sync_state_id: None,
            direction: SyncDirection::Inbound,
            operation: "pull".into(),
            entity_type: "reservation".into(),
            local_entity_id: None,
            qloapps_entity_id: Some(100 + i64::try_from(i).expect("small")),
            outcome,
            message: Some(format!("item {i}")),
            details: Some(json!({"i": i})),
        };
        insert_entry(&app.pool, &entry).await.expect("log");
    }
    let uri = format!("/api/v1/qloapps/configs/{}/sync-log", world.config);
    let page = app.get(&format!("{uri}?limit=2")).await;
    page.assert_status(StatusCode::OK);
    assert_eq!(page.body["items"][0]["qloappsEntityId"], 102);
    let next = page.body["nextBeforeId"].as_i64().expect("a next page");
    let rest = app.get(&format!("{uri}?limit=2&beforeId={next}")).await;
    assert_eq!(rest.body["items"].as_array().map(Vec::len), Some(1));
    assert!(rest.body["nextBeforeId"].is_null());
    let failed = app.get(&format!("{uri}?success=false")).await;
    assert_eq!(failed.body["items"][0]["outcome"], "failed");
    assert_eq!(failed.body["items"][0]["details"]["i"], 1);
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?limit=0&direction=sideways"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["direction"],
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
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn reservation_mappings_are_listed_read_only(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let reservation = app.reservation(&world).await;
    let mapping = NewReservationMapping {
        config_id: id_of(&world.config),
        property_id: id_of::<PropertyId>(&world.property),
        local_reservation_id: id_of::<ReservationId>(&reservation),
        qloapps_booking_id: sync_core::domain::QloOrderId(789),
        qloapps_line_key: String::new(),
        last_pushed_hash: None,
        last_pulled_hash: None,
    };
    insert_mapping(&app.pool, &mapping).await.expect("mapping");
    let uri = format!(
        "/api/v1/qloapps/configs/{}/reservation-mappings",
        world.config
    );
    let listed = app.get(&uri).await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.body[0]["qloappsBookingId"], 789);
    assert_eq!(
        listed.body[0]["localReservationId"].as_str(),
        Some(reservation.as_str())
    );
    assert_eq!(
        app.get(&format!("{uri}?qloappsBookingId=1"))
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?qloappsBookingId=x"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["qloappsBookingId"],
    )
    .await;
    assert!(
        insert_mapping(&app.pool, &mapping).await.is_err(),
        "one mapping per reservation and config"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn activity_counts_pushes_pulls_failures_and_the_p95_push_per_bucket(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let config = &world.config;
    // one moment in the middle of a past minute, for every row: one bucket, whatever the clock
    let at: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT date_trunc('minute', now() - interval '10 minutes') + interval '30 seconds'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("moment");
    for (direction, success, outcome) in [
        ("outbound", true, "created"),
        ("outbound", false, "failed"),
        ("inbound", true, "updated"),
    ] {
        sqlx::query(
            "INSERT INTO qloapps_sync_log (config_id, direction, operation, entity_type, success, outcome, created_at)
             VALUES ($1::uuid, $2, 'create', 'reservation', $3, $4, $5)",
        )
        .bind(config)
        .bind(direction)
        .bind(success)
        .bind(outcome)
        .bind(at)
        .execute(&app.pool)
        .await
        .expect("log row");
    }
    for duration in [100, 300] {
        sqlx::query(
            "INSERT INTO qloapps_sync_state (id, config_id, sync_type, direction, operation, status,
                 started_at, completed_at, duration_ms)
             VALUES (gen_random_uuid(), $1::uuid, 'reservation_push', 'outbound', 'create',
                 'completed', $3, $3, $2)",
        )
        .bind(config)
        .bind(duration)
        .bind(at)
        .execute(&app.pool)
        .await
        .expect("run row");
    }
    let activity = app
        .get(&format!(
            "/api/v1/qloapps/configs/{config}/activity?hours=1"
        ))
        .await;
    activity.assert_status(StatusCode::OK);
    assert_eq!(activity.body["bucketSeconds"], 60);
    let buckets = activity.body["buckets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!((60..=62).contains(&buckets.len()), "{}", buckets.len());
    let busy: Vec<&serde_json::Value> = buckets.iter().filter(|b| b["pushes"] != 0).collect();
    assert_eq!(busy.len(), 1, "{busy:?}");
    assert_eq!(busy[0]["pushes"], 2);
    assert_eq!(busy[0]["pulls"], 1);
    assert_eq!(busy[0]["failures"], 1);
    assert_eq!(busy[0]["p95PushMs"], 290.0);
    assert!(buckets
        .iter()
        .filter(|b| b["pushes"] == 0)
        .all(|b| b["p95PushMs"].is_null()));

    app.assert_rejected(
        Method::GET,
        &format!("/api/v1/qloapps/configs/{config}/activity?hours=49"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["hours"],
    )
    .await;
    app.get("/api/v1/qloapps/configs/6f1c2a3e-1111-4222-8333-944455556666/activity")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
