//! `qlo-sim`: serve the QloApps simulator until Ctrl-C.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use qlo_sim::{Fault, KeyConfig, SeedSpec, SimConfig, SimServer};

/// A stateful QloApps 1.6.1 webservice simulator with fault injection (admin API under /__sim/).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "QLO_SIM_LISTEN", default_value = "127.0.0.1:8089")]
    listen: SocketAddr,
    /// The webservice key (32 characters).
    #[arg(long, env = "QLO_SIM_KEY", default_value = qlo_sim::DEMO_API_KEY)]
    key: String,
    /// Restrict the key to these resources (comma-separated).
    #[arg(long, value_delimiter = ',')]
    key_resources: Option<Vec<String>>,
    /// PS_TIMEZONE (IANA name).
    #[arg(long, env = "QLO_SIM_TIMEZONE", default_value = "UTC")]
    timezone: String,
    /// Number of demo hotels (4 room types x 5 rooms each).
    #[arg(long, default_value_t = 1)]
    hotels: u32,
    /// Stock 1.6.1 on PHP 8: booking POST/PUT write then 500, GET bookings/{id} 500s.
    #[arg(long)]
    stock_php8: bool,
    /// Latency added to every webservice request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Seed this many bookings at start.
    #[arg(long, default_value_t = 0)]
    seed_bookings: u32,
    /// Render translated fields as plain strings without `language=` (single-language shop).
    #[arg(long)]
    single_language: bool,
    /// A fault to inject at start, as the admin API's JSON, e.g.
    /// '{"kind":"rate_limited","retry_after_secs":5,"match":{"resource":"orders"},"times":{"times":3}}'.
    /// Repeatable.
    #[arg(long = "fault")]
    faults: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = SimConfig {
        listen: cli.listen,
        api_key: cli.key,
        api_key_resources: cli.key_resources,
        extra_keys: Vec::<KeyConfig>::new(),
        timezone: cli.timezone,
        hotels: cli.hotels,
        stock_php8: cli.stock_php8,
        latency: Duration::from_millis(cli.latency_ms),
        single_language: cli.single_language,
        ..SimConfig::default()
    };
    let faults = cli
        .faults
        .iter()
        .map(|f| serde_json::from_str::<Fault>(f).with_context(|| format!("parsing --fault {f}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sim = SimServer::start(config).await.context("starting qlo-sim")?;
    for fault in faults {
        sim.faults().add(fault);
    }
    if cli.seed_bookings > 0 {
        let report = sim.state().write(|shop| {
            shop.seed_bookings(&SeedSpec {
                count: cli.seed_bookings,
                ..SeedSpec::default()
            })
        });
        tracing::info!(created = report.created, "seeded bookings");
    }
    println!("qlo-sim: api {} key {}", sim.api_url(), sim.api_key());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sim.shutdown().await;
    Ok(())
}
