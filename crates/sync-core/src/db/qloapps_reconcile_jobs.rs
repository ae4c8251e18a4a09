//! `qloapps_reconcile_jobs`: background reconciliations (see `reconcile::jobs`). The only
//! writer of the table.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::ConfigId;

const COLUMNS: &str = "id, config_id, kind, dry_run, request, status, progress_done, \
     progress_total, report, error, created_at, started_at, heartbeat_at, finished_at";

/// A job whose process wrote no heartbeat for this long has died (the runner beats every
/// few seconds).
pub const STALE_AFTER_SECS: i64 = 60;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// One job, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReconcileJob {
    pub id: Uuid,
    pub config_id: ConfigId,
    pub kind: String,
    pub dry_run: bool,
    pub request: serde_json::Value,
    pub status: JobStatus,
    pub progress_done: i32,
    pub progress_total: i32,
    pub report: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A new queued job.
pub async fn insert_job(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    kind: &str,
    dry_run: bool,
    request: &serde_json::Value,
) -> Result<ReconcileJob, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_reconcile_jobs (id, config_id, kind, dry_run, request)
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(config_id)
    .bind(kind)
    .bind(dry_run)
    .bind(request)
    .fetch_one(db)
    .await
}

/// The job of this config, after marking it failed if its process died.
pub async fn get_job(
    db: impl PgExecutor<'_> + Copy,
    config_id: ConfigId,
    id: Uuid,
) -> Result<Option<ReconcileJob>, sqlx::Error> {
    fail_stale(db, Some(id)).await?;
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_reconcile_jobs WHERE id = $1 AND config_id = $2"
    ))
    .bind(id)
    .bind(config_id)
    .fetch_optional(db)
    .await
}

/// Queued → running (only from queued: a job runs once).
pub async fn mark_running(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE qloapps_reconcile_jobs SET status = 'running', started_at = now(), heartbeat_at = now()
         WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The runner's heartbeat, with the progress made so far.
pub async fn heartbeat(
    db: impl PgExecutor<'_>,
    id: Uuid,
    done: u32,
    total: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reconcile_jobs
         SET heartbeat_at = now(), progress_done = $2, progress_total = greatest($3, $2)
         WHERE id = $1 AND status = 'running'",
    )
    .bind(id)
    .bind(i32::try_from(done).unwrap_or(i32::MAX))
    .bind(i32::try_from(total).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(())
}

/// Running → succeeded with the report (progress `done` of `done`), or failed with the error.
pub async fn finish(
    db: impl PgExecutor<'_>,
    id: Uuid,
    outcome: Result<&serde_json::Value, &str>,
    done: u32,
) -> Result<(), sqlx::Error> {
    let (status, report, error) = match outcome {
        Ok(report) => (JobStatus::Succeeded, Some(report), None),
        Err(e) => (JobStatus::Failed, None, Some(e)),
    };
    sqlx::query(
        "UPDATE qloapps_reconcile_jobs
         SET status = $2, report = $3, error = $4, finished_at = now(), heartbeat_at = now(),
             progress_done = $5,
             -- a fix may need fewer steps than first counted: a finished job is done / done
             progress_total = CASE WHEN $2 = 'succeeded' THEN $5 ELSE greatest(progress_total, $5) END
         WHERE id = $1 AND status IN ('queued', 'running')",
    )
    .bind(id)
    .bind(status)
    .bind(report)
    .bind(error)
    .bind(i32::try_from(done).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(())
}

/// Marks failed every queued or running job (or only `id`) whose heartbeat is older than
/// [`STALE_AFTER_SECS`]: the process running it died. Returns how many.
pub async fn fail_stale(db: impl PgExecutor<'_>, id: Option<Uuid>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE qloapps_reconcile_jobs
         SET status = 'failed', finished_at = now(),
             error = format('the process running this job stopped (no heartbeat for %s s); run it again', $2::bigint)
         WHERE status IN ('queued', 'running')
           AND heartbeat_at < now() - make_interval(secs => $2::double precision)
           AND ($1::uuid IS NULL OR id = $1)",
    )
    .bind(id)
    .bind(STALE_AFTER_SECS)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
