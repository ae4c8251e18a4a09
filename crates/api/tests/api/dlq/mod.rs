//! `/api/v1/dlq` and `api dlq`: validation, the token, 503 without a broker, and list /
//! replay / discard against the machine's RabbitMQ on a private queue prefix.

use std::str::FromStr;
use std::sync::Arc;

use api::auth::ApiTokens;
use api::state::HttpPolicy;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use sync_core::crypto::KeyRing;
use sync_core::messages::QueueKind;
use sync_queue::dlq::DeadLetterQueue;
use sync_queue::queue::{QueueConfig, Topology};
use tower::ServiceExt;
use uuid::Uuid;

use crate::helpers::{request, TOKEN};

pub mod broker;
mod cli;

use broker::Broker;

/// The router with no database behind it (the DLQ routes need none) and `dlq`.
fn router(dlq: Option<DeadLetterQueue>) -> Router {
    qlosync_service::telemetry::init_for_tests();
    let options = PgConnectOptions::from_str("postgres://nobody@127.0.0.1:1/none").expect("opts");
    let pool = sync_core::db::pool_options(1).connect_lazy_with(options);
    let tokens = ApiTokens::new(&[secrecy::SecretString::from(TOKEN)]);
    let mut state = api::startup::build_state(
        pool,
        KeyRing::single("k", [1; 32]),
        tokens,
        HttpPolicy::default(),
    );
    state.dlq = dlq.map(Arc::new);
    api::startup::app(state)
}

