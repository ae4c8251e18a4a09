//! Child processes of the bench binary itself (hidden subcommands), so the pull scenario
//! measures the pulling side's memory alone: `sim-child` serves a seeded simulator, and
//! `pull-child` runs one full pull and reports its time and peak RSS.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use qlo_sim::{SeedSpec, SimConfig, SimServer};
use serde::{Deserialize, Serialize};
use sync_core::crypto::KeyRing;
use sync_core::domain::ConfigId;
use sync_core::pull::{PullKind, PullService, PullSettings};
use sync_core::qlo_clients::{ClientSettings, QloClients};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// `sim-child`: a simulator with `seed` bookings; prints `READY <api url> <key>`, serves until
/// its stdin closes (the parent exited or is done with it).
pub async fn serve_sim(seed: u32) -> anyhow::Result<()> {
    let sim = SimServer::start(SimConfig::default()).await?;
    sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: seed,
            ..SeedSpec::default()
        })
    });
    println!("READY {} {}", sim.api_url(), sim.api_key());
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    sim.shutdown().await;
    Ok(())
}

/// A running `sim-child`; killed when dropped.
pub struct SimChild {
    _child: Child,
    pub api_url: String,
    pub key: String,
}

impl SimChild {
    pub async fn spawn(seed: u32) -> anyhow::Result<SimChild> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["sim-child", "--seed", &seed.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting the simulator child")?;
        let stdout = child.stdout.take().context("child stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        while let Some(line) = lines.next_line().await? {
            let mut parts = line.split_whitespace();
            if parts.next() == Some("READY") {
                let api_url = parts.next().context("api url")?.to_owned();
                let key = parts.next().context("key")?.to_owned();
                return Ok(SimChild {
                    _child: child,
                    api_url,
                    key,
                });
            }
        }
        bail!("the simulator child exited before it was ready")
    }
}

/// What `pull-child` reports.
#[derive(Debug, Serialize, Deserialize)]
pub struct PullResult {
    pub seconds: f64,
    pub created: u64,
    pub failed: u64,
    pub pages: u32,
    /// VmRSS just before the pull, VmHWM after it (kB).
    pub rss_before_kb: u64,
    pub hwm_after_kb: u64,
}

/// `pull-child`: one full pull of `config_id`, as the workers build the service (shared
/// PostgreSQL limiter and breaker, default page size); prints `RESULT <json>`.
pub async fn run_pull(database_url: &str, config_id: uuid::Uuid) -> anyhow::Result<()> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(database_url)
        .await?;
    let env = |name: &str| (name == "QLOAPPS_RATE_LIMIT").then(|| "100000000".to_owned());
    let settings = ClientSettings::from_env(&env)?;
    let keys = Arc::new(KeyRing::single(crate::stack::KEY_ID, crate::stack::KEY));
    let resilience = sync_core::shared::resilience::factory(pool.clone());
    let clients = Arc::new(QloClients::new(keys, settings, Some(resilience)));
    let service = PullService::new(pool, clients, PullSettings::default());
    let rss_before_kb = proc_status_kb("VmRSS:")?;
    let started = Instant::now();
    let report = service
        .pull(ConfigId(config_id), PullKind::Full)
        .await
        .context("the pull")?;
    let result = PullResult {
        seconds: started.elapsed().as_secs_f64(),
        created: u64::from(report.counts.created),
        failed: u64::from(report.counts.failed),
        pages: report.pages,
        rss_before_kb,
        hwm_after_kb: proc_status_kb("VmHWM:")?,
    };
    println!("RESULT {}", serde_json::to_string(&result)?);
    Ok(())
}

/// Runs `pull-child` and parses its result.
pub async fn pull_in_child(database_url: &str, config_id: &str) -> anyhow::Result<PullResult> {
    let output = Command::new(std::env::current_exe()?)
        .args([
            "pull-child",
            "--database-url",
            database_url,
            "--config-id",
            config_id,
        ])
        .stdin(Stdio::null())
        .output()
        .await
        .context("running the pull child")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .with_context(|| {
            format!(
                "the pull child failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    Ok(serde_json::from_str(line)?)
}

/// A `kB` line of /proc/self/status.
fn proc_status_kb(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .with_context(|| format!("{field} in /proc/self/status"))?;
    line.split_whitespace()
        .nth(1)
        .context("a number")?
        .parse()
        .context("a kB count")
}
