//! `GET /queues`: the live depths of the work queues and the DLQ, read from RabbitMQ (the
//! console's health strip; not the count of a DLQ listing, which stops at 1000).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sync_queue::dlq::QueueDepths;

use super::dlq::{require_dlq, DlqRouteError};
use crate::error::ErrorBody;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/queues", get(get_queue_depths))
}

/// Messages ready in the outbound and inbound work queues and in the dead-letter queue now,
/// read with passive declares. The queues are the installation's (every config shares them).
#[utoipa::path(get, path = "/api/v1/queues", tag = "qloapps",
    responses((status = 200, body = QueueDepths),
        (status = 503, description = "RABBITMQ_URL not set, RabbitMQ down, or the queues not \
            declared under QLOSYNC_QUEUE_PREFIX", body = ErrorBody)))]
pub async fn get_queue_depths(
    State(state): State<AppState>,
) -> Result<Json<QueueDepths>, DlqRouteError> {
    let dlq = require_dlq(&state)?;
    Ok(Json(dlq.queue_depths().await?))
}
