//! W3C trace context on the api (`qlosync_trace_context`): a request's `traceparent` (or a
//! new trace) becomes the current context while it is handled, so every message the change
//! writes carries it through the outbox and RabbitMQ to the worker and its QloApps calls; the
//! answer's `traceparent` tells the client the trace id. With OTLP export on, the request span
//! is exported as a span of that trace (`qlosync_trace_context::enter`).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use qlosync_trace_context::{TraceContext, HEADER};

/// Runs the request inside its trace and names the trace in its span and its answer.
pub async fn propagate(request: Request, next: Next) -> Response {
    let incoming = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(TraceContext::parse);
    // this request is a span of the caller's trace, or the root of a new one; exported over
    // OTLP (when it is on) as the request span, whose id the answer names
    let span = tracing::Span::current();
    let context = qlosync_trace_context::enter(&span, incoming);
    span.record("trace_id", context.trace_id());
    let mut response = qlosync_trace_context::scope(context, next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&context.to_string()) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
