//! What operators watch: health, readiness and Prometheus series on the api and the workers,
//! with values that follow the traffic.

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, Stack};
use sqlx::PgPool;

/// The value of the first series whose line starts with `name{` and contains every label.
fn series(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn health_ready_and_metrics_follow_a_push(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let worker = stack.start_worker(false).await;
    let ops = stack.worker(worker).ops_url.clone();
    // a worker is ready once it consumes (its /ready follows the broker link)
    eventually("the worker ready", Duration::from_secs(30), || async {
        let response = stack.http.get(format!("{ops}/ready")).send().await.ok()?;
        (response.status() == 200).then_some(())
    })
    .await;
    for url in [
        format!("{ops}/health"),
        format!("{ops}/ready"),
        format!("{}/ready", stack.api_url),
    ] {
        let response = stack.http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
    }
    let demo = stack.demo().await;
    let id = demo
        .reserve(&stack, 0, "2027-09-01", "2027-09-03", "180.00")
        .await;
    eventually("the push", Duration::from_secs(20), || async {
        stack.mapped_order(&id).await
    })
    .await;

    let metrics = stack
        .http
        .get(format!("{ops}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ok = series(
        &metrics,
        "qlosync_messages_total",
        &["event_type=\"reservation.create\"", "outcome=\"ok\""],
    );
    assert!(
        ok.is_some_and(|v| v >= 1.0),
        "messages by queue, type and outcome:\n{metrics}"
    );
    let posts = series(
        &metrics,
        "qlosync_qloapps_requests_total",
        &["resource=\"bookings\"", "method=\"POST\""],
    );
    assert!(
        posts.is_some_and(|v| v >= 1.0),
        "QloApps calls by resource, method and status"
    );
    assert!(
        metrics.contains("qlosync_qloapps_request_duration_seconds"),
        "latency histograms"
    );
    assert!(
        metrics.contains("qlosync_outbox_backlog"),
        "outbox backlog gauge"
    );
    let dlq = format!(
        "queue=\"{}qloapps.dlq\"",
        stack.env.get("QLOSYNC_QUEUE_PREFIX")
    );
    let metrics = eventually("queue depth gauges", Duration::from_secs(10), || async {
        let url = format!("{ops}/metrics");
        let text = stack.http.get(url).send().await.ok()?.text().await.ok()?;
        series(&text, "qlosync_queue_depth", &[&dlq]).map(|_| text)
    })
    .await;
    assert!(metrics.contains("qloapps.outbound\""), "work queues too");

    let api_metrics = stack
        .http
        .get(format!("{}/metrics", stack.api_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let created = series(
        &api_metrics,
        "qlosync_http_requests_total",
        &["method=\"POST\"", "status=\"201\""],
    );
    assert!(
        created.is_some_and(|v| v >= 1.0),
        "api requests by route and status"
    );
    stack.stop().await;
}
