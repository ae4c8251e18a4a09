//! The periodic pull of one config (docs/architecture.md, "Pull: QloApps bookings reaching the PMS"): an incremental
//! pull (full the first time) under the config's pull lock, shared with every other scheduler
//! and inbound worker.

use sync_core::domain::ConfigId;
use sync_core::pull::{PullKind, PullReport, PullService};
use sync_core::sync_error::SyncError;
use tokio_util::sync::CancellationToken;

use crate::schedule::RunResult;

/// What the pull job needs.
#[derive(Clone)]
pub struct JobContext {
    pub pull: PullService,
}

/// How one scheduled pull ended.
#[derive(Debug)]
pub enum JobOutcome {
    Completed(PullReport),
    /// Another pull of the config (another scheduler, an inbound worker) holds the lock.
    Busy,
    /// The config stopped syncing since it was listed.
    NotSyncing(String),
    Failed(String),
}

impl JobOutcome {
    pub fn result(&self) -> RunResult {
        match self {
            JobOutcome::Completed(_) => RunResult::Succeeded,
            JobOutcome::Busy => RunResult::Busy,
            JobOutcome::NotSyncing(_) => RunResult::NotSyncing,
            JobOutcome::Failed(_) => RunResult::Failed,
        }
    }
}

/// Pulls `config_id` once; `cancel` stops it between pages (its progress is kept).
pub async fn run_once(
    ctx: &JobContext,
    config_id: ConfigId,
    cancel: &CancellationToken,
) -> JobOutcome {
    let outcome = pull(ctx, config_id, cancel).await;
    let (label, failed_orders) = match &outcome {
        JobOutcome::Completed(report) => ("ok", report.counts.failed),
        JobOutcome::Busy => ("busy", 0),
        JobOutcome::NotSyncing(_) => ("not_syncing", 0),
        JobOutcome::Failed(_) => ("failed", 0),
    };
    sync_core::metrics_catalog::record_pull(config_id, "scheduled", label, failed_orders);
    outcome
}

async fn pull(ctx: &JobContext, config_id: ConfigId, cancel: &CancellationToken) -> JobOutcome {
    match ctx
        .pull
        .pull_until(config_id, PullKind::Incremental, cancel)
        .await
    {
        Ok(report) => JobOutcome::Completed(report),
        Err(SyncError::PullBusy(_)) => JobOutcome::Busy,
        Err(
            e @ (SyncError::ConfigNotFound(_)
            | SyncError::SyncDisabled(_)
            | SyncError::ChannelManagerOff(_)),
        ) => JobOutcome::NotSyncing(e.to_string()),
        Err(e) => JobOutcome::Failed(e.to_string()),
    }
}
