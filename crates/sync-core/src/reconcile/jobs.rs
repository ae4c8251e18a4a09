//! Reconciliations run in the background: a job is a `qloapps_reconcile_jobs` row (so any api
//! process can answer for it) run by a task of the process that queued it. The task writes
//! its progress with a heartbeat every [`HEARTBEAT`]; a job whose heartbeat stopped (its
//! process died) is marked failed when it is next read and when an api starts
//! (`db::qloapps_reconcile_jobs::fail_stale`).

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use super::progress::Progress;
use super::{ReconcileRequest, ReconcileService};
use crate::db::qloapps_reconcile_jobs::{self as jobs, ReconcileJob};
use crate::domain::ConfigId;
use crate::qlo_clients::QloClients;

/// How often a running job writes its progress and heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// Why a job was queued (`qloapps_reconcile_jobs.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// `POST .../reconcile`.
    Request,
    /// The property's channel manager was switched back on.
    SwitchOn,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Request => "request",
            JobKind::SwitchOn => "switch_on",
        }
    }
}

/// Queues a job and starts running it in this process; returns the queued row.
pub async fn start(
    pool: &PgPool,
    clients: Arc<QloClients>,
    config_id: ConfigId,
    kind: JobKind,
    request: ReconcileRequest,
) -> Result<ReconcileJob, sqlx::Error> {
    let asked = serde_json::to_value(request).unwrap_or_default();
    let job = jobs::insert_job(pool, config_id, kind.as_str(), request.dry_run, &asked).await?;
    tracing::info!(%config_id, job_id = %job.id, kind = kind.as_str(), dry_run = request.dry_run, "reconciliation job queued");
    tokio::spawn(run(pool.clone(), clients, job.id, config_id, request));
    Ok(job)
}

/// Runs queued job `id` to its end: running, heartbeats with progress, then succeeded with
/// the report or failed with the error.
pub async fn run(
    pool: PgPool,
    clients: Arc<QloClients>,
    id: Uuid,
    config_id: ConfigId,
    request: ReconcileRequest,
) {
    match jobs::mark_running(&pool, id).await {
        Ok(true) => {}
        Ok(false) => return, // already run (or failed as stale)
        Err(e) => {
            tracing::warn!(job_id = %id, error = %e, "could not start the reconciliation job");
            return;
        }
    }
    let (progress, counts) = Progress::channel();
    let service = ReconcileService::new(pool.clone(), clients).with_progress(progress);
    let work = service.reconcile(config_id, request);
    tokio::pin!(work);
    let mut beat = tokio::time::interval(HEARTBEAT);
    let result = loop {
        tokio::select! {
            result = &mut work => break result,
            _ = beat.tick() => {
                let c = *counts.borrow();
                if let Err(e) = jobs::heartbeat(&pool, id, c.done, c.total).await {
                    tracing::warn!(job_id = %id, error = %e, "reconciliation job heartbeat failed");
                }
            }
        }
    };
    let done = counts.borrow().done;
    let finished = match &result {
        Ok(report) => {
            let report = serde_json::to_value(report).unwrap_or_default();
            jobs::finish(&pool, id, Ok(&report), done).await
        }
        Err(e) => jobs::finish(&pool, id, Err(&e.to_string()), done).await,
    };
    match (&result, finished) {
        (_, Err(e)) => {
            tracing::warn!(job_id = %id, error = %e, "could not record the reconciliation job's end")
        }
        (Ok(_), Ok(())) => tracing::info!(%config_id, job_id = %id, "reconciliation job succeeded"),
        (Err(e), Ok(())) => {
            tracing::warn!(%config_id, job_id = %id, error = %e, "reconciliation job failed")
        }
    }
}
