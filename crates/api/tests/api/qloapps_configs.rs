use axum::http::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde_json::json;
use sqlx::PgPool;
use sync_core::domain::ConfigId;

use crate::helpers::{TestApp, QLO_KEY};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_config_stores_the_key_encrypted_and_shows_only_its_last_four(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let body = json!({"propertyId": property, "name": "Main", "baseUrl": "https://hotel.example/api/",
        "apiKey": QLO_KEY, "qloappsHotelId": 1});
    let created = app.post("/api/v1/qloapps/configs", body).await;
    created.assert_status(StatusCode::CREATED);
    assert!(!created.text.contains(QLO_KEY));
    assert_eq!(created.body["apiKeySet"], true);
    assert_eq!(created.body["apiKeyLast4"], "3456");
    assert_eq!(created.body["baseUrl"], "https://hotel.example/api");
    assert_eq!(created.body["languageId"], 1);
    assert_eq!(created.body["syncEnabled"], true);
    assert!(created.body.get("apiKey").is_none() && created.body.get("apiKeyEncrypted").is_none());

    let id: ConfigId = uuid::Uuid::parse_str(&created.id()).expect("uuid").into();
    let row = sync_core::db::qloapps_config::get_config(&app.pool, id)
        .await
        .expect("db")
        .expect("row");
    let stored = row.api_key_encrypted.clone().expect("stored key");
    assert!(
        stored.starts_with("test1:") && !stored.contains(QLO_KEY),
        "{stored}"
    );
    let plain = row
        .decrypt_api_key(&app.state.keys)
        .expect("decrypts")
        .expect("a key");
    assert_eq!(plain.expose_secret(), QLO_KEY);

    let listed = app
        .get(&format!("/api/v1/qloapps/configs?propertyId={property}"))
        .await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert!(!listed.text.contains(QLO_KEY) && !listed.text.contains(&stored));
    let other = app
        .get("/api/v1/qloapps/configs?propertyId=6f1c2a3e-1111-4222-8333-944455556666")
        .await;
    assert_eq!(other.body.as_array().map(Vec::len), Some(0));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn bad_configs_are_rejected_naming_each_field(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let bad = json!({"propertyId": "6f1c2a3e-1111-4222-8333-944455556666", "name": "", "baseUrl": "ftp://user:pw@host/api",
        "apiKey": "short", "qloappsHotelId": 0, "languageId": -1});
    let fields = [
        "propertyId",
        "name",
        "baseUrl",
        "apiKey",
        "qloappsHotelId",
        "languageId",
    ];
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/configs",
        Some(bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        &fields,
    )
    .await;
    let response = app
        .post(
            "/api/v1/qloapps/configs",
            json!({"propertyId": property, "name": "x", "baseUrl": "https://h.example/api",
            "apiKey": "secret-but-wrong-length", "qloappsHotelId": 1}),
        )
        .await;
    assert!(
        !response.text.contains("secret-but-wrong-length"),
        "a rejected key is never echoed: {}",
        response.text
    );
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/configs",
        Some(json!({"name": "x"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["propertyId"],
    )
    .await;
    app.config(&property, 1, "https://hotel.example/api", QLO_KEY)
        .await;
    let duplicate = json!({"propertyId": property, "name": "again", "baseUrl": "https://hotel.example/api", "qloappsHotelId": 1});
    app.assert_rejected(
        Method::POST,
        "/api/v1/qloapps/configs",
        Some(duplicate),
        StatusCode::CONFLICT,
        &[],
    )
    .await;
    app.assert_rejected(
        Method::GET,
        "/api/v1/qloapps/configs?propertyId=nope",
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["propertyId"],
    )
    .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn updating_a_config_replaces_or_removes_the_key(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    let id = app
        .config(&property, 1, "https://hotel.example/api", QLO_KEY)
        .await;
    let uri = format!("/api/v1/qloapps/configs/{id}");
    let stored = || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT api_key_encrypted FROM qloapps_config")
            .fetch_one(&app.pool)
            .await
    };
    let first = stored().await.expect("db");

    let renamed = app
        .patch(&uri, json!({"name": "Renamed", "languageId": 2}))
        .await;
    renamed.assert_status(StatusCode::OK);
    assert_eq!(renamed.body["apiKeyLast4"], "3456");
    assert_eq!(
        stored().await.expect("db"),
        first,
        "a key not given is kept"
    );

    let new_key = "ZYXWVUTSRQPONMLKJIHGFEDCBA987654";
    let rekeyed = app.patch(&uri, json!({"apiKey": new_key})).await;
    assert_eq!(rekeyed.body["apiKeyLast4"], "7654");
    assert_ne!(stored().await.expect("db"), first);
    let removed = app.patch(&uri, json!({"apiKey": null})).await;
    assert_eq!(removed.body["apiKeySet"], false);
    assert!(removed.body["apiKeyLast4"].is_null());
    let upper = json!({"baseUrl": "HTTPS://Hotel.Example/webservice/dispatcher.php"});
    app.patch(&uri, upper).await.assert_status(StatusCode::OK);

    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"baseUrl": "not a url"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["baseUrl"],
    )
    .await;
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"syncEnabled": "yes"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["syncEnabled"],
    )
    .await;
    let missing = "/api/v1/qloapps/configs/6f1c2a3e-1111-4222-8333-944455556666";
    app.assert_rejected(
        Method::PATCH,
        missing,
        Some(json!({"name": "x"})),
        StatusCode::NOT_FOUND,
        &[],
    )
    .await;
    app.get(missing).await.assert_status(StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn deleting_a_config_removes_its_mappings_and_sync_history(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let mapping = json!({"localRoomTypeId": world.room_type, "qloappsRoomTypeId": 1});
    app.post(
        &format!(
            "/api/v1/qloapps/configs/{}/room-type-mappings",
            world.config
        ),
        mapping,
    )
    .await
    .assert_status(StatusCode::CREATED);
    let config_id: ConfigId = uuid::Uuid::parse_str(&world.config).expect("uuid").into();
    sync_core::db::qloapps_sync_state::insert_running(
        &app.pool,
        config_id,
        "full",
        sync_core::domain::SyncDirection::Inbound,
        "pull",
    )
    .await
    .expect("sync state");
    let uri = format!("/api/v1/qloapps/configs/{}", world.config);
    app.delete(&uri).await.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(app.count("qloapps_room_type_mappings").await, 0);
    assert_eq!(app.count("qloapps_sync_state").await, 0);
    app.assert_rejected(Method::DELETE, &uri, None, StatusCode::NOT_FOUND, &[])
        .await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_base_url_the_workers_could_not_call_is_refused_on_create_and_patch(pool: PgPool) {
    let app = TestApp::new(pool);
    let property = app.property().await;
    for url in [
        "http://hotel.example/index.php",
        "http://hotel.example",
        "https://hotel.example/webservice",
    ] {
        let body =
            json!({"propertyId": property, "name": "x", "baseUrl": url, "qloappsHotelId": 1});
        app.assert_rejected(
            Method::POST,
            "/api/v1/qloapps/configs",
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &["baseUrl"],
        )
        .await;
    }
    let ok = json!({"propertyId": property, "name": "x", "baseUrl": "http://hotel.example/webservice/dispatcher.php/",
        "qloappsHotelId": 1});
    let created = app.post("/api/v1/qloapps/configs", ok).await;
    created.assert_status(StatusCode::CREATED);
    let uri = format!(
        "/api/v1/qloapps/configs/{}",
        created.body["id"].as_str().expect("id")
    );
    app.assert_rejected(
        Method::PATCH,
        &uri,
        Some(json!({"baseUrl": "http://hotel.example/index.php"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        &["baseUrl"],
    )
    .await;
    let shown = app.get(&uri).await;
    assert_eq!(
        shown.body["baseUrl"],
        "http://hotel.example/webservice/dispatcher.php"
    );
}
