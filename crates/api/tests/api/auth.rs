use axum::http::{header, Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{bearer, concrete, request, TestApp, ORIGIN, ROUTES, TOKEN};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn every_api_route_answers_401_without_a_valid_bearer_token(pool: PgPool) {
    let app = TestApp::new(pool);
    app.world().await;
    let before = app.snapshot().await;
    let wrong = [
        None,
        Some("Bearer wrong-token-0123456789".to_owned()),
        Some(format!("Basic {TOKEN}")),
        Some(format!("Bearer {TOKEN}x")),
    ];
    for (method, path) in ROUTES {
        for authorization in &wrong {
            let method: Method = method.parse().expect("method");
            let mut builder = request(method.clone(), &concrete(path), Some(json!({"name": "x"})));
            if let Some(value) = authorization {
                builder = builder.header("authorization", value);
            }
            let response = app.send(builder.body_json()).await;
            assert_eq!(
                response.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {authorization:?}"
            );
            assert_eq!(response.code(), "unauthorized");
            assert_eq!(response.headers[header::WWW_AUTHENTICATE], "Bearer");
        }
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "no unauthenticated request changed anything"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn unknown_api_paths_need_the_token_before_they_are_404(pool: PgPool) {
    let app = TestApp::new(pool);
    let anonymous = app
        .send(request(Method::GET, "/api/v1/nothing-here", None).body_json())
        .await;
    anonymous.assert_status(StatusCode::UNAUTHORIZED);
    let known = app
        .send(
            request(Method::GET, "/api/v1/nothing-here", None)
                .header("authorization", bearer())
                .body_json(),
        )
        .await;
    known.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(known.code(), "not_found");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn probes_and_metrics_need_no_token(pool: PgPool) {
    let app = TestApp::new(pool);
    for path in ["/health", "/ready", "/metrics"] {
        let response = app.send(request(Method::GET, path, None).body_json()).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn cors_allows_only_the_configured_origin(pool: PgPool) {
    let app = TestApp::new(pool);
    let preflight = |origin: &str| {
        request(Method::OPTIONS, "/api/v1/properties", None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body_json()
    };
    let allowed = app.send(preflight(ORIGIN)).await;
    assert_eq!(
        allowed
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.as_bytes()),
        Some(ORIGIN.as_bytes())
    );
    let methods = allowed.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(methods.contains("PATCH"), "{methods}");
    let other = app.send(preflight("https://evil.example")).await;
    assert!(other
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
    let simple = request(Method::GET, "/api/v1/properties", None)
        .header("origin", ORIGIN)
        .header("authorization", bearer())
        .body_json();
    let response = app.send(simple).await;
    response.assert_status(StatusCode::OK);
    assert_eq!(
        response.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        ORIGIN
    );
}
