//! Test connection against the QloApps simulator.

use axum::http::{Method, StatusCode};
use qlo_sim::{KeyConfig, SimConfig, SimServer};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, QLO_KEY};

const TEST: &str = "/api/v1/settings/channel-managers/test";

async fn sim() -> SimServer {
    SimServer::start(SimConfig::default())
        .await
        .expect("the simulator starts")
}

async fn test_config(app: &TestApp, base_url: &str, key: &str) -> Value {
    let property = app.property().await;
    let config = app.config(&property, 1, base_url, key).await;
    let response = app.post(TEST, json!({"configId": config})).await;
    response.assert_status(StatusCode::OK);
    response.body
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_working_key_reports_ok_with_the_version_and_latency(pool: PgPool) {
    let sim = sim().await;
    let app = TestApp::new(pool);
    let result = test_config(&app, &sim.api_url(), sim.api_key()).await;
    assert_eq!(result["ok"], true, "{result}");
    assert!(result["failure"].is_null());
    assert_eq!(result["qloappsVersion"], qlo_sim::PSWS_VERSION);
    assert_eq!(result["missingPermissions"], json!([]));
    assert!(result["latencyMs"].is_u64());
    assert!(result["resources"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x == "bookings")));
    let dispatcher = test_config(&app, &sim.dispatcher_url(), sim.api_key()).await;
    assert_eq!(
        dispatcher["ok"], true,
        "the dispatcher.php URL form works too: {dispatcher}"
    );
    let reserved: Vec<bool> =
        sqlx::query_scalar("SELECT tat > updated_at FROM qloapps_rate_limit_buckets")
            .fetch_all(&app.pool)
            .await
            .expect("limiter rows");
    assert_eq!(
        reserved,
        vec![true, true],
        "each config's probe took a slot of its shared limiter"
    );
    sim.shutdown().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_wrong_key_reports_unauthorized(pool: PgPool) {
    let sim = sim().await;
    let app = TestApp::new(pool);
    let result = test_config(&app, &sim.api_url(), QLO_KEY).await;
    assert_eq!(result["ok"], false);
    assert_eq!(result["failure"]["kind"], "unauthorized", "{result}");
    sim.shutdown().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_restricted_key_reports_the_missing_permissions(pool: PgPool) {
    let sim = sim().await;
    let restricted = "RESTRICTEDKEY0123456789ABCDEFGHI";
    let resources = ["orders", "customers", "room_types", "hotels"]
        .map(String::from)
        .to_vec();
    sim.add_key(KeyConfig {
        key: restricted.to_owned(),
        resources: Some(resources),
    });
    let app = TestApp::new(pool);
    let result = test_config(&app, &sim.api_url(), restricted).await;
    assert_eq!(result["ok"], false);
    assert_eq!(result["failure"]["kind"], "missing_permissions", "{result}");
    let missing: Vec<&str> = result["missingPermissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        missing.contains(&"bookings") && missing.contains(&"hotel_ari"),
        "{missing:?}"
    );
    assert!(!missing.contains(&"orders"));
    sim.shutdown().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_server_that_is_down_reports_unreachable(pool: PgPool) {
    let sim = sim().await;
    let url = sim.api_url();
    sim.shutdown().await;
    let app = TestApp::new(pool);
    let result = test_config(&app, &url, QLO_KEY).await;
    assert_eq!(result["ok"], false);
    assert_eq!(result["failure"]["kind"], "unreachable", "{result}");
    assert!(result["failure"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_config_without_a_key_reports_it_without_calling_qloapps(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let body = json!({"propertyId": property, "name": "No key", "baseUrl": "http://127.0.0.1:9/api", "qloappsHotelId": 1});
    let config = app.post("/api/v1/qloapps/configs", body).await.id();
    let result = app.post(TEST, json!({"configId": config})).await;
    assert_eq!(
        result.body["failure"]["kind"], "no_api_key",
        "{}",
        result.text
    );
    let unknown = json!({"configId": "6f1c2a3e-1111-4222-8333-944455556666"});
    app.assert_rejected(
        Method::POST,
        TEST,
        Some(unknown),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::POST,
        TEST,
        Some(json!({})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["configId"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_mapping_editor_reads_the_hotels_room_types_live_from_qloapps(pool: PgPool) {
    let sim = sim().await;
    let app = TestApp::new(pool);
    let property = app.property().await;
    let config = app
        .config(&property, 1, &sim.api_url(), sim.api_key())
        .await;
    let uri = format!("/api/v1/qloapps/configs/{config}/qloapps-room-types");
    let listed = app.get(&uri).await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.body["configId"], config.as_str());
    let items = listed.body["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "{}", listed.text);
    let ids: Vec<i64> = items.iter().filter_map(|i| i["id"].as_i64()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "by id");
    assert!(items
        .iter()
        .all(|i| i["name"].as_str().is_some_and(|n| !n.is_empty())));

    let wrong = app.config(&property, 2, &sim.api_url(), QLO_KEY).await;
    let refused = app
        .get(&format!(
            "/api/v1/qloapps/configs/{wrong}/qloapps-room-types"
        ))
        .await;
    refused.assert_status(StatusCode::BAD_GATEWAY);
    assert_eq!(refused.code(), "upstream_failed");
    assert!(!refused.text.contains(QLO_KEY), "the key is never echoed");
    sim.shutdown().await;
}
