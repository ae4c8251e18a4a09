//! Prometheus metrics and the per-request metrics middleware.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// The process-wide Prometheus recorder (shared with the workers' ops servers).
pub use qlosync_service::telemetry::prometheus_handle;

/// `{method,route,status}`: requests served.
pub const HTTP_REQUESTS_TOTAL: &str = "qlosync_http_requests_total";
/// `{method,route,status}`: their duration (buckets in `sync_core::metrics_catalog`).
pub const HTTP_REQUEST_DURATION: &str = "qlosync_http_request_duration_seconds";

/// Registers the `# HELP` text of the api's own metrics (the shared ones are described by
/// `sync_core::metrics_catalog`).
pub fn describe() {
    metrics::describe_counter!(
        HTTP_REQUESTS_TOTAL,
        "HTTP requests served by the api, by method, route template and status"
    );
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION,
        metrics::Unit::Seconds,
        "Duration of the api's HTTP requests, by method, route template and status"
    );
}

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
    metrics::counter!(HTTP_REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Counts outbox rows written by committed changes.
pub fn record_enqueued(event_type: &'static str, count: usize) {
    if count > 0 {
        metrics::counter!(sync_core::metrics_catalog::OUTBOX_ENQUEUED_TOTAL, "event_type" => event_type)
            .increment(count as u64);
    }
}
