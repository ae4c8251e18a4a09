//! What the shipped monitoring relies on, after a short real run (a push, pulls, a dead
//! letter) of the api, an outbound worker, an inbound worker and the scheduler: every metric
//! that `deploy/prometheus/alerts.yml` or `deploy/grafana/qlosync.json` names is exported on
//! their `/metrics`, every exported `qlosync_` metric has `# HELP`, durations are histograms
//! (no summaries), build info and process metrics are there, and each `/ready` reports its
//! components.
//!
//! The processes run in this test's process and share its one Prometheus recorder, so each
//! `/metrics` shows what all of them recorded; the test still scrapes every one of them.

use std::collections::BTreeSet;
use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, inbound_worker, publish_raw, scheduler, Stack};
use sqlx::PgPool;

const ALERTS: &str = include_str!("../../deploy/prometheus/alerts.yml");
const DASHBOARD: &str = include_str!("../../deploy/grafana/qlosync.json");

/// The metric names in `text`: words starting with `qlosync_` or `process_`, without the
/// `_bucket` / `_sum` / `_count` suffix of a histogram's series.
fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    for prefix in ["qlosync_", "process_"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix) {
            let start = from + at;
            let word_start = start == 0
                || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
            let end = text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |e| start + e);
            if word_start {
                let name = &text[start..end];
                let base = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|s| name.strip_suffix(s))
                    .unwrap_or(name);
                names.insert(base.to_owned());
            }
            from = end;
        }
    }
    names
}

/// `name -> type` of every `# TYPE` line.
fn exported(metrics: &str) -> Vec<(String, String)> {
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_once(' '))
        .map(|(n, t)| (n.to_owned(), t.trim().to_owned()))
        .collect()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_rules_and_the_dashboard_name_only_exported_metrics(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let worker = stack.start_worker(false).await;
    let outbound = stack.worker(worker).ops_url.clone();
    let demo = stack.demo().await;
    let inbound = inbound_worker(&stack).await;
    let scheduler = scheduler(&stack).await;
    let id = demo
        .reserve(&stack, 0, "2027-10-01", "2027-10-03", "150.00")
        .await;
    eventually("the push", Duration::from_secs(30), || async {
        stack.mapped_order(&id).await
    })
    .await;
    // a message no worker can read: dead-lettered at once (reason invalid_message)
    publish_raw(&stack.env, b"not json").await;

    let endpoints = [
        ("api", stack.api_url.clone()),
        ("outbound-worker", outbound),
        ("inbound-worker", inbound.ops_url.clone()),
        ("sync-scheduler", scheduler.ops_url.clone()),
    ];
    let mut wanted = names_in(ALERTS);
    wanted.extend(names_in(DASHBOARD));
    assert!(wanted.len() > 15, "the files name metrics: {wanted:?}");

    let http = stack.http.clone();
    let scrapes = eventually(
        "every named metric exported",
        Duration::from_secs(60),
        || async {
            let mut scrapes = Vec::new();
            for (process, url) in &endpoints {
                let text = http
                    .get(format!("{url}/metrics"))
                    .send()
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                scrapes.push((*process, text));
            }
            let types: BTreeSet<String> = scrapes
                .iter()
                .flat_map(|(_, t)| exported(t))
                .map(|(n, _)| n)
                .collect();
            let missing: Vec<&String> = wanted.iter().filter(|n| !types.contains(*n)).collect();
            if missing.is_empty() {
                Some(scrapes)
            } else {
                eprintln!("not exported yet: {missing:?}");
                None
            }
        },
    )
    .await;

    for (process, text) in &scrapes {
        let types = exported(text);
        for (name, kind) in &types {
            if name.starts_with("qlosync_") {
                assert!(
                    text.contains(&format!("# HELP {name} ")),
                    "{process}: {name} has no HELP"
                );
            }
            assert_ne!(
                kind, "summary",
                "{process}: {name} is a summary, not a histogram"
            );
        }
        assert!(
            text.contains("qlosync_build_info{") && text.contains("commit=\""),
            "{process}: build info"
        );
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
        ] {
            assert!(text.contains(&format!("\n{name} ")), "{process}: {name}");
        }
        assert!(
            !text.contains(&id),
            "{process}: a reservation id in a label"
        );
    }

    // each /ready reports its components
    for (process, url, components) in [
        (
            "api",
            stack.api_url.clone(),
            &[
                "database",
                "broker_connection",
                "broker_channel",
                "outbox_relay",
            ][..],
        ),
        (
            "outbound-worker",
            endpoints[1].1.clone(),
            &[
                "database",
                "broker_connection",
                "broker_channel",
                "consumer",
            ][..],
        ),
        (
            "inbound-worker",
            endpoints[2].1.clone(),
            &[
                "database",
                "broker_connection",
                "broker_channel",
                "consumer",
            ][..],
        ),
        (
            "sync-scheduler",
            endpoints[3].1.clone(),
            &["database", "scheduler_tick"][..],
        ),
    ] {
        let response = http.get(format!("{url}/ready")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{process} ready");
        let body: serde_json::Value = response.json().await.unwrap();
        for component in components {
            assert_eq!(body["checks"][component], "ok", "{process}: {body}");
        }
    }

    inbound.stop().await;
    scheduler.stop().await;
    stack.stop().await;
}
