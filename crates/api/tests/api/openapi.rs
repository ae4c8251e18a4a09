use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{TestApp, ROUTES};

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_openapi_document_describes_every_route_and_the_error_body(pool: PgPool) {
    let app = TestApp::new(pool);
    let doc = app.get("/api/v1/openapi.json").await;
    doc.assert_status(StatusCode::OK);
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut documented = 0;
    for item in paths.values() {
        documented += item
            .as_object()
            .map(|o| o.keys().filter(|k| *k != "parameters").count())
            .unwrap_or_default();
    }
    for (method, path) in ROUTES {
        let operation = &doc.body["paths"][path][method.to_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            operation["responses"].is_object(),
            "{method} {path} has no responses"
        );
    }
    for path in ["/health", "/ready", "/metrics"] {
        assert!(doc.body["paths"][path]["get"].is_object(), "{path}");
        assert_eq!(
            doc.body["paths"][path]["get"]["security"],
            serde_json::json!([{}]),
            "{path} needs no token"
        );
    }
    assert_eq!(
        documented,
        ROUTES.len() + 3,
        "the document has operations the router does not, or the reverse"
    );
    let schemas = &doc.body["components"]["schemas"];
    for schema in [
        "ErrorBody",
        "ErrorDetail",
        "FieldError",
        "Reservation",
        "ConfigView",
        "TestConnectionResult",
    ] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    assert!(
        schemas["ConfigView"]["properties"].get("apiKey").is_none(),
        "the key is write-only"
    );
    assert_eq!(
        doc.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let unprocessable = &doc.body["paths"]["/api/v1/properties"]["post"]["responses"]["422"];
    assert!(
        unprocessable.to_string().contains("ErrorBody"),
        "{unprocessable}"
    );
}
