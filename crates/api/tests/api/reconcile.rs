//! `POST /qloapps/configs/{id}/reconcile`: validation, the dry-run report against the
//! simulator, and how refusals and QloApps failures are answered.

use axum::http::{Method, StatusCode};
use qlo_sim::{SimConfig, SimServer};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, QLO_KEY};

fn uri(config: &str) -> String {
    format!("/api/v1/qloapps/configs/{config}/reconcile")
}

/// A property with room type DBL mapped to the simulator's room type 2 (5 rooms, 1500 base).
async fn mapped(app: &TestApp, sim: &SimServer, key: &str) -> (String, String) {
    let property = app.property().await;
    let room_type = app.room_type(&property, "DBL").await;
    let config = app.config(&property, 1, &sim.api_url(), key).await;
    let mapping = json!({"localRoomTypeId": room_type, "qloappsRoomTypeId": 2});
    app.post(
        &format!("/api/v1/qloapps/configs/{config}/room-type-mappings"),
        mapping,
    )
    .await
    .assert_status(StatusCode::CREATED);
    (config, room_type)
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_reconcile_request_with_bad_fields_or_an_unknown_config_is_refused(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let path = uri(&world.config);
    for (body, fields) in [
        (
            json!({"from": "2026-12-10", "to": "2026-12-01"}),
            vec!["to"],
        ),
        (
            json!({"from": "2026-12-01", "to": "2028-12-01"}),
            vec!["to"],
        ),
        (json!({"from": "12/01/2026"}), vec!["from"]),
        (json!({"dryRun": "yes"}), vec!["dryRun"]),
        (json!({"fix": true}), vec!["fix"]),
    ] {
        let fields: Vec<&str> = fields.clone();
        app.assert_rejected(
            Method::POST,
            &path,
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &fields,
        )
        .await;
    }
    let unknown = uri("6f1c2a3e-1111-4222-8333-944455556666");
    app.assert_rejected(
        Method::POST,
        &unknown,
        Some(json!({})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_dry_run_names_the_drifting_nights_and_writes_nothing_to_qloapps(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let app = TestApp::new(pool);
    let (config, room_type) = mapped(&app, &sim, sim.api_key()).await;
    let availability = json!({"dateFrom": "2026-12-02", "dateTo": "2026-12-04", "available": 2});
    app.put(
        &format!("/api/v1/room-types/{room_type}/availability"),
        availability,
    )
    .await
    .assert_status(StatusCode::OK);
    let rates = json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-02", "rate": "120.00"});
    app.put(&format!("/api/v1/room-types/{room_type}/rates"), rates)
        .await
        .assert_status(StatusCode::OK);

    let body = json!({"dryRun": true, "from": "2026-12-01", "to": "2026-12-05"});
    let report = app.post(&uri(&config), body).await;
    report.assert_status(StatusCode::OK);
    let r = &report.body;
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-12-01"), Some("2026-12-05"))
    );
    assert_eq!(r["dryRun"], true);
    assert_eq!(r["availabilityDriftNights"], 3, "{r}");
    assert_eq!(r["rateDriftNights"], 2, "{r}");
    let rt = &r["roomTypes"][0];
    assert_eq!(rt["roomTypeId"], room_type.as_str());
    assert_eq!(rt["qloappsRoomTypeId"], 2);
    assert_eq!(
        rt["availability"],
        json!([
            {"night": "2026-12-02", "pms": 2, "qloapps": 5},
            {"night": "2026-12-03", "pms": 2, "qloapps": 5},
            {"night": "2026-12-04", "pms": 2, "qloapps": 5}
        ])
    );
    assert_eq!(
        rt["rates"][0],
        json!({"night": "2026-12-01", "pms": "120.00", "qloapps": "1500"})
    );
    assert_eq!(rt["autoServicesPerNight"], "250");
    assert_eq!(r["fixes"], json!([]));
    let writes: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|e| e.method != "GET" && e.resource != "hotel_ari")
        .collect();
    assert!(writes.is_empty(), "a dry run wrote to QloApps: {writes:?}");
    let runs: Vec<(String, bool)> = sqlx::query_as(
        "SELECT sync_type, success FROM qloapps_sync_state WHERE operation = 'reconcile'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(runs, vec![("reconcile_check".to_owned(), true)]);
    sim.shutdown().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn fixing_a_disabled_config_is_a_conflict_and_a_refused_key_a_bad_gateway(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let app = TestApp::new(pool);
    let (config, _) = mapped(&app, &sim, sim.api_key()).await;
    app.patch(
        &format!("/api/v1/qloapps/configs/{config}"),
        json!({"syncEnabled": false}),
    )
    .await
    .assert_status(StatusCode::OK);
    let fix = json!({"dryRun": false, "from": "2026-12-01", "to": "2026-12-02"});
    let refused = app.post(&uri(&config), fix).await;
    refused.assert_status(StatusCode::CONFLICT);
    assert_eq!(refused.code(), "conflict");

    let (wrong_key, _) = mapped(&app, &sim, QLO_KEY).await;
    let failed = app
        .post(
            &uri(&wrong_key),
            json!({"from": "2026-12-01", "to": "2026-12-02"}),
        )
        .await;
    failed.assert_status(StatusCode::BAD_GATEWAY);
    assert_eq!(failed.code(), "upstream_failed");
    assert!(!failed.text.contains(QLO_KEY), "the key never shows");
    sim.shutdown().await;
}
