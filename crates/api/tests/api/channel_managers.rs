use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, QLO_KEY};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_status_comes_from_the_database(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    app.reservation(&world).await;
    let status = app
        .get(&format!(
            "/api/v1/settings/channel-managers?propertyId={}",
            world.property
        ))
        .await;
    status.assert_status(StatusCode::OK);
    assert_eq!(status.body["activeChannelManager"], "qloapps");
    assert_eq!(
        status.body["availableChannelManagers"],
        json!(["qloapps", "none"])
    );
    let config = &status.body["qloapps"][0];
    assert_eq!(config["configId"].as_str(), Some(world.config.as_str()));
    assert_eq!(config["apiKeySet"], true);
    assert_eq!(config["apiKeyLast4"], "3456");
    assert_eq!(
        config["pendingMessages"], 1,
        "the reservation's unsent outbox row"
    );
    assert!(config["lastSync"].is_null());
    assert!(config["oldestPendingAt"].is_string(), "{config}");
    assert!(!status.text.contains(QLO_KEY));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_status_shows_the_breaker_and_the_rate_limit_budget(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = format!(
        "/api/v1/settings/channel-managers?propertyId={}",
        world.property
    );
    let fresh = app.get(&uri).await;
    fresh.assert_status(StatusCode::OK);
    let config = &fresh.body["qloapps"][0];
    assert_eq!(config["circuit"], "closed", "no breaker row yet: closed");
    assert_eq!(config["consecutiveFailures"], 0);
    assert!(config["oldestPendingAt"].is_null());
    assert_eq!(config["rateLimitCapacity"], 100);
    assert_eq!(config["rateLimitPeriodMs"], 60_000);
    assert_eq!(
        config["rateLimitAvailable"], 10.0,
        "after a quiet spell: the burst, a tenth of the limit"
    );

    sqlx::query(
        "INSERT INTO circuit_breaker_state (config_id, state, consecutive_failures, opened_at, open_until)
         VALUES ($1::uuid, 'OPEN', 5, now(), now() + interval '30 seconds')",
    )
    .bind(&world.config)
    .execute(&app.pool)
    .await
    .expect("breaker row");
    sqlx::query(
        "INSERT INTO qloapps_rate_limit_buckets
             (config_id, tat, capacity, period_ms, burst, spacing_us, updated_at)
         VALUES ($1::uuid, clock_timestamp() + interval '3 seconds', 100, 60000, 10, 665934,
                 clock_timestamp())",
    )
    .bind(&world.config)
    .execute(&app.pool)
    .await
    .expect("bucket row");
    let open = app.get(&uri).await;
    let config = &open.body["qloapps"][0];
    assert_eq!(config["circuit"], "open");
    assert_eq!(config["consecutiveFailures"], 5);
    assert!(config["circuitOpenUntil"].is_string());
    let available = config["rateLimitAvailable"].as_f64().unwrap_or_default();
    // the next slot 3 s ahead of a 6 s tolerance at 666 ms a call: 5 of the burst's 10 left
    assert!(
        (5.0..=6.0).contains(&available),
        "{available}: the burst less what the next slot is ahead by"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_status_needs_a_known_property(pool: PgPool) {
    let app = TestApp::new(pool);
    let uri = "/api/v1/settings/channel-managers";
    app.assert_rejected(
        Method::GET,
        uri,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["propertyId"],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        &format!("{uri}?propertyId=42"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["propertyId"],
    )
    .await;
    let unknown = format!("{uri}?propertyId=6f1c2a3e-1111-4222-8333-944455556666");
    app.assert_rejected(Method::GET, &unknown, None, StatusCode::NOT_FOUND, &[])
        .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn switching_the_channel_manager_is_stored_and_checked(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let uri = "/api/v1/settings/channel-managers/switch";
    let switched = app
        .post(
            uri,
            json!({"propertyId": property, "channelManager": "none"}),
        )
        .await;
    switched.assert_status(StatusCode::OK);
    assert_eq!(switched.body["activeChannelManager"], "none");
    let stored = app.get(&format!("/api/v1/properties/{property}")).await;
    assert_eq!(stored.body["activeChannelManager"], "none");
    app.post(
        uri,
        json!({"propertyId": property, "channelManager": "qloapps"}),
    )
    .await
    .assert_status(StatusCode::OK);

    let bad = json!({"propertyId": property, "channelManager": "siteminder"});
    app.assert_rejected(
        Method::POST,
        uri,
        Some(bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["channelManager"],
    )
    .await;
    let unknown =
        json!({"propertyId": "6f1c2a3e-1111-4222-8333-944455556666", "channelManager": "none"});
    app.assert_rejected(
        Method::POST,
        uri,
        Some(unknown),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["propertyId"],
    )
    .await;
    app.assert_rejected(
        Method::POST,
        uri,
        Some(json!({"propertyId": property})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["channelManager"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn switching_back_on_pushes_what_changed_while_the_channel_manager_was_off(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let uri = "/api/v1/settings/channel-managers/switch";
    let switch = |to: &'static str| json!({"propertyId": world.property, "channelManager": to});
    app.post(uri, switch("none"))
        .await
        .assert_status(StatusCode::OK);
    let while_off = app.reservation(&world).await;
    assert!(app.outbox().await.is_empty(), "nothing queued while off");

    let on = app.post(uri, switch("qloapps")).await;
    on.assert_status(StatusCode::OK);
    assert_eq!(on.body["catchUpPushes"], 1);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let (queue, event_type, _, payload, _) = &outbox[0];
    assert_eq!(
        (queue.as_str(), event_type.as_str()),
        ("outbound", "reservation.update")
    );
    assert_eq!(payload["reservationId"].as_str(), Some(while_off.as_str()));

    // already on: a second switch queues nothing more
    let again = app.post(uri, switch("qloapps")).await;
    assert!(again.body.get("catchUpPushes").is_none());
    assert_eq!(app.outbox().await.len(), 1);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_status_shows_the_last_pull_push_and_reconcile_apart(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let at = |minutes: i64| format!("now() - interval '{minutes} minutes'");
    for (sync_type, direction, operation, minutes, success) in [
        ("incremental", "inbound", "pull", 30, false),
        ("booking", "inbound", "pull", 20, true),
        ("reservation", "outbound", "create", 10, true),
        ("reconcile_check", "outbound", "reconcile", 40, true),
    ] {
        sqlx::query(&format!(
            "INSERT INTO qloapps_sync_state (id, config_id, sync_type, direction, operation, status, started_at, completed_at, success)
             VALUES (gen_random_uuid(), $1::uuid, $2, $3, $4, $5, {0}, {0}, $6)",
            at(minutes)
        ))
        .bind(&world.config)
        .bind(sync_type)
        .bind(direction)
        .bind(operation)
        .bind(if success { "completed" } else { "failed" })
        .bind(success)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let status = app
        .get(&format!(
            "/api/v1/settings/channel-managers?propertyId={}",
            world.property
        ))
        .await;
    let config = &status.body["qloapps"][0];
    assert_eq!(config["lastSync"]["operation"], "create");
    assert_eq!(
        config["lastPull"]["syncType"], "incremental",
        "not the booking event"
    );
    assert_eq!(config["lastPull"]["status"], "failed");
    assert_eq!(config["lastPush"]["operation"], "create");
    assert_eq!(config["lastReconcile"]["syncType"], "reconcile_check");
}
