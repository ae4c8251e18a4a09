//! One W3C trace spans a change: the API request's `traceparent`, the message's envelope in
//! the outbox row, the AMQP header the relay sends, the worker's handling and its QloApps
//! calls, which reach the simulator with a `traceparent` of that trace (each its own span).

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, reservation_body, Stack, TOKEN};
use sqlx::PgPool;

pub(crate) const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
pub(crate) const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// The trace id of a `traceparent` value.
fn trace_of(traceparent: &str) -> &str {
    traceparent.split('-').nth(1).unwrap_or_default()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn one_trace_id_spans_the_api_request_the_worker_and_the_qloapps_call(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    stack.sim.clear_request_log();

    let (answered, id) = reserve_in_trace(&stack, &demo).await;
    assert_eq!(trace_of(&answered), TRACE_ID, "{answered}");
    assert!(!answered.contains(CALLER_SPAN), "the api's span is its own");

    // the outbox row keeps the trace in the message's envelope
    let traceparent: Option<String> = sqlx::query_scalar(
        "SELECT payload->>'traceparent' FROM outbox WHERE payload->>'reservationId' = $1",
    )
    .bind(&id)
    .fetch_optional(&stack.pool)
    .await
    .expect("outbox query")
    .flatten();
    let traceparent = traceparent.expect("the message carries a traceparent");
    assert_eq!(trace_of(&traceparent), TRACE_ID, "{traceparent}");

    eventually("the push", Duration::from_secs(30), || async {
        stack.mapped_order(&id).await
    })
    .await;
    let calls = stack.sim.request_log();
    let booking = calls
        .iter()
        .find(|c| c.resource == "bookings" && c.method == "POST")
        .expect("the booking was posted");
    let sent = booking
        .traceparent
        .as_deref()
        .expect("the QloApps call carries a traceparent");
    assert_eq!(trace_of(sent), TRACE_ID, "{sent}");
    let spans: std::collections::HashSet<&str> = calls
        .iter()
        .filter_map(|c| c.traceparent.as_deref())
        .filter(|t| trace_of(t) == TRACE_ID)
        .collect();
    assert!(
        spans.len() > 1,
        "every QloApps call of the push is a span of the trace: {calls:?}"
    );
    stack.stop().await;
}

/// Creates a reservation through the api as a caller in span `CALLER_SPAN` of trace
/// `TRACE_ID`; returns the `traceparent` the api answered and the reservation id.
pub(crate) async fn reserve_in_trace(
    stack: &Stack,
    demo: &qlosync_tests::Demo,
) -> (String, String) {
    let response = stack
        .http
        .post(format!(
            "{}/api/v1/properties/{}/reservations",
            stack.api_url, demo.property_id
        ))
        .bearer_auth(TOKEN)
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN}-01"))
        .json(&reservation_body(
            &demo.room_types[0],
            &demo.guest_id,
            "2027-11-01",
            "2027-11-03",
            "160.00",
        ))
        .send()
        .await
        .expect("api answers");
    assert_eq!(response.status(), 201);
    let answered = response
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .expect("the answer names its trace")
        .to_owned();
    let body: serde_json::Value = response.json().await.expect("json");
    let id = body["id"].as_str().expect("id").to_owned();
    (answered, id)
}
