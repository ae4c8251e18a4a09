//! `qlosync-bench`: runs one benchmark scenario (or `all`) and prints each figure beside a
//! reference measured in the same run, the ratio and the goal (docs/benchmarks.md).

mod broker;
mod child;
mod db;
mod report;
mod scenarios;
mod stack;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(about = "qlosync benchmarks: figures beside same-run references")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
    /// Tiny sizes, for CI: checks every scenario still runs (goals are not judged).
    #[arg(long, global = true)]
    smoke: bool,
    /// Also print the figures as a markdown table (for docs/benchmarks.md).
    #[arg(long, global = true)]
    markdown: bool,
}

#[derive(Debug, Clone, Subcommand)]
enum Scenario {
    /// Every scenario, one after the other.
    All,
    PushThroughput,
    PushLatency,
    Pull,
    CallBudget,
    Isolation,
    ClientOverhead,
    Api,
    /// (internal) a seeded simulator for the pull scenario.
    #[command(hide = true)]
    SimChild {
        #[arg(long)]
        seed: u32,
    },
    /// (internal) one pull, measured in its own process.
    #[command(hide = true)]
    PullChild {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        config_id: uuid::Uuid,
    },
}

/// What every scenario reads.
pub struct Opts {
    pub smoke: bool,
}

const ALL: [Scenario; 7] = [
    Scenario::PushThroughput,
    Scenario::PushLatency,
    Scenario::Pull,
    Scenario::CallBudget,
    Scenario::Isolation,
    Scenario::ClientOverhead,
    Scenario::Api,
];

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let opts = Opts { smoke: cli.smoke };
    let scenarios = match cli.scenario {
        Scenario::SimChild { seed } => {
            return child::serve_sim(seed).await.map(|()| ExitCode::SUCCESS)
        }
        Scenario::PullChild {
            database_url,
            config_id,
        } => {
            return child::run_pull(&database_url, config_id)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Scenario::All => ALL.to_vec(),
        one => vec![one],
    };
    let mut figures = Vec::new();
    let mut failed = Vec::new();
    for scenario in scenarios {
        let name = scenario.name();
        let started = std::time::Instant::now();
        match run(&scenario, &opts).await {
            Ok(found) => {
                for figure in &found {
                    println!("{}", figure.line());
                }
                report::progress(
                    &name,
                    format!("done in {:.1}s", started.elapsed().as_secs_f64()),
                );
                figures.extend(found);
            }
            Err(e) => {
                eprintln!("[{name}] FAILED: {e:#}");
                failed.push(name);
            }
        }
    }
    if cli.markdown {
        println!("\n{}", report::markdown(&figures));
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("scenarios that failed to run: {}", failed.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

impl Scenario {
    fn name(&self) -> String {
        let debug = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}

async fn run(scenario: &Scenario, opts: &Opts) -> anyhow::Result<Vec<report::Figure>> {
    match scenario {
        Scenario::PushThroughput => scenarios::push_throughput::run(opts).await,
        Scenario::PushLatency => scenarios::push_latency::run(opts).await,
        Scenario::Pull => scenarios::pull::run(opts).await,
        Scenario::CallBudget => scenarios::call_budget::run(opts).await,
        Scenario::Isolation => scenarios::isolation::run(opts).await,
        Scenario::ClientOverhead => scenarios::client_overhead::run(opts).await,
        Scenario::Api => scenarios::api::run(opts).await,
        Scenario::All | Scenario::SimChild { .. } | Scenario::PullChild { .. } => {
            anyhow::bail!("not a scenario")
        }
    }
}
