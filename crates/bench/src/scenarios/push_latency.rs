//! At low load (one reservation at a time), api write to order in the simulator: p50 / p99,
//! versus one raw RabbitMQ round trip (publish with confirm + deliver + ack).

use std::time::{Duration, Instant};

use super::push_common::PushRig;
use crate::broker::RawLoop;
use crate::report::{percentile, progress, Figure, Goal};
use crate::stack::{rabbitmq_url, wait_for_order};
use crate::Opts;

const NAME: &str = "push-latency";

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let count = if opts.smoke { 10 } else { 300 };
    progress(
        NAME,
        format!("starting a stack; {count} reservations one at a time"),
    );
    let rig = PushRig::start(1).await?;
    let warm = rig.demo.reserve(&rig.stack, 0).await?;
    wait_for_order(&rig.sim, &warm, Duration::from_secs(30)).await?;
    let mut samples = Vec::with_capacity(count);
    for k in 1..=count {
        let started = Instant::now();
        let id = rig.demo.reserve(&rig.stack, k).await?;
        wait_for_order(&rig.sim, &id, Duration::from_secs(30)).await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        if k % 100 == 0 {
            progress(NAME, format!("{k}/{count}"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let size = rig.message_size().await?;
    rig.stop().await?;

    progress(
        NAME,
        format!("reference: {count} raw round trips of {size} bytes"),
    );
    let mut raw = RawLoop::open(&rabbitmq_url(), 16).await?;
    let mut reference = Vec::with_capacity(count);
    for _ in 0..count {
        reference.push(raw.round_trip(size).await?.as_secs_f64() * 1000.0);
    }
    raw.close().await?;
    let (p50, p99) = (percentile(&samples, 50.0), percentile(&samples, 99.0));
    let (r50, r99) = (percentile(&reference, 50.0), percentile(&reference, 99.0));
    Ok(vec![
        Figure::new(NAME, "p50 api write to order", p50, "ms").against(
            r50,
            "ms",
            Goal::AtMost(3.0),
        ),
        Figure::new(NAME, "p99 api write to order", p99, "ms").against(r99, "ms", Goal::None),
    ])
}
