//! Orders a pull could not apply, kept until a pull applies them (docs/pull-failures.md): the
//! list an operator checks, and the discard that gives up on one, with a reason.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sync_core::db::qloapps_pull_failures as db;
use sync_core::domain::{ConfigId, PullFailure, QloOrderId};
use utoipa::{IntoParams, ToSchema};

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/qloapps/configs/{configId}/pull-failures",
            get(list_pull_failures),
        )
        .route(
            "/qloapps/configs/{configId}/pull-failures/{orderId}/discard",
            post(discard_pull_failure),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PullFailureQuery {
    /// also list the ones an operator discarded (default false)
    pub include_discarded: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiscardPullFailure {
    /// why the order is given up on (1-500 characters), kept with it
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// QloApps orders a pull could not apply, oldest first. Each is retried by every later
/// incremental pull (with back-off, at once after a room-type mapping change) until it applies.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/pull-failures", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), PullFailureQuery),
    responses((status = 200, body = Vec<PullFailure>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_pull_failures(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiQuery(query): ApiQuery<PullFailureQuery>,
) -> Result<Json<Vec<PullFailure>>, ApiError> {
    require_config(&state.pool, config_id).await?;
    let all = query.include_discarded.unwrap_or(false);
    Ok(Json(db::list_failures(&state.pool, config_id, all).await?))
}

/// Gives up on a failed order: it is no longer retried (unless a later pull reads it again and
/// it fails again). The row stays, with the reason, for the record.
#[utoipa::path(post, path = "/api/v1/qloapps/configs/{configId}/pull-failures/{orderId}/discard", tag = "qloapps",
    request_body = DiscardPullFailure,
    params(("configId" = uuid::Uuid, Path), ("orderId" = i64, Path, description = "QloApps order id")),
    responses((status = 200, body = PullFailure), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn discard_pull_failure(
    State(state): State<AppState>,
    ApiPath((config_id, order_id)): ApiPath<(ConfigId, u64)>,
    ApiJson(body): ApiJson<DiscardPullFailure>,
) -> Result<Json<PullFailure>, ApiError> {
    let mut p = Problems::new();
    let reason = p.text("reason", &body.reason, 500);
    p.finish()?;
    require_config(&state.pool, config_id).await?;
    let failure = db::discard_failure(&state.pool, config_id, QloOrderId(order_id), &reason)
        .await?
        .ok_or_else(|| ApiError::not_found("pull failure", order_id))?;
    tracing::warn!(%config_id, order_id, reason, "failed QloApps order discarded by an operator");
    Ok(Json(failure))
}
