//! Many QloApps configs, each with its own simulator, pushed to by one outbound worker: the
//! p99 push latency of the healthy ones with one QloApps down (hanging until the client's
//! timeout) versus the same run with all healthy. The down hotel is a busy one: it gets a tenth
//! of the reservations, so its failures keep reaching the worker.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use qlo_sim::{Fault, SimConfig, SimServer};

use crate::db::BenchDb;
use crate::report::{percentile, progress, Figure, Goal};
use crate::stack::{wait_for_order, Demo, Stack};
use crate::Opts;

const NAME: &str = "isolation";
/// Reservations per second during a phase.
const RATE: u64 = 50;

struct Hotel {
    sim: SimServer,
    demo: Demo,
}

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let (configs, per_phase) = if opts.smoke { (5, 40) } else { (200, 1000) };
    progress(
        NAME,
        format!("{configs} configs, each with its own simulator"),
    );
    let mut stack = Stack::start(BenchDb::create(8).await?, &[]).await?;
    stack.start_worker().await?;
    let stack = Arc::new(stack);
    let hotels: Vec<anyhow::Result<Hotel>> = futures::stream::iter(0..configs)
        .map(|_| {
            let stack = stack.clone();
            async move {
                let sim = SimServer::start(SimConfig::default()).await?;
                let demo = Demo::create(&stack, &sim.api_url(), sim.api_key()).await?;
                anyhow::Ok(Hotel { sim, demo })
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let hotels: Arc<Vec<Hotel>> = Arc::new(hotels.into_iter().collect::<Result<_, _>>()?);

    progress(
        NAME,
        format!("all healthy: {per_phase} reservations at {RATE}/s"),
    );
    let healthy = phase(&stack, &hotels, 0, per_phase).await?;
    hotels[0]
        .sim
        .faults()
        .add(Fault::timeout(Duration::from_secs(30)).always());
    progress(
        NAME,
        format!("hotel 0 down: {per_phase} reservations at {RATE}/s"),
    );
    let degraded = phase(&stack, &hotels, per_phase, per_phase).await?;

    let hotels = Arc::into_inner(hotels).unwrap_or_default();
    for hotel in hotels {
        hotel.sim.shutdown().await;
    }
    let stack = Arc::into_inner(stack).ok_or_else(|| anyhow::anyhow!("stack still shared"))?;
    stack.stop().await?;
    Ok(vec![
        Figure::new(
            NAME,
            "p99 healthy, one down",
            percentile(&degraded, 99.0),
            "ms",
        )
        .against(percentile(&healthy, 99.0), "ms", Goal::AtMost(1.5)),
        Figure::new(
            NAME,
            "p50 healthy, one down",
            percentile(&degraded, 50.0),
            "ms",
        )
        .against(percentile(&healthy, 50.0), "ms", Goal::None),
    ])
}

/// Sends `count` reservations (numbered from `first`) at `RATE` per second, a tenth to hotel 0
/// and the rest spread over the others; returns the healthy hotels' api-to-order latencies (ms).
async fn phase(
    stack: &Arc<Stack>,
    hotels: &Arc<Vec<Hotel>>,
    first: usize,
    count: usize,
) -> anyhow::Result<Vec<f64>> {
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    let mut tasks = Vec::with_capacity(count);
    for k in first..first + count {
        tick.tick().await;
        let target = if k % 10 == 0 || hotels.len() == 1 {
            0
        } else {
            1 + k % (hotels.len() - 1)
        };
        let (stack, hotels) = (stack.clone(), hotels.clone());
        tasks.push(tokio::spawn(async move {
            let hotel = &hotels[target];
            let started = Instant::now();
            let id = hotel.demo.reserve(&stack, k).await?;
            if target == 0 {
                return anyhow::Ok(None);
            }
            wait_for_order(&hotel.sim, &id, Duration::from_secs(120)).await?;
            Ok(Some(started.elapsed().as_secs_f64() * 1000.0))
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        if let Some(ms) = task.await?? {
            latencies.push(ms);
        }
    }
    Ok(latencies)
}
