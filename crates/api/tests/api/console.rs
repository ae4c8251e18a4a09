//! What the console needs from the api: the built folder served at `/` with client routes
//! falling back to `index.html`, read-only tokens, and `GET /session` telling the role.

use std::path::PathBuf;

use axum::http::{header, Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;

use crate::helpers::{concrete, request, TestApp, KEY, KEY_ID, READONLY_TOKEN, ROUTES, TOKEN};

async fn send_as(
    app: &TestApp,
    token: &str,
    method: Method,
    uri: &str,
    body: Option<serde_json::Value>,
) -> crate::helpers::TestResponse {
    app.send(
        request(method, uri, body)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body_json(),
    )
    .await
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_read_only_token_may_read_everything_and_change_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let before = app.snapshot().await;
    for (method, path) in ROUTES {
        let method: Method = method.parse().expect("method");
        let response = send_as(
            &app,
            READONLY_TOKEN,
            method.clone(),
            &concrete(path),
            Some(json!({"name": "x"})),
        )
        .await;
        if method == Method::GET {
            assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&response.status),
                "GET {path} was refused to a read-only token: {}",
                response.text
            );
        } else {
            assert_eq!(
                response.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                response.text
            );
            assert_eq!(response.code(), "forbidden");
        }
    }
    // a real read answers the data
    let configs = send_as(
        &app,
        READONLY_TOKEN,
        Method::GET,
        &format!("/api/v1/qloapps/configs?propertyId={}", world.property),
        None,
    )
    .await;
    configs.assert_status(StatusCode::OK);
    assert_eq!(configs.body[0]["id"], world.config.as_str());
    assert_eq!(
        app.snapshot().await,
        before,
        "a read-only token changed data"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_session_says_what_the_token_may_do(pool: PgPool) {
    let app = TestApp::new(pool);
    let admin = send_as(&app, TOKEN, Method::GET, "/api/v1/session", None).await;
    admin.assert_status(StatusCode::OK);
    assert_eq!(admin.body, json!({"role": "admin", "canWrite": true}));
    let reader = send_as(&app, READONLY_TOKEN, Method::GET, "/api/v1/session", None).await;
    reader.assert_status(StatusCode::OK);
    assert_eq!(reader.body, json!({"role": "readOnly", "canWrite": false}));
    let nobody = app
        .send(request(Method::GET, "/api/v1/session", None).body_json())
        .await;
    nobody.assert_status(StatusCode::UNAUTHORIZED);
}

/// A folder like `npm run build` leaves: `index.html` and a hashed asset.
fn built_console() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qlosync-console-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).expect("mkdir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>qlosync console</title><div id=root></div>",
    )
    .expect("index");
    std::fs::write(dir.join("assets/app-1234.js"), "console.log('qlosync')").expect("asset");
    dir
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_console_is_served_at_the_root_and_client_routes_load_its_index(pool: PgPool) {
    let dir = built_console();
    let found = api::startup::console_dir(&dir).expect("a built console is found");
    let app = TestApp::with_console(pool, KeyRing::single(KEY_ID, KEY), Some(found));
    let anonymous = |uri: &str| request(Method::GET, uri, None).body_json();

    let root = app.send(anonymous("/")).await;
    root.assert_status(StatusCode::OK);
    assert!(root.text.contains("qlosync console"), "{}", root.text);
    assert!(root.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/html"));

    let asset = app.send(anonymous("/assets/app-1234.js")).await;
    asset.assert_status(StatusCode::OK);
    assert_eq!(asset.text, "console.log('qlosync')");

    for client_route in ["/configs", "/sync/activity", "/dead-letters/abc"] {
        let page = app.send(anonymous(client_route)).await;
        page.assert_status(StatusCode::OK);
        assert!(page.text.contains("qlosync console"), "{client_route}");
    }

    // the api keeps its own answers: JSON, behind the token
    let unknown_api = send_as(&app, TOKEN, Method::GET, "/api/v1/nothing-here", None).await;
    unknown_api.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(unknown_api.code(), "not_found");
    app.send(anonymous("/api/v1/properties"))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let health = app.send(anonymous("/health")).await;
    health.assert_status(StatusCode::OK);
    assert!(health.body.is_object(), "{}", health.text);
    std::fs::remove_dir_all(&dir).ok();
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn without_a_built_console_the_root_is_a_json_404(pool: PgPool) {
    let missing = std::env::temp_dir().join(format!("qlosync-none-{}", uuid::Uuid::new_v4()));
    assert_eq!(api::startup::console_dir(&missing), None);
    let app = TestApp::new(pool);
    let root = app.send(request(Method::GET, "/", None).body_json()).await;
    root.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(root.code(), "not_found");
}