async fn call(router: &Router, method: Method, uri: &str, body: Option<Value>) -> (u16, Value) {
    let req = request(method, uri, body).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    let response = router
        .clone()
        .oneshot(req.body_json())
        .await
        .expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn fields(body: &Value) -> Vec<&str> {
    let list = body["error"]["fields"].as_array().expect("fields");
    list.iter()
        .map(|f| f["field"].as_str().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn dlq_routes_need_the_token_and_a_selection() {
    let app = router(None);
    for (method, uri) in [
        ("GET", "/api/v1/dlq"),
        ("POST", "/api/v1/dlq/replay"),
        ("POST", "/api/v1/dlq/discard"),
        ("POST", "/api/v1/dlq/preview"),
        ("GET", "/api/v1/queues"),
    ] {
        let req = request(
            method.parse().expect("method"),
            uri,
            Some(json!({"all": true})),
        );
        let response = app
            .clone()
            .oneshot(req.body_json())
            .await
            .expect("infallible");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {uri}"
        );
    }
    for (body, field) in [
        (json!({}), "all"),
        (json!({"all": false}), "all"),
        (json!({"all": true, "configId": Uuid::new_v4()}), "all"),
        (json!({"messageId": "   "}), "all"),
        (json!({"reason": "bored"}), "reason"),
        (json!({"configId": "not-a-uuid"}), "configId"),
        (json!({"all": true, "purge": true}), "purge"),
        (json!({"messageIds": []}), "messageIds"),
        (json!({"messageIds": ["m-1", "  "]}), "messageIds"),
        (
            json!({"messageIds": ["m-1"], "eventType": "x"}),
            "messageIds",
        ),
        (json!({"messageIds": "m-1"}), "messageIds"),
    ] {
        for uri in [
            "/api/v1/dlq/replay",
            "/api/v1/dlq/discard",
            "/api/v1/dlq/preview",
        ] {
            let (status, answer) = call(&app, Method::POST, uri, Some(body.clone())).await;
            assert_eq!(status, 422, "{uri} {body}: {answer}");
            assert_eq!(fields(&answer), [field], "{uri} {body}: {answer}");
        }
    }
    for limit in ["0", "1001", "-1", "many"] {
        let (status, answer) = call(
            &app,
            Method::GET,
            &format!("/api/v1/dlq?limit={limit}"),
            None,
        )
        .await;
        assert_eq!(
            (status, fields(&answer)),
            (422, vec!["limit"]),
            "{limit}: {answer}"
        );
    }
}

#[tokio::test]
async fn without_rabbitmq_url_or_with_the_broker_down_the_dlq_answers_503() {
    let unreachable = DeadLetterQueue::new(
        "amqp://guest:guest@127.0.0.1:1/%2f",
        Topology::new(QueueConfig::default()),
    );
    for (app, says) in [
        (router(None), "RABBITMQ_URL"),
        (router(Some(unreachable)), "RabbitMQ"),
    ] {
        for (method, uri, body) in [
            (Method::GET, "/api/v1/dlq", None),
            (
                Method::POST,
                "/api/v1/dlq/replay",
                Some(json!({"all": true})),
            ),
            (
                Method::POST,
                "/api/v1/dlq/discard",
                Some(json!({"messageId": "m-1"})),
            ),
            (
                Method::POST,
                "/api/v1/dlq/preview",
                Some(json!({"messageIds": ["m-1"]})),
            ),
            (Method::GET, "/api/v1/queues", None),
        ] {
            let (status, answer) = call(&app, method, uri, body).await;
            assert_eq!(status, 503, "{uri}: {answer}");
            assert_eq!(answer["error"]["code"], "unavailable");
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(says), "{uri}: {answer}");
        }
    }
}

#[tokio::test]
async fn the_api_lists_replays_and_discards_dead_letters() {
    let broker = Broker::new().await;
    let app = router(Some(broker.dlq()));
    let (c1, c2) = (Uuid::new_v4(), Uuid::new_v4());
    let first = broker.dead_letter(c1, "permanent", true).await;
    let second = broker.dead_letter(c2, "permanent", true).await;
    let third = broker.dead_letter(c2, "invalid_message", true).await;

    let (status, listed) = call(&app, Method::GET, "/api/v1/dlq?limit=2", None).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["total"], 3);
    let messages = listed["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    let m = &messages[0];
    assert_eq!(
        (m["id"].as_str(), m["reason"].as_str()),
        (Some(first.as_str()), Some("permanent"))
    );
    assert_eq!(m["error"], "room type 4 is not mapped");
    assert_eq!(
        (m["attempts"].as_u64(), m["eventType"].as_str()),
        (Some(1), Some("reservation.create"))
    );
    assert_eq!(m["configId"], c1.to_string());
    let work = broker.topology.work_queue(QueueKind::Outbound);
    assert_eq!(m["originalQueue"], work.as_str());
    assert!(
        m["lastFailureAt"].is_string() && m["bodyPreview"].is_string(),
        "{m}"
    );

    let replay = json!({"configId": c2, "reason": "permanent"});
    let (status, report) = call(&app, Method::POST, "/api/v1/dlq/replay", Some(replay)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["replayed"].as_u64(), report["skipped"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        broker.depth(&work).await,
        1,
        "{second} is back in its work queue"
    );

    let discard = json!({"messageId": third});
    let (status, report) = call(&app, Method::POST, "/api/v1/dlq/discard", Some(discard)).await;
    assert_eq!(
        (status, report["discarded"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    let (_, listed) = call(&app, Method::GET, "/api/v1/dlq", None).await;
    let ids: Vec<&str> = listed["messages"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, [first.as_str()]);
}

#[tokio::test]
async fn a_preview_counts_without_taking_and_message_ids_act_on_exactly_those() {
    let broker = Broker::new().await;
    let app = router(Some(broker.dlq()));
    let (c1, c2) = (Uuid::new_v4(), Uuid::new_v4());
    let first = broker.dead_letter(c1, "permanent", true).await;
    let second = broker.dead_letter(c2, "permanent", true).await;
    // no original queue recorded: a replay cannot publish it
    let orphan = broker.dead_letter(c2, "permanent", false).await;
    let preview = |body: Value| {
        let app = app.clone();
        async move { call(&app, Method::POST, "/api/v1/dlq/preview", Some(body)).await }
    };

    let (status, counted) = preview(json!({"configId": c2})).await;
    assert_eq!(status, 200, "{counted}");
    assert_eq!(
        (
            &counted["total"],
            &counted["matching"],
            &counted["replayable"]
        ),
        (&json!(3), &json!(2), &json!(1)),
        "{counted}"
    );
    let (_, counted) = preview(json!({"messageIds": [first, orphan, "not-there"]})).await;
    assert_eq!(
        (&counted["matching"], &counted["replayable"]),
        (&json!(2), &json!(1))
    );
    let (_, counted) = preview(json!({"all": true})).await;
    assert_eq!(counted["matching"], 3);
    let (_, listed) = call(&app, Method::GET, "/api/v1/dlq", None).await;
    assert_eq!(
        listed["total"], 3,
        "a preview leaves every message in place"
    );

    let (status, depths) = call(&app, Method::GET, "/api/v1/queues", None).await;
    assert_eq!(status, 200, "{depths}");
    assert_eq!(depths["deadLetter"]["messages"], 3);
    assert_eq!(
        depths["deadLetter"]["queue"],
        broker.topology.dead_letter_queue()
    );
    assert_eq!(depths["outbound"]["messages"], 0);

    let picked = json!({"messageIds": [first, second]});
    let (status, report) = call(&app, Method::POST, "/api/v1/dlq/replay", Some(picked)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (&report["replayed"], &report["skipped"], &report["failed"]),
        (&json!(2), &json!(1), &json!(0)),
        "{report}"
    );
    let work = broker.topology.work_queue(QueueKind::Outbound);
    let (_, depths) = call(&app, Method::GET, "/api/v1/queues", None).await;
    assert_eq!(
        (
            &depths["outbound"]["messages"],
            &depths["outbound"]["queue"]
        ),
        (&json!(2), &json!(work)),
        "the two replayed are in their work queue: {depths}"
    );
    assert_eq!(depths["deadLetter"]["messages"], 1);

    let orphan_only = json!({"messageIds": [orphan]});
    let (_, report) = call(&app, Method::POST, "/api/v1/dlq/replay", Some(orphan_only)).await;
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(report["failures"][0]["id"], orphan.as_str());
    let why = report["failures"][0]["error"].as_str().unwrap_or_default();
    assert!(why.contains("original queue"), "{why}");

    let discard = json!({"messageIds": [orphan, first]});
    let (_, report) = call(&app, Method::POST, "/api/v1/dlq/discard", Some(discard)).await;
    assert_eq!(
        (&report["discarded"], &report["skipped"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(broker.depth(&broker.topology.dead_letter_queue()).await, 0);
}

#[tokio::test]
async fn queue_depths_of_queues_never_declared_are_a_503_naming_the_queue() {
    let never_declared = Topology::new(QueueConfig {
        prefix: format!("nodecl{}.", &Uuid::new_v4().simple().to_string()[..8]),
        ..QueueConfig::default()
    });
    let app = router(Some(DeadLetterQueue::new(
        broker::amqp_url(),
        never_declared.clone(),
    )));
    let (status, answer) = call(&app, Method::GET, "/api/v1/queues", None).await;
    assert_eq!(status, 503, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    let outbound = never_declared.work_queue(QueueKind::Outbound);
    assert!(message.contains(&outbound), "{message}");
}

#[tokio::test]
async fn the_dlq_routes_and_their_bodies_are_in_the_openapi_document() {
    let (status, doc) = call(&router(None), Method::GET, "/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    for (path, method) in [
        ("/api/v1/dlq", "get"),
        ("/api/v1/dlq/replay", "post"),
        ("/api/v1/dlq/discard", "post"),
        ("/api/v1/dlq/preview", "post"),
        ("/api/v1/queues", "get"),
    ] {
        let responses = &doc["paths"][path][method]["responses"];
        assert!(
            responses["200"].is_object() && responses["503"].is_object(),
            "{path}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "DeadLetterList",
        "DeadLetterInfo",
        "DlqSelectionBody",
        "ReplayReport",
        "DiscardReport",
        "DlqPreview",
        "QueueDepths",
    ] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    let info = &schemas["DeadLetterInfo"]["properties"];
    for field in [
        "reason",
        "attempts",
        "originalQueue",
        "firstFailureAt",
        "lastFailureAt",
    ] {
        assert!(info[field].is_object(), "DeadLetterInfo.{field}");
    }
}
