//! `sync-scheduler`: pulls every enabled QloApps config every `QLOAPPS_SYNC_INTERVAL_MS`.

use anyhow::Context;
use sync_scheduler::{SchedulerConfig, SyncScheduler};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = SchedulerConfig::from_env().context("reading the sync-scheduler configuration")?;
    sync_core::telemetry::init(&config.log);
    let scheduler = SyncScheduler::build(config)
        .await
        .context("starting the sync scheduler")?;
    scheduler
        .run_until_stopped(sync_core::shutdown::on_signal())
        .await
}
