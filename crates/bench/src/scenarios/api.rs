//! Reservation create under a steady open-loop load on loopback (a request every 1/rate
//! seconds, whether or not earlier ones answered; latency counted from the intended send time,
//! so a stall is not hidden): p50 / p99 and errors, beside `GET /health` at the same load.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use tokio::time::Instant;

use super::push_common::PushRig;
use crate::report::{percentile, progress, Figure, Goal};
use crate::stack::TOKEN;
use crate::Opts;

const NAME: &str = "api";

struct Load {
    latencies_ms: Vec<f64>,
    errors: usize,
}

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let (rate, seconds) = if opts.smoke { (20, 2) } else { (200, 30) };
    progress(
        NAME,
        format!("{rate} requests/s for {seconds}s, with an outbound worker pushing"),
    );
    let rig = Arc::new(PushRig::start(1).await?);
    rig.demo.reserve(&rig.stack, 0).await?; // warm-up
    let create = load(&rig, rate, seconds, true).await?;
    progress(
        NAME,
        format!("reference: GET /health, {rate}/s for {seconds}s"),
    );
    let health = load(&rig, rate, seconds, false).await?;
    let rig = Arc::into_inner(rig).ok_or_else(|| anyhow::anyhow!("rig still shared"))?;
    rig.stop().await?;
    let p = |l: &Load, q| percentile(&l.latencies_ms, q);
    Ok(vec![
        Figure::new(
            NAME,
            format!("p50 create at {rate}/s"),
            p(&create, 50.0),
            "ms",
        )
        .against(p(&health, 50.0), "ms", Goal::None),
        Figure::new(
            NAME,
            format!("p99 create at {rate}/s"),
            p(&create, 99.0),
            "ms",
        )
        .against(p(&health, 99.0), "ms", Goal::None),
        Figure::new(NAME, "errors", create.errors as f64, "req").against(
            health.errors as f64,
            "req",
            Goal::None,
        ),
    ])
}

async fn load(rig: &Arc<PushRig>, rate: u64, seconds: u64, create: bool) -> anyhow::Result<Load> {
    let total = rate * seconds;
    let interval = Duration::from_micros(1_000_000 / rate);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due).await;
        let rig = rig.clone();
        tasks.push(tokio::spawn(async move {
            let ok = if create {
                let k = 1 + i as usize;
                let path = format!("/properties/{}/reservations", rig.demo.property_id);
                let body = rig.demo.reservation_body(k);
                matches!(
                    rig.stack.call(Method::POST, &path, Some(&body)).await,
                    Ok((201, _))
                )
            } else {
                let url = format!("{}/health", rig.stack.api_url);
                let sent = rig.stack.http.get(url).bearer_auth(TOKEN).send().await;
                matches!(sent, Ok(r) if r.status().is_success())
            };
            (due.elapsed().as_secs_f64() * 1000.0, ok)
        }));
        if i > 0 && i % (rate * 10) == 0 {
            progress(NAME, format!("{i}/{total} sent"));
        }
    }
    let mut out = Load {
        latencies_ms: Vec::with_capacity(tasks.len()),
        errors: 0,
    };
    for task in tasks {
        let (ms, ok) = task.await?;
        out.latencies_ms.push(ms);
        if !ok {
            out.errors += 1;
        }
    }
    Ok(out)
}
