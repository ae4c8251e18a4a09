//! Every metric the qlosync processes export, by Prometheus conventions: one prefix
//! (`qlosync_`), `# HELP` text for each (registered by [`describe`]), durations as histograms
//! with buckets chosen for what they time ([`builder`]), and labels from bounded sets only
//! (config id, queue, kind, outcome, reason: never a reservation or order id).
//!
//! The QloApps client's own metrics are named in `qlo_client::metrics_catalog`; the api's HTTP
//! metrics in the api's `telemetry`; the scheduler's in its `gauges`. The process metrics
//! (`process_*`, the names every Prometheus client library uses) are rendered by
//! `crate::process_metrics`.

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

// --- queues and consumers (crate::queue, crate::dlq)
/// `{queue,event_type,outcome}`: deliveries handled, by how they ended.
pub const MESSAGES_TOTAL: &str = "qlosync_messages_total";
/// `{queue,event_type}`: deliveries sent to the retry queue.
pub const MESSAGE_RETRIES_TOTAL: &str = "qlosync_message_retries_total";
/// `{queue,event_type,outcome}`: time from delivery to settlement.
pub const MESSAGE_DURATION: &str = "qlosync_message_duration_seconds";
/// `{queue,reason}`: messages dead-lettered, by reason.
pub const DLQ_ARRIVALS_TOTAL: &str = "qlosync_dlq_arrivals_total";
/// `{queue}`: messages ready in each queue (work, retry, defer, DLQ).
pub const QUEUE_DEPTH: &str = "qlosync_queue_depth";
/// `{queue}`: messages in the dead-letter queue, as the DLQ tools last read it.
pub const DLQ_DEPTH: &str = "qlosync_dlq_depth";

// --- outbox (crate::relay, the api)
pub const OUTBOX_BACKLOG: &str = "qlosync_outbox_backlog";
pub const OUTBOX_OLDEST_AGE: &str = "qlosync_outbox_oldest_age_seconds";
pub const OUTBOX_ENQUEUED_TOTAL: &str = "qlosync_outbox_enqueued_total";

// --- pushes (outbound-worker)
/// `{config_id,kind,outcome}`: pushes (reservation, availability, rates), by outcome.
pub const PUSHES_TOTAL: &str = "qlosync_pushes_total";
/// `{config_id,kind}`: duration of one push, its QloApps calls and waits included.
pub const PUSH_DURATION: &str = "qlosync_push_duration_seconds";
/// `{config_id}`: pushes QloApps refused (the reservation is out of sync); crate::push.
pub const PUSH_REFUSED_TOTAL: &str = "qlosync_push_refused_total";
pub const OUTBOUND_RUNS_TOTAL: &str = "qlosync_outbound_runs_total";
pub const OUTBOUND_RUN_DURATION: &str = "qlosync_outbound_run_duration_seconds";
pub const OUTBOUND_ITEMS_TOTAL: &str = "qlosync_outbound_items_total";

// --- pulls (inbound-worker, sync-scheduler)
/// `{config_id,trigger,outcome}`: pulls started by the scheduler or a message, by outcome.
pub const PULLS_TOTAL: &str = "qlosync_pulls_total";
/// `{config_id}`: orders a pull could not apply (kept as pull failures).
pub const PULL_FAILED_ORDERS_TOTAL: &str = "qlosync_pull_failed_orders_total";
/// `{sync_type,status}` (crate::pull).
pub const PULL_RUNS_TOTAL: &str = "qlosync_pull_runs_total";
/// `{sync_type}` (crate::pull).
pub const PULL_DURATION: &str = "qlosync_pull_duration_seconds";
/// `{outcome}` (crate::pull).
pub const PULL_BOOKINGS_TOTAL: &str = "qlosync_pull_bookings_total";
/// `{config_id}`: open pull failures (crate::pull, and the scheduler's database gauges).
pub const PULL_FAILURES: &str = "qlosync_pull_failures";

