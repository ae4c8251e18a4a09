//! `outbound-worker`: consumes `qloapps.outbound` and pushes each change to QloApps.

use anyhow::Context;
use outbound_worker::{OutboundWorker, WorkerConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = WorkerConfig::from_env().context("reading the outbound-worker configuration")?;
    sync_core::telemetry::init(&config.common.log);
    let worker = OutboundWorker::build(config)
        .await
        .context("starting the outbound worker")?;
    worker
        .run_until_stopped(sync_core::shutdown::on_signal())
        .await
}
