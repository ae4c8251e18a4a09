//! The propagated context as the parent of an exported span (feature `otel`): when a process
//! exports its spans over OTLP (`qlosync_service::telemetry`), the request and message spans
//! must be children of the `traceparent` qlosync carries, so a collector shows one trace.

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::TraceContext;

/// Starts `span` (a request's, a message's) in the trace of `remote` (the caller's context, or
/// a new trace without one) and returns the context the work inside it runs in. When `span`
/// is exported, its OTel parent is `remote` and the returned context names the exported span
/// itself, so the `traceparent` qlosync sends on points at a span the collector has; otherwise
/// a new span id under `remote`.
pub fn enter(span: &tracing::Span, remote: Option<TraceContext>) -> TraceContext {
    let fallback = remote.map_or_else(TraceContext::new_root, |c| c.child());
    let parent = match remote {
        Some(r) => opentelemetry::Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from_bytes(r.trace_id_bytes()),
            SpanId::from_bytes(r.span_id_bytes()),
            TraceFlags::new(r.flags()),
            true,
            TraceState::default(),
        )),
        None => opentelemetry::Context::new(),
    };
    // no OTel layer in the span's subscriber: nothing is exported
    if span.set_parent(parent).is_err() {
        return fallback;
    }
    let context = span.context();
    let exported = context.span().span_context().clone();
    if !exported.is_valid() {
        return fallback;
    }
    TraceContext::from_parts(
        exported.trace_id().to_bytes(),
        exported.span_id().to_bytes(),
        exported.trace_flags().to_u8(),
    )
    .unwrap_or(fallback)
}
