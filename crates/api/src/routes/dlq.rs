//! The dead-letter queue for operators (docs/dlq.md; README "Booking not synced"): list what
//! failed and why, replay once the cause is fixed, or discard. Talks to RabbitMQ directly, so it
//! needs `RABBITMQ_URL`; without it, or while the broker is down, every call is a 503.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sync_queue::dlq::{
    DeadLetterList, DeadLetterQueue, DiscardReport, DlqError, DlqPreview, ReplayReport,
    DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT,
};
use utoipa::IntoParams;

pub use super::dlq_selection::{selection, DlqSelectionBody};
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dlq", get(list_dead_letters))
        .route("/dlq/replay", post(replay_dead_letters))
        .route("/dlq/discard", post(discard_dead_letters))
        .route("/dlq/preview", post(preview_dead_letters))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DlqListQuery {
    /// 1-1000, default 100
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Why a DLQ call failed: bad input, or no broker to talk to (503).
#[derive(Debug, thiserror::Error)]
pub enum DlqRouteError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("RABBITMQ_URL is not set")]
    NotConfigured,
    #[error(transparent)]
    Dlq(#[from] DlqError),
}

impl IntoResponse for DlqRouteError {
    fn into_response(self) -> Response {
        let message = match &self {
            DlqRouteError::Api(_) => None,
            DlqRouteError::NotConfigured => {
                Some("RabbitMQ is unavailable: RABBITMQ_URL is not set for the api".to_owned())
            }
            DlqRouteError::Dlq(e @ DlqError::Missing { .. }) => Some(e.to_string()),
            DlqRouteError::Dlq(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "dead-letter queue operation failed");
                Some(match e {
                    DlqError::Interrupted { done, .. } => format!(
                        "the connection to RabbitMQ broke after {done} messages; the rest are \
                         still in the dead-letter queue, try again"
                    ),
                    _ => "RabbitMQ is unavailable, try again".to_owned(),
                })
            }
            DlqRouteError::Dlq(_) => None,
        };
        match (message, self) {
            (Some(message), _) => {
                let detail = ErrorDetail {
                    code: "unavailable".to_owned(),
                    message,
                    fields: Vec::new(),
                };
                let body = ErrorBody { error: detail };
                (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
            }
            (None, DlqRouteError::Api(e)) => e.into_response(),
            (None, other) => ApiError::Internal(anyhow::Error::new(other)).into_response(),
        }
    }
}

pub(super) fn require_dlq(state: &AppState) -> Result<Arc<DeadLetterQueue>, DlqRouteError> {
    state.dlq.clone().ok_or(DlqRouteError::NotConfigured)
}

/// The oldest `limit` dead-lettered messages with why they failed, and how many there are.
/// Messages stay in the queue, in order.
#[utoipa::path(get, path = "/api/v1/dlq", tag = "qloapps", params(DlqListQuery),
    responses((status = 200, body = DeadLetterList), (status = 422, body = ErrorBody),
        (status = 503, description = "RABBITMQ_URL not set or RabbitMQ down", body = ErrorBody)))]
pub async fn list_dead_letters(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DlqListQuery>,
) -> Result<Json<DeadLetterList>, DlqRouteError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIST_LIMIT as i64);
    let limit = usize::try_from(limit)
        .ok()
        .filter(|l| (1..=MAX_LIST_LIMIT).contains(l))
        .ok_or_else(|| ApiError::field("limit", "must be between 1 and 1000"))?;
    let dlq = require_dlq(&state)?;
    Ok(Json(dlq.list(limit).await?))
}

/// Publishes the selected messages to the queue they failed in, with fresh retry counters,
/// and removes them from the dead-letter queue once RabbitMQ confirmed the copy (at least
/// once: an interrupted replay may leave a message in both places, never in neither).
#[utoipa::path(post, path = "/api/v1/dlq/replay", tag = "qloapps", request_body = DlqSelectionBody,
    responses((status = 200, body = ReplayReport), (status = 422, body = ErrorBody),
        (status = 503, description = "RABBITMQ_URL not set or RabbitMQ down", body = ErrorBody)))]
pub async fn replay_dead_letters(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DlqSelectionBody>,
) -> Result<Json<ReplayReport>, DlqRouteError> {
    let selection = selection(body)?;
    let dlq = require_dlq(&state)?;
    let report = dlq.replay(&selection).await?;
    tracing::info!(
        ?selection,
        replayed = report.replayed,
        failed = report.failed,
        "dlq replay"
    );
    Ok(Json(report))
}

/// Removes the selected messages from the dead-letter queue for good.
#[utoipa::path(post, path = "/api/v1/dlq/discard", tag = "qloapps", request_body = DlqSelectionBody,
    responses((status = 200, body = DiscardReport), (status = 422, body = ErrorBody),
        (status = 503, description = "RABBITMQ_URL not set or RabbitMQ down", body = ErrorBody)))]
pub async fn discard_dead_letters(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DlqSelectionBody>,
) -> Result<Json<DiscardReport>, DlqRouteError> {
    let selection = selection(body)?;
    let dlq = require_dlq(&state)?;
    let report = dlq.discard(&selection).await?;
    tracing::info!(?selection, discarded = report.discarded, "dlq discard");
    Ok(Json(report))
}

/// How many messages the selection covers right now, counted over the whole dead-letter queue
/// (not only a listing's first 1000) and left in place: what a discard would remove
/// (`matching`) and a replay could publish (`replayable`). Asked before a replay or discard,
/// so the confirmation can say the number.
#[utoipa::path(post, path = "/api/v1/dlq/preview", tag = "qloapps", request_body = DlqSelectionBody,
    responses((status = 200, body = DlqPreview), (status = 422, body = ErrorBody),
        (status = 503, description = "RABBITMQ_URL not set or RabbitMQ down", body = ErrorBody)))]
pub async fn preview_dead_letters(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DlqSelectionBody>,
) -> Result<Json<DlqPreview>, DlqRouteError> {
    let selection = selection(body)?;
    let dlq = require_dlq(&state)?;
    Ok(Json(dlq.preview(&selection).await?))
}
