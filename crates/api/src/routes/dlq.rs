//! The dead-letter queue for operators (seed "Messages Stuck in Dead Letter Queue"): list what
//! failed and why, replay once the cause is fixed, or discard. Talks to RabbitMQ directly, so it
//! needs `RABBITMQ_URL`; without it, or while the broker is down, every call is a 503.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sync_core::dlq::{
    DeadLetterList, DeadLetterQueue, DiscardReport, DlqError, DlqFilter, ReplayReport, Selection,
    DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, REASONS,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dlq", get(list_dead_letters))
        .route("/dlq/replay", post(replay_dead_letters))
        .route("/dlq/discard", post(discard_dead_letters))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DlqListQuery {
    /// 1-1000, default 100
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Which messages to replay or discard: `messageId`, one or more filters (combined with AND),
/// or `all: true`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DlqSelectionBody {
    /// the `id` of a listed message
    #[schema(max_length = 255)]
    pub message_id: Option<String>,
    /// e.g. "reservation.create"
    #[schema(max_length = 100)]
    pub event_type: Option<String>,
    pub config_id: Option<Uuid>,
    /// permanent, retries_exhausted, invalid_message, deferred_too_long, expired, maxlen,
    /// rejected or unknown
    #[schema(
        pattern = "^(permanent|retries_exhausted|invalid_message|deferred_too_long|expired|maxlen|rejected|unknown)$"
    )]
    pub reason: Option<String>,
    /// every message in the dead-letter queue; cannot be combined with the fields above
    pub all: Option<bool>,
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
            DlqRouteError::NotConfigured => Some(
                "the dead-letter queue is unavailable: RABBITMQ_URL is not set for the api"
                    .to_owned(),
            ),
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

fn require_dlq(state: &AppState) -> Result<Arc<DeadLetterQueue>, DlqRouteError> {
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

fn selection(body: DlqSelectionBody) -> Result<Selection, ApiError> {
    let mut p = Problems::new();
    let id = p.optional_text("messageId", body.message_id.as_deref(), 255);
    let event_type = p.optional_text("eventType", body.event_type.as_deref(), 100);
    let reason = body.reason.as_deref().map(str::trim).map(str::to_owned);
    if let Some(r) = &reason {
        let known = REASONS.contains(&r.as_str());
        p.check(
            known,
            "reason",
            &format!("must be one of {}", REASONS.join(", ")),
        );
    }
    let filter = DlqFilter {
        id,
        event_type,
        config_id: body.config_id.map(|c| c.to_string()),
        reason,
    };
    let selection = match (body.all, Selection::matching(filter)) {
        (Some(true), None) => Some(Selection::All),
        (Some(true), Some(_)) => {
            let problem = "cannot be combined with messageId, eventType, configId or reason";
            p.add("all", problem);
            None
        }
        (_, Some(selection)) => Some(selection),
        (_, None) => {
            let problem = "select messages with messageId, eventType, configId or reason, \
                           or set all: true";
            p.add("all", problem);
            None
        }
    };
    p.finish()?;
    selection.ok_or_else(|| ApiError::field("all", "no selection"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> DlqSelectionBody {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_selection_needs_an_id_a_filter_or_all() {
        use serde_json::json;
        assert_eq!(
            selection(body(json!({"all": true}))).unwrap(),
            Selection::All
        );
        let by_id = selection(body(json!({"messageId": " m-1 "}))).unwrap();
        let Selection::Matching(filter) = by_id else {
            panic!("a filter")
        };
        assert_eq!(filter.id.as_deref(), Some("m-1"));
        for bad in [
            json!({}),
            json!({"all": false}),
            json!({"all": true, "reason": "permanent"}),
            json!({"messageId": "  "}),
            json!({"reason": "bored"}),
        ] {
            assert!(
                matches!(selection(body(bad.clone())), Err(ApiError::Validation(_))),
                "{bad}"
            );
        }
    }
}
