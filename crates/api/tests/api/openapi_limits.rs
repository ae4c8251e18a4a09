//! The document says what the API enforces: every input a client sends (query parameters and
//! JSON body fields) is bounded in the schema, by length, range, format, pattern or enum, and
//! the API rejects what the bounds exclude (422 naming the field).

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{reservation_body, TestApp};

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// The JSON types of `schema` other than null.
fn types(schema: &Value) -> Vec<String> {
    match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Every input in `schema` without bounds, by path.
fn unbounded(doc: &Value, schema: &Value, at: &str, found: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf", "allOf"] {
        for sub in schema[key].as_array().into_iter().flatten() {
            unbounded(doc, sub, at, found);
        }
    }
    let has = |k: &str| !schema[k].is_null();
    for t in types(schema) {
        match t.as_str() {
            "object" => {
                for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                    unbounded(doc, property, &format!("{at}.{name}"), found);
                }
            }
            "array" => {
                if !has("maxItems") {
                    found.push(format!("{at}: an array without maxItems"));
                }
                unbounded(doc, &schema["items"], &format!("{at}[]"), found);
            }
            "string"
                if !["maxLength", "format", "enum", "pattern"]
                    .iter()
                    .any(|k| has(k)) =>
            {
                found.push(format!(
                    "{at}: a string without maxLength, format, pattern or enum"
                ));
            }
            "integer" | "number" if !has("minimum") || !has("maximum") => {
                found.push(format!("{at}: a number without minimum and maximum"));
            }
            _ => {}
        }
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn every_input_is_bounded_in_the_schema(pool: PgPool) {
    let app = TestApp::new(pool);
    let doc = app.get("/api/v1/openapi.json").await.body;
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let at = format!("{} {path}", method.to_uppercase());
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" || parameter["in"] == "header" {
                    let name = parameter["name"].as_str().unwrap_or_default();
                    unbounded(
                        &doc,
                        &parameter["schema"],
                        &format!("{at} ?{name}"),
                        &mut found,
                    );
                }
            }
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            if !body.is_null() {
                unbounded(&doc, body, &format!("{at} body"), &mut found);
            }
        }
    }
    assert!(found.is_empty(), "unbounded inputs:\n{}", found.join("\n"));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_api_rejects_what_the_schema_bounds_exclude(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(String, Value, &str)> = vec![
        (
            "/api/v1/properties".into(),
            json!({"name": long(201)}),
            "name",
        ),
        (
            format!("/api/v1/properties/{}/guests", world.property),
            json!({"firstName": long(101), "lastName": "Lind"}),
            "firstName",
        ),
        (
            format!("/api/v1/properties/{}/room-types", world.property),
            json!({"code": "LONG", "name": "Long", "totalRooms": 5, "description": long(2001)}),
            "description",
        ),
        (
            format!("/api/v1/properties/{}/reservations", world.property),
            {
                let mut body = reservation_body(&world);
                body["notes"] = json!(long(2001));
                body
            },
            "notes",
        ),
        (
            format!("/api/v1/properties/{}/reservations", world.property),
            {
                let mut body = reservation_body(&world);
                body["numberOfRooms"] = json!(0);
                body
            },
            "numberOfRooms",
        ),
    ];
    for (uri, body, field) in cases {
        let answer = app.post(&uri, body).await;
        answer.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.fields(), [field], "{uri}: {}", answer.text);
    }
    let config = &world.config;
    for (uri, field) in [
        (
            format!("/api/v1/properties/{}/reservations?limit=0", world.property),
            "limit",
        ),
        (
            format!(
                "/api/v1/properties/{}/reservations?limit=201",
                world.property
            ),
            "limit",
        ),
        (
            format!("/api/v1/properties/{}/guests?offset=-1", world.property),
            "offset",
        ),
        (
            format!(
                "/api/v1/properties/{}/guests?offset=10000001",
                world.property
            ),
            "offset",
        ),
        (
            format!(
                "/api/v1/properties/{}/guests?name={}",
                world.property,
                long(201)
            ),
            "name",
        ),
        (
            format!(
                "/api/v1/properties/{}/guests?phone={}",
                world.property,
                long(41)
            ),
            "phone",
        ),
        (
            format!(
                "/api/v1/qloapps/configs/{config}/sync-log?entityType={}",
                long(101)
            ),
            "entityType",
        ),
        (
            format!("/api/v1/qloapps/configs/{config}/sync-log?beforeId=0"),
            "beforeId",
        ),
        (
            format!("/api/v1/qloapps/configs/{config}/reservation-mappings?qloappsBookingId=0"),
            "qloappsBookingId",
        ),
        (
            format!(
                "/api/v1/qloapps/configs/{config}/reservation-mappings?qloappsBookingId=4294967296"
            ),
            "qloappsBookingId",
        ),
        (
            format!("/api/v1/qloapps/configs/{config}/activity?hours=49"),
            "hours",
        ),
    ] {
        let answer = app.get(&uri).await;
        answer.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.fields(), [field], "{uri}: {}", answer.text);
    }
    // the maxLength of a text counts the characters as sent, padding included
    let padded = app
        .post(
            "/api/v1/properties",
            json!({"name": format!(" {} ", long(199))}),
        )
        .await;
    padded.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(padded.fields(), ["name"]);
}
