//! The QloApps key: stored encrypted, rotatable, and never in a response or a log line.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use base64::Engine;
use qlo_sim::{SimConfig, SimServer};
use serde_json::json;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;

use crate::helpers::{TestApp, KEY, KEY_ID, TOKEN};

const TEST: &str = "/api/v1/settings/channel-managers/test";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_plain_key_appears_in_no_response_and_no_log_line(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let key = sim.api_key().to_owned();
    let logs = Captured::default();
    let writer = logs.clone();
    // everything at TRACE on this (current-thread) runtime, except the simulator's own lines
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("trace,qlo_sim=off")
        .with_writer(move || writer.clone())
        .finish();
    // A second live dispatcher makes tracing compute a callsite's interest from every registered
    // dispatcher: with only this thread-local one, a sibling test's thread (no subscriber) that
    // hits a callsite first caches it as "never" for the whole process, and its events vanish here.
    let _anchor = tracing::Dispatch::new(tracing_subscriber::registry());
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::new(pool);
    let property = app.property().await;
    let body = json!({"propertyId": property, "name": "Main", "baseUrl": sim.api_url(), "apiKey": key, "qloappsHotelId": 1});
    let created = app.post("/api/v1/qloapps/configs", body).await;
    let id = created.id();
    let mut responses = vec![created];
    responses.push(app.get(&format!("/api/v1/qloapps/configs/{id}")).await);
    responses.push(app.get("/api/v1/qloapps/configs").await);
    responses.push(
        app.patch(
            &format!("/api/v1/qloapps/configs/{id}"),
            json!({"apiKey": key, "name": "Renamed"}),
        )
        .await,
    );
    responses.push(
        app.get(&format!(
            "/api/v1/settings/channel-managers?propertyId={property}"
        ))
        .await,
    );
    responses.push(app.post(TEST, json!({"configId": id})).await);
    let bad = json!({"propertyId": property, "name": "x", "baseUrl": "nope", "apiKey": format!("{key}X"), "qloappsHotelId": 1});
    responses.push(app.post("/api/v1/qloapps/configs", bad).await);
    sim.shutdown().await;

    assert_eq!(responses[5].body["ok"], true, "{}", responses[5].text);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    for response in &responses {
        assert!(
            !response.text.contains(&key),
            "response leaks the key: {}",
            response.text
        );
        assert!(
            !response.text.contains(&key[..28]),
            "response leaks most of the key: {}",
            response.text
        );
    }
    let logged = logs.text();
    assert!(
        logged.contains("QloApps config created") && logged.contains("connection tested"),
        "logs were captured: {logged}"
    );
    for secret in [key.as_str(), basic.as_str(), TOKEN] {
        assert!(
            !logged.contains(secret),
            "a secret is in the logs:\n{logged}"
        );
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_key_from_a_previous_encryption_key_still_works_after_rotation(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let old_app = TestApp::new(pool.clone());
    let property = old_app.property().await;
    let config = old_app
        .config(&property, 1, &sim.api_url(), sim.api_key())
        .await;

    let new_key = [7u8; 32];
    let rotated = TestApp::with_keys(
        pool.clone(),
        KeyRing::single("next", new_key).with_previous(KEY_ID, KEY),
    );
    let result = rotated.post(TEST, json!({"configId": config})).await;
    assert_eq!(result.body["ok"], true, "{}", result.text);
    rotated
        .patch(
            &format!("/api/v1/qloapps/configs/{config}"),
            json!({"apiKey": sim.api_key()}),
        )
        .await
        .assert_status(StatusCode::OK);
    let stored: String = sqlx::query_scalar("SELECT api_key_encrypted FROM qloapps_config")
        .fetch_one(&pool)
        .await
        .expect("row");
    assert!(
        stored.starts_with("next:"),
        "re-entering the key encrypts it with the current key: {stored}"
    );

    let forgotten = TestApp::with_keys(pool, KeyRing::single("other", [9u8; 32]));
    let result = forgotten.post(TEST, json!({"configId": config})).await;
    assert_eq!(
        result.body["failure"]["kind"], "key_unreadable",
        "{}",
        result.text
    );
    assert!(
        result.body["failure"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"next\"")),
        "{}",
        result.text
    );
    sim.shutdown().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_tampered_or_truncated_stored_key_is_rejected_with_a_clear_error(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let config = app
        .config(
            &property,
            1,
            "http://127.0.0.1:9/api",
            crate::helpers::QLO_KEY,
        )
        .await;
    let stored: String = sqlx::query_scalar("SELECT api_key_encrypted FROM qloapps_config")
        .fetch_one(&app.pool)
        .await
        .expect("row");
    let (id, body) = stored.split_once(':').expect("key id");
    let mut blob = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64");
    blob[20] ^= 0x40;
    let tampered = format!(
        "{id}:{}",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    );
    let truncated = format!(
        "{id}:{}",
        base64::engine::general_purpose::STANDARD.encode(&blob[..20])
    );
    for (value, expected) in [
        (tampered, "failed authentication"),
        (truncated, "truncated"),
    ] {
        sqlx::query("UPDATE qloapps_config SET api_key_encrypted = $1")
            .bind(&value)
            .execute(&app.pool)
            .await
            .expect("update");
        let result = app.post(TEST, json!({"configId": config})).await;
        assert_eq!(
            result.body["failure"]["kind"], "key_unreadable",
            "{}",
            result.text
        );
        let message = result.body["failure"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains(expected), "{message}");
    }
}
