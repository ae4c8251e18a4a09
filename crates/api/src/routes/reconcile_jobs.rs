//! `GET /api/v1/qloapps/configs/{configId}/reconcile/jobs/{jobId}`: a background
//! reconciliation (queued by `POST .../reconcile` or by switching the channel manager back
//! on): its status, progress and, once it succeeded, its report. Jobs live in PostgreSQL, so
//! any api process answers; one whose process died is reported failed
//! (`sync_core::reconcile::jobs`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sync_core::db::qloapps_config;
use sync_core::db::qloapps_reconcile_jobs::{self as jobs, JobStatus, ReconcileJob};
use sync_core::domain::ConfigId;
use sync_core::domain::PropertyId;
use sync_core::reconcile::bookings::BookingScope;
use sync_core::reconcile::jobs::{self as reconcile_jobs, JobKind};
use sync_core::reconcile::{ReconcileReport, ReconcileRequest};
use utoipa::ToSchema;
use uuid::Uuid;

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/qloapps/configs/{configId}/reconcile/jobs/{jobId}",
        get(get_job),
    )
}

/// Where a job is polled.
pub fn job_location(config_id: ConfigId, job_id: Uuid) -> String {
    format!("/api/v1/qloapps/configs/{config_id}/reconcile/jobs/{job_id}")
}

/// A queued job (the 202 answer).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileJobAccepted {
    pub job_id: Uuid,
    pub status: JobStatus,
    /// the job's URL, also in the `Location` header
    pub location: String,
}

impl ReconcileJobAccepted {
    pub fn of(job: &ReconcileJob) -> Self {
        ReconcileJobAccepted {
            job_id: job.id,
            status: job.status,
            location: job_location(job.config_id, job.id),
        }
    }
}

/// Why a job was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobKindView {
    /// `POST .../reconcile`
    Request,
    /// the channel manager was switched back on: the bookings changed while it was off
    SwitchOn,
}

/// Steps done of the steps known so far (room types, bookings read, fixes); the total grows
/// while the job learns what there is to do.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    pub done: u32,
    pub total: u32,
}

/// A background reconciliation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileJobView {
    pub id: Uuid,
    pub config_id: ConfigId,
    pub kind: JobKindView,
    pub dry_run: bool,
    /// queued, running, succeeded or failed (also when the process running it died)
    pub status: JobStatus,
    pub progress: JobProgress,
    /// the report, once succeeded
    #[schema(value_type = Option<ReconcileReport>)]
    pub report: Option<serde_json::Value>,
    /// why it failed
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    /// the last sign of life of the process running it
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<ReconcileJob> for ReconcileJobView {
    fn from(j: ReconcileJob) -> Self {
        ReconcileJobView {
            id: j.id,
            config_id: j.config_id,
            kind: if j.kind == "switch_on" {
                JobKindView::SwitchOn
            } else {
                JobKindView::Request
            },
            dry_run: j.dry_run,
            status: j.status,
            progress: JobProgress {
                done: u32::try_from(j.progress_done).unwrap_or(0),
                total: u32::try_from(j.progress_total).unwrap_or(0),
            },
            report: j.report,
            error: j.error,
            created_at: j.created_at,
            started_at: j.started_at,
            heartbeat_at: j.heartbeat_at,
            finished_at: j.finished_at,
        }
    }
}

/// A reconciliation queued by a switch back on.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatchUpJob {
    pub config_id: ConfigId,
    pub job_id: uuid::Uuid,
    /// where to poll it
    pub location: String,
}

/// Queues the switch-on reconciliation of every syncing config of the property.
pub async fn catch_up_reconcile(
    state: &AppState,
    property_id: PropertyId,
) -> Result<Vec<CatchUpJob>, ApiError> {
    let clients = state.clients.clone();
    let today = Utc::now().date_naive();
    let window = sync_core::reconcile::schedule::bookings_window(today, 7, 500);
    let (from, to) = match window {
        BookingScope::Window { from, to } | BookingScope::ChangedSinceLastSync { from, to } => {
            (from, to)
        }
    };
    let mut queued = Vec::new();
    for config in qloapps_config::list_configs(&state.pool, Some(property_id)).await? {
        if !config.sync_enabled {
            continue;
        }
        let request = ReconcileRequest {
            from,
            to,
            dry_run: false,
            inventory: false,
            bookings: Some(BookingScope::ChangedSinceLastSync { from, to }),
        };
        let job = reconcile_jobs::start(
            &state.pool,
            clients.clone(),
            config.id,
            JobKind::SwitchOn,
            request,
        )
        .await?;
        queued.push(CatchUpJob {
            config_id: config.id,
            job_id: job.id,
            location: job_location(config.id, job.id),
        });
    }
    Ok(queued)
}

/// A background reconciliation of the config: status, progress, and the report once it
/// succeeded. 404 when the config or the job (of this config) does not exist.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/reconcile/jobs/{jobId}", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), ("jobId" = uuid::Uuid, Path, description = "from the 202 of POST .../reconcile or catchUpReconcileJobs of a switch")),
    responses((status = 200, body = ReconcileJobView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_job(
    State(state): State<AppState>,
    ApiPath((config_id, job_id)): ApiPath<(ConfigId, Uuid)>,
) -> Result<Json<ReconcileJobView>, ApiError> {
    require_config(&state.pool, config_id).await?;
    let job = jobs::get_job(&state.pool, config_id, job_id)
        .await?
        .ok_or_else(|| ApiError::not_found("reconciliation job", job_id))?;
    Ok(Json(job.into()))
}
