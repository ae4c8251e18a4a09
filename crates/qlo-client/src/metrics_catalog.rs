//! The metrics this crate records (through the `metrics` facade), their `# HELP` text and the
//! histogram buckets of its durations: the one place that names them.

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};

/// `{resource,method,status}`: QloApps webservice calls.
pub const REQUESTS_TOTAL: &str = "qlosync_qloapps_requests_total";
/// `{resource,method}`: duration of one QloApps call (one attempt).
pub const REQUEST_DURATION: &str = "qlosync_qloapps_request_duration_seconds";
/// 0 closed, 1 open, 2 half-open; `{config_id}` when the breaker is the shared one.
pub const CIRCUIT_STATE: &str = "qlosync_circuit_state";
/// `{to}`: circuit breaker transitions.
pub const CIRCUIT_TRANSITIONS: &str = "qlosync_circuit_transitions_total";
/// Calls that waited for the rate limiter.
pub const RATE_LIMITER_WAITS: &str = "qlosync_rate_limiter_waits_total";
/// How long they waited.
pub const RATE_LIMITER_WAIT: &str = "qlosync_rate_limiter_wait_seconds";

/// A QloApps call: tens of milliseconds on a healthy shop, seconds for a booking write on
/// stock QloApps 1.6.1, 30 s at the timeout (`QLOAPPS_TIMEOUT_MS`).
pub const REQUEST_BUCKETS: &[f64] = &[
    0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0,
];
/// A rate limiter wait: none, a slot (666 ms at the defaults), up to a whole window (60 s).
pub const RATE_LIMITER_WAIT_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Registers the `# HELP` text of every metric above with the installed recorder.
pub fn describe() {
    describe_counter!(
        REQUESTS_TOTAL,
        "QloApps webservice calls by resource, method and HTTP status (or timeout / network)"
    );
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Duration of one QloApps webservice call (one attempt) by resource and method"
    );
    describe_gauge!(
        CIRCUIT_STATE,
        "Circuit breaker state as this process last saw it: 0 closed, 1 open, 2 half-open"
    );
    describe_counter!(
        CIRCUIT_TRANSITIONS,
        "Circuit breaker transitions by the state entered"
    );
    describe_counter!(
        RATE_LIMITER_WAITS,
        "QloApps calls that waited for the per-config rate limiter"
    );
    describe_histogram!(
        RATE_LIMITER_WAIT,
        Unit::Seconds,
        "Time a QloApps call waited for the per-config rate limiter"
    );
}
