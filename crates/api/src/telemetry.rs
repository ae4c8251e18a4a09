//! Prometheus metrics and the per-request metrics middleware.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// The process-wide Prometheus recorder (shared with the workers' ops servers).
pub use sync_core::telemetry::prometheus_handle;

/// Counts requests and their duration by method, route template and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("qlosync_http_requests_total", &labels).increment(1);
    metrics::histogram!("qlosync_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Counts outbox rows written by committed changes.
pub fn record_enqueued(event_type: &'static str, count: usize) {
    if count > 0 {
        metrics::counter!("qlosync_outbox_enqueued_total", "event_type" => event_type)
            .increment(count as u64);
    }
}
