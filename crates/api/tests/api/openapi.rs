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

/// Every `enum` array in the document, with where it is.
fn enums(value: &serde_json::Value, at: &str, found: &mut Vec<(String, Vec<String>)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(values) = map.get("enum").and_then(|e| e.as_array()) {
                let texts = values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                found.push((at.to_owned(), texts));
            }
            for (key, child) in map {
                enums(child, &format!("{at}/{key}"), found);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                enums(child, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

fn serde_values<T: serde::Serialize>(all: &[T]) -> Vec<String> {
    all.iter()
        .map(|v| {
            serde_json::to_value(v)
                .expect("serialises")
                .as_str()
                .expect("a string enum")
                .to_owned()
        })
        .collect()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn enum_values_in_the_document_are_the_ones_the_api_speaks(pool: PgPool) {
    use sync_core::domain::{
        ChannelManager, ReservationSource, ReservationStatus, SyncDirection, SyncOutcome,
        SyncStanding, SyncStatus,
    };
    let app = TestApp::new(pool);
    let doc = app.get("/api/v1/openapi.json").await;
    doc.assert_status(StatusCode::OK);
    let schemas = &doc.body["components"]["schemas"];
    let expected = [
        ("ChannelManager", serde_values(ChannelManager::ALL)),
        ("ReservationSource", serde_values(ReservationSource::ALL)),
        ("ReservationStatus", serde_values(ReservationStatus::ALL)),
        ("SyncDirection", serde_values(SyncDirection::ALL)),
        ("SyncOutcome", serde_values(SyncOutcome::ALL)),
        ("SyncStatus", serde_values(SyncStatus::ALL)),
        ("SyncStanding", serde_values(SyncStanding::ALL)),
    ];
    for (name, values) in &expected {
        assert_eq!(
            schemas[name]["enum"],
            serde_json::json!(values),
            "schema {name} documents other values than serde writes"
        );
    }
    assert!(serde_values(ChannelManager::ALL).contains(&"qloapps".to_owned()));
    assert!(serde_values(ReservationStatus::ALL).contains(&"confirmed".to_owned()));
    // and no enum anywhere (the api's own types too) is documented in Rust's casing
    let mut found = Vec::new();
    enums(&doc.body, "", &mut found);
    assert!(found.len() >= expected.len(), "{found:?}");
    for (at, values) in &found {
        for value in values {
            assert!(
                !value.starts_with(|c: char| c.is_ascii_uppercase()),
                "{at}: enum value {value:?} is in Rust's casing, not the API's"
            );
        }
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn every_api_operation_documents_401_and_writes_document_403(pool: PgPool) {
    let app = TestApp::new(pool);
    let doc = app.get("/api/v1/openapi.json").await;
    for (method, path) in ROUTES {
        let operation = &doc.body["paths"][path][method.to_lowercase()];
        let responses = &operation["responses"];
        assert!(responses["401"].is_object(), "{method} {path}: no 401");
        if *method != "GET" {
            assert!(responses["403"].is_object(), "{method} {path}: no 403");
        }
        if operation["requestBody"].is_object() {
            for status in ["400", "413", "415"] {
                assert!(
                    responses[status].is_object(),
                    "{method} {path}: no {status}"
                );
            }
        }
    }
}