// --- process
/// `{version,commit}`, always 1.
pub const BUILD_INFO: &str = "qlosync_build_info";
/// `{process}`: 1 while `/ready` would answer 200.
pub const READY: &str = "qlosync_ready";

/// Durations of whole units of work: a push or a delivery (one or a few QloApps calls, with
/// retries and rate-limit waits: up to minutes).
pub const WORK_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];
/// A pull: a page is three QloApps calls; a full pull of a large hotel takes minutes.
pub const PULL_BUCKETS: &[f64] = &[
    0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];
/// An api request: milliseconds, a test-connection call up to its 10 s limit.
pub const HTTP_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The exporter with a bucket set for every duration, so each renders as a histogram (which
/// Prometheus can aggregate over replicas) rather than a summary.
pub fn builder() -> Result<PrometheusBuilder, metrics_exporter_prometheus::BuildError> {
    let buckets: [(&str, &[f64]); 8] = [
        (
            qlo_client::metrics_catalog::REQUEST_DURATION,
            qlo_client::metrics_catalog::REQUEST_BUCKETS,
        ),
        (
            qlo_client::metrics_catalog::RATE_LIMITER_WAIT,
            qlo_client::metrics_catalog::RATE_LIMITER_WAIT_BUCKETS,
        ),
        (MESSAGE_DURATION, WORK_BUCKETS),
        (PUSH_DURATION, WORK_BUCKETS),
        (OUTBOUND_RUN_DURATION, WORK_BUCKETS),
        (PULL_DURATION, PULL_BUCKETS),
        ("qlosync_http_request_duration_seconds", HTTP_BUCKETS),
        // anything else timed in seconds: the work buckets rather than a summary
        ("_seconds", WORK_BUCKETS),
    ];
    let mut builder = PrometheusBuilder::new();
    for (name, set) in buckets {
        let matcher = if name.starts_with('_') {
            Matcher::Suffix(name.to_owned())
        } else {
            Matcher::Full(name.to_owned())
        };
        builder = builder.set_buckets_for_metric(matcher, set)?;
    }
    Ok(builder)
}

/// Registers the `# HELP` text of every metric of this crate and of the QloApps client.
pub fn describe() {
    qlo_client::metrics_catalog::describe();
    // unlabelled counters exist from the start (at 0), so alerts and rate() see them
    metrics::counter!(qlo_client::metrics_catalog::RATE_LIMITER_WAITS).increment(0);
    describe_counter!(
        MESSAGES_TOTAL,
        "Queue deliveries handled, by queue, event type and outcome (ok, retried, deferred, dead_lettered)"
    );
    describe_counter!(
        MESSAGE_RETRIES_TOTAL,
        "Queue deliveries sent to the retry queue after a transient failure"
    );
    describe_histogram!(
        MESSAGE_DURATION,
        Unit::Seconds,
        "Time from a delivery to its settlement (ack, retry, defer or dead-letter)"
    );
    describe_counter!(
        DLQ_ARRIVALS_TOTAL,
        "Messages dead-lettered, by the queue they left and the reason (permanent, retries_exhausted, deferred_too_long, invalid_message)"
    );
    describe_gauge!(
        QUEUE_DEPTH,
        "Messages ready in each queue (work, retry, defer and dead-letter), read from RabbitMQ"
    );
    describe_gauge!(
        DLQ_DEPTH,
        "Messages in the dead-letter queue, as the DLQ tools last read it"
    );
    describe_gauge!(OUTBOX_BACKLOG, "Outbox rows not yet published to RabbitMQ");
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest outbox row not yet published (0 when none)"
    );
    describe_counter!(
        OUTBOX_ENQUEUED_TOTAL,
        "Outbox rows written by committed PMS changes, by event type"
    );
    describe_counter!(
        PUSHES_TOTAL,
        "Pushes to QloApps by config, kind (reservation, availability, rates) and outcome (ok, retry, deferred, failed)"
    );
    describe_histogram!(
        PUSH_DURATION,
        Unit::Seconds,
        "Duration of one push to QloApps, its calls, retries and rate-limit waits included"
    );
    describe_counter!(
        PUSH_REFUSED_TOTAL,
        "Pushes QloApps refused for a business reason: the reservation is out of sync"
    );
    describe_counter!(
        OUTBOUND_RUNS_TOTAL,
        "Rate and availability sync runs by sync type and status"
    );
    describe_histogram!(
        OUTBOUND_RUN_DURATION,
        Unit::Seconds,
        "Duration of one rate or availability sync run"
    );
    describe_counter!(
        OUTBOUND_ITEMS_TOTAL,
        "Rate and availability items written to QloApps, by operation and outcome"
    );
    describe_counter!(
        PULLS_TOTAL,
        "Pulls from QloApps by config, trigger (scheduled, requested, booking) and outcome (ok, failed, busy, not_syncing)"
    );
    describe_counter!(
        PULL_FAILED_ORDERS_TOTAL,
        "QloApps orders a pull could not apply (each is kept as a pull failure and retried)"
    );
    describe_counter!(PULL_RUNS_TOTAL, "Pull runs by sync type and status");
    describe_histogram!(
        PULL_DURATION,
        Unit::Seconds,
        "Duration of one pull run, by sync type"
    );
    describe_counter!(
        PULL_BOOKINGS_TOTAL,
        "QloApps orders read by pulls, by outcome (created, updated, skipped, failed)"
    );
    describe_gauge!(
        PULL_FAILURES,
        "Open pull failures per config: QloApps orders not applied yet"
    );
    describe_gauge!(
        BUILD_INFO,
        "Version and git commit of this build (always 1)"
    );
    describe_gauge!(
        READY,
        "1 while the process is ready (what /ready answers 200 for), else 0"
    );
}

