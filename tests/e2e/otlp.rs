//! OTLP export: with `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a receiver on loopback, the
//! api's request span and the worker's message span of one change arrive as OTLP/HTTP protobuf
//! with the trace id of the caller's `traceparent`, the request span a child of the caller's
//! span and the message span a child of the request span.
//!
//! The harness runs the api and the worker in this test's process, so they share one exporter
//! (one `service.name`); the binaries each build their own in `qlosync_service::telemetry::init`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use prost::Message;
use qlo_sim::SimConfig;
use qlosync_service::telemetry::Export;
use qlosync_tests::{eventually, Stack};
use sqlx::PgPool;
use sync_core::config::LogSettings;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;

use crate::trace::{reserve_in_trace, CALLER_SPAN, TRACE_ID};

type Received = Arc<Mutex<Vec<Bytes>>>;

/// A tiny OTLP/HTTP receiver: keeps every `POST /v1/traces` body.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let app = axum::Router::new()
        .route(
            "/v1/traces",
            post(|State(r): State<Received>, body: Bytes| async move {
                if let Ok(mut r) = r.lock() {
                    r.push(body);
                }
                ""
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One received span: service name, span name, trace id, span id, parent span id (hex).
#[derive(Debug, Clone)]
struct Received1 {
    service: String,
    name: String,
    trace_id: String,
    span_id: String,
    parent: String,
}

fn decode(bodies: &[Bytes]) -> Vec<Received1> {
    let mut spans = Vec::new();
    for body in bodies {
        let request = ExportTraceServiceRequest::decode(body.as_ref()).expect("OTLP protobuf");
        for resource in request.resource_spans {
            let service = resource
                .resource
                .iter()
                .flat_map(|r| r.attributes.iter())
                .find(|a| a.key == "service.name")
                .and_then(|a| a.value.as_ref()?.value.as_ref())
                .map(|v| match v {
                    Value::StringValue(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .unwrap_or_default();
            for scope in resource.scope_spans {
                for span in scope.spans {
                    spans.push(Received1 {
                        service: service.clone(),
                        name: span.name,
                        trace_id: hex(&span.trace_id),
                        span_id: hex(&span.span_id),
                        parent: hex(&span.parent_span_id),
                    });
                }
            }
        }
    }
    spans
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_api_and_worker_spans_of_a_change_are_exported_in_the_callers_trace(pool: PgPool) {
    let (collector, received) = receiver().await;
    let overrides = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.as_str()),
        ("OTEL_SERVICE_NAME", "qlosync-e2e"),
    ];
    let mut stack = Stack::start(pool, SimConfig::default(), &overrides).await;
    // what qlosync_service::telemetry::init builds from these settings, as this test's subscriber
    // (the test runs on one thread: the api's and the worker's tasks run under it)
    let log = LogSettings::from_env(&stack.env.lookup()).expect("log settings");
    let otlp = log.otlp.expect("the endpoint turns export on");
    assert_eq!(otlp.traces_url, format!("{collector}/v1/traces"));
    let export = Export::build(Some(&otlp))
        .expect("exporter builds")
        .expect("an exporter");
    let subscriber = tracing_subscriber::registry()
        .with(LevelFilter::INFO)
        .with(export.layer());
    let guard = tracing::subscriber::set_default(subscriber);
    // A second live dispatcher makes tracing compute a callsite's interest from every registered
    // dispatcher: with only this thread-local one, a sibling test's thread (no subscriber) that
    // reaches the worker's `message` span first caches it as "never" for the whole process.
    let _anchor = tracing::Dispatch::new(tracing_subscriber::registry());

    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let (answered, id) = reserve_in_trace(&stack, &demo).await;
    eventually("the push", Duration::from_secs(30), || async {
        stack.mapped_order(&id).await
    })
    .await;
    stack.stop().await;
    // flush what the batch processor still holds
    export.shutdown().await;
    drop(guard);

    let bodies = received.lock().map(|b| b.clone()).unwrap_or_default();
    let spans = decode(&bodies);
    let ours: Vec<&Received1> = spans.iter().filter(|s| s.trace_id == TRACE_ID).collect();
    let request = ours
        .iter()
        .find(|s| s.name == "request")
        .unwrap_or_else(|| panic!("the api's request span is exported: {spans:?}"));
    assert!(
        ours.iter().any(|s| s.name == "message"),
        "the worker's message span is exported: {spans:?}"
    );
    assert_eq!(request.service, "qlosync-e2e");
    assert_eq!(
        request.parent, CALLER_SPAN,
        "the caller's span is the parent"
    );
    assert_eq!(
        answered,
        format!("00-{TRACE_ID}-{}-01", request.span_id),
        "the answer names the exported request span"
    );
    // the message the api wrote is handled as a child of the request span (messages the
    // worker writes in turn are children of its message span)
    assert!(
        ours.iter()
            .any(|s| s.name == "message" && s.parent == request.span_id),
        "the worker's span is a child of the request span: {ours:?}"
    );
}
