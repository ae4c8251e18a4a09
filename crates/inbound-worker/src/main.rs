//! `inbound-worker`: consumes `qloapps.inbound` and pulls QloApps bookings into the PMS.

use anyhow::Context;
use inbound_worker::{InboundWorker, WorkerConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = WorkerConfig::from_env().context("reading the inbound-worker configuration")?;
    sync_core::telemetry::init(&config.common.log);
    let worker = InboundWorker::build(config)
        .await
        .context("starting the inbound worker")?;
    worker
        .run_until_stopped(sync_core::shutdown::on_signal())
        .await
}