/// Sets `qlosync_build_info{version,commit}` to 1.
pub fn set_build_info(version: &'static str, commit: &'static str) {
    metrics::gauge!(BUILD_INFO, "version" => version, "commit" => commit).set(1.0);
}

/// Counts and times one push (`kind`: reservation, availability or rates).
pub fn record_push(
    config_id: uuid::Uuid,
    kind: &'static str,
    outcome: &'static str,
    elapsed: std::time::Duration,
) {
    let config_id = config_id.to_string();
    metrics::counter!(PUSHES_TOTAL, "config_id" => config_id.clone(), "kind" => kind, "outcome" => outcome)
        .increment(1);
    metrics::histogram!(PUSH_DURATION, "config_id" => config_id, "kind" => kind)
        .record(elapsed.as_secs_f64());
}

/// Counts one pull (`trigger`: scheduled, requested or booking; `outcome`: ok, failed, busy or
/// not_syncing) and the orders it could not apply.
pub fn record_pull(
    config_id: impl std::fmt::Display,
    trigger: &'static str,
    outcome: &'static str,
    failed_orders: u32,
) {
    let config_id = config_id.to_string();
    metrics::counter!(PULLS_TOTAL, "config_id" => config_id.clone(), "trigger" => trigger, "outcome" => outcome)
        .increment(1);
    // incremented by 0 too, so the series exists before the first failed order
    metrics::counter!(PULL_FAILED_ORDERS_TOTAL, "config_id" => config_id)
        .increment(u64::from(failed_orders));
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_duration_renders_as_a_histogram_with_help() {
        let recorder = super::builder().expect("buckets").build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            super::describe();
            metrics::histogram!(super::PUSH_DURATION, "config_id" => "c", "kind" => "reservation")
                .record(0.3);
            metrics::histogram!("qlosync_something_else_seconds").record(1.0);
        });
        let text = handle.render();
        assert!(
            text.contains("# TYPE qlosync_push_duration_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains("qlosync_push_duration_seconds_bucket{"),
            "{text}"
        );
        assert!(
            text.contains("# HELP qlosync_push_duration_seconds "),
            "{text}"
        );
        assert!(
            text.contains("# TYPE qlosync_something_else_seconds histogram"),
            "{text}"
        );
    }
}
