//! `qlo-client` calls (limiter, breaker, retry loop, typed decoding) versus bare `reqwest`
//! calls of the same URL to the same simulator (decoding the JSON into a `Value`).

use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use qlo_client::{ClientConfig, QloClient};
use qlo_sim::{SimConfig, SimServer};

use crate::report::{percentile, progress, Figure, Goal};
use crate::Opts;

const NAME: &str = "client-overhead";

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let count = if opts.smoke { 50 } else { 5000 };
    progress(NAME, format!("{count} calls each, interleaved"));
    let sim = SimServer::start(SimConfig::default()).await?;
    let mut config = ClientConfig::new(sim.api_url(), sim.api_key(), 1);
    config.rate_limit.capacity = 100_000_000;
    let client = QloClient::new(config).context("the client")?;
    // the same request `hotel_room_types()` sends
    let url = format!(
        "{}/hotel_room_types?output_format=JSON&language=1&display=full&filter%5Bid_hotel%5D=%5B1%5D",
        sim.api_url()
    );
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let (mut ours, mut theirs) = (Vec::with_capacity(count), Vec::with_capacity(count));
    for i in 0..count + count / 10 {
        let started = Instant::now();
        let types = client.hotel_room_types().await?;
        let a = started.elapsed();
        let started = Instant::now();
        let response = bare
            .get(&url)
            .basic_auth(sim.api_key(), Some(""))
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "bare call: {}",
            response.status()
        );
        let value: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
        let b = started.elapsed();
        ensure!(
            value["hotel_room_types"].as_array().map(Vec::len) == Some(types.len()),
            "the two calls read different answers"
        );
        if i >= count / 10 {
            // the first tenth warms connections and caches
            ours.push(a.as_secs_f64() * 1e6);
            theirs.push(b.as_secs_f64() * 1e6);
        }
    }
    sim.shutdown().await;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    Ok(vec![
        Figure::new(NAME, "mean call", mean(&ours), "µs").against(
            mean(&theirs),
            "µs",
            Goal::AtMost(1.2),
        ),
        Figure::new(NAME, "p50 call", percentile(&ours, 50.0), "µs").against(
            percentile(&theirs, 50.0),
            "µs",
            Goal::None,
        ),
    ])
}
