//! The periodic rates and availability reconciliation (docs/rates-and-availability.md): every
//! enabled config once per `QLOSYNC_RECONCILE_INTERVAL_MS` (default daily), over
//! `QLOSYNC_RECONCILE_HORIZON_DAYS` nights from today (default 365), fixed unless
//! `QLOSYNC_RECONCILE_FIX=false`. The job lives in `sync_core::reconcile`, shared with the
//! api's `POST /qloapps/configs/{id}/reconcile`; this is its place in the scheduler.

use sync_core::config::{process_env, ConfigError};
pub use sync_core::reconcile::{ConfigRun, ReconcileContext, ReconcileSettings};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The `QLOSYNC_RECONCILE_*` settings from the process environment.
pub fn settings_from_env() -> Result<ReconcileSettings, ConfigError> {
    ReconcileSettings::from_env(&process_env)
}

/// Reconciles every due config once (what the loop does each minute; tests call it).
pub async fn run_once(ctx: &ReconcileContext) -> Result<Vec<ConfigRun>, sqlx::Error> {
    sync_core::reconcile::run_once(ctx).await
}

/// Runs the job beside the pulls until `shutdown` is cancelled. It has its own locks (per
/// room type), so it never blocks a pull, and a pull never blocks it.
pub fn spawn(ctx: ReconcileContext, shutdown: CancellationToken) -> JoinHandle<()> {
    tracing::info!(
        interval_ms = ctx.settings.interval.as_millis(),
        horizon_days = ctx.settings.horizon_days,
        fix = ctx.settings.fix,
        "reconciliation job running"
    );
    tokio::spawn(sync_core::reconcile::run_scheduled(ctx, shutdown))
}
