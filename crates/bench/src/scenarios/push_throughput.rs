//! Reservations created through the api until they exist as orders in qlo-sim, per second,
//! versus the raw RabbitMQ round trip (publish with confirm + consume + ack, same size).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use futures::StreamExt as _;

use super::push_common::PushRig;
use crate::broker::RawLoop;
use crate::report::{progress, Figure, Goal};
use crate::stack::{rabbitmq_url, sim_pushed_orders};
use crate::Opts;

const NAME: &str = "push-throughput";
/// Concurrent api clients creating reservations.
const CLIENTS: usize = 16;

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let count = if opts.smoke { 40 } else { 3000 };
    progress(NAME, format!("starting a stack; {count} reservations"));
    let rig = Arc::new(PushRig::start(1).await?);
    // warm-up: connections, prepared statements, the client cache
    let warm = rig.demo.reserve(&rig.stack, 0).await?;
    crate::stack::wait_for_order(&rig.sim, &warm, Duration::from_secs(30)).await?;
    let commits_before = commits(&rig, opts).await?;
    rig.sim.clear_request_log();
    let started = Instant::now();
    let results: Vec<anyhow::Result<String>> = futures::stream::iter(1..=count)
        .map(|k| {
            let rig = rig.clone();
            async move { rig.demo.reserve(&rig.stack, k).await }
        })
        .buffer_unordered(CLIENTS)
        .collect()
        .await;
    for r in results {
        r?;
    }
    let written = started.elapsed();
    progress(
        NAME,
        format!(
            "{count} reservations written in {:.1}s; waiting for the orders",
            written.as_secs_f64()
        ),
    );
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut last_report = Instant::now();
    loop {
        let done = sim_pushed_orders(&rig.sim).saturating_sub(1);
        if done >= count {
            break;
        }
        if Instant::now() > deadline {
            bail!("only {done} of {count} orders reached the simulator in time");
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            progress(NAME, format!("{done}/{count} orders in the simulator"));
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    let per_push = |n: f64| n / count as f64;
    let qlo_calls = per_push(rig.sim.request_log_handle().total() as f64);
    let db_commits = per_push((commits(&rig, opts).await? - commits_before) as f64);
    let size = rig.message_size().await?;
    let rig = Arc::into_inner(rig).ok_or_else(|| anyhow::anyhow!("rig still shared"))?;
    rig.stop().await?;

    progress(
        NAME,
        format!("reference: raw round trips of {size}-byte messages"),
    );
    let mut raw = RawLoop::open(&rabbitmq_url(), 16).await?;
    raw.throughput(count.min(500), size, 64).await?; // warm-up
    let reference = raw.throughput(count, size, 64).await?;
    raw.close().await?;
    Ok(vec![
        Figure::new(NAME, "reservations to orders", rate, "/s").against(
            reference,
            "msg/s",
            Goal::AtLeast(0.5),
        ),
        Figure::new(NAME, "QloApps calls per reservation", qlo_calls, "calls"),
        Figure::new(
            NAME,
            "PostgreSQL commits per reservation",
            db_commits,
            "commits",
        ),
    ])
}

/// Transactions committed in the bench database so far (every process's). Backends report
/// their counts to `pg_stat_database` once idle for up to 10 s (PostgreSQL 15+), so a full run
/// waits that long first; a smoke run's figure is only indicative.
async fn commits(rig: &PushRig, opts: &Opts) -> anyhow::Result<i64> {
    if !opts.smoke {
        tokio::time::sleep(Duration::from_secs(11)).await;
    }
    Ok(sqlx::query_scalar(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&rig.stack.db.pool)
    .await?)
}
