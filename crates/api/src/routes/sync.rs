//! Sync operations: the manual sync request (`POST /api/v1/qloapps/sync`, docs/architecture.md "Pull: QloApps bookings reaching the PMS") and the
//! read-only views of sync runs, the per-item sync log and reservation mappings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sync_core::db::qloapps_sync_log::SyncLogFilter;
use sync_core::db::{qloapps_reservation_mappings, qloapps_sync_log, qloapps_sync_state};
use sync_core::domain::{
    ConfigId, QloOrderId, ReservationId, ReservationMapping, SyncDirection, SyncLogEntry,
    SyncState, SyncStatus,
};
use sync_core::messages::{Envelope, InboundMessage, SyncRequest, SyncType};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Correlation};
use crate::state::AppState;
use crate::validate::{Problems, MAX_PAGE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/qloapps/sync", post(request_sync))
        .route(
            "/qloapps/configs/{configId}/sync-state",
            get(list_sync_state),
        )
        .route("/qloapps/configs/{configId}/sync-log", get(list_sync_log))
        .route(
            "/qloapps/configs/{configId}/reservation-mappings",
            get(list_reservation_mappings),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SyncRequestBody {
    pub config_id: ConfigId,
    /// default "incremental"
    #[schema(value_type = Option<String>, example = "incremental", pattern = "^(incremental|full)$")]
    pub sync_type: Option<SyncType>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncAccepted {
    /// id of the queued `booking.sync` message
    pub message_id: Uuid,
    pub config_id: ConfigId,
    #[schema(value_type = String, example = "incremental")]
    pub sync_type: SyncType,
    pub correlation_id: String,
}

/// Queues a pull (`booking.sync` on the inbound queue, through the outbox) and answers 202.
/// 409 when the config's sync is disabled or its property does not use QloApps.
#[utoipa::path(post, path = "/api/v1/qloapps/sync", tag = "qloapps", request_body = SyncRequestBody,
    responses((status = 202, body = SyncAccepted), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_sync(
    State(state): State<AppState>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<SyncRequestBody>,
) -> Result<(StatusCode, Json<SyncAccepted>), ApiError> {
    let sync_type = body.sync_type.unwrap_or(SyncType::Incremental);
    let mut tx = state.pool.begin().await?;
    let config = sync_core::db::qloapps_config::get_config(&mut *tx, body.config_id)
        .await?
        .ok_or_else(|| ApiError::field("configId", "no such QloApps config"))?;
    let property = super::properties::require_property(&mut *tx, config.property_id).await?;
    if let Some(why) = config.not_syncing(&property) {
        return Err(ApiError::Conflict(why.to_string()));
    }
    let envelope = Envelope::new(config.id.0, Some(correlation.clone()));
    let message = InboundMessage::BookingSync(SyncRequest {
        envelope,
        sync_type,
    });
    let message_id = sync_core::outbox::enqueue(&mut tx, &message).await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued("booking.sync", 1);
    let accepted = SyncAccepted {
        message_id,
        config_id: config.id,
        sync_type,
        correlation_id: correlation,
    };
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SyncStateQuery {
    pub status: Option<SyncStatus>,
    /// 1-200, default 50
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// default 0
    #[param(minimum = 0, maximum = 10_000_000)]
    pub offset: Option<i64>,
}

/// Sync runs of a config, newest first.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/sync-state", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), SyncStateQuery),
    responses((status = 200, body = Vec<SyncState>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_sync_state(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiQuery(query): ApiQuery<SyncStateQuery>,
) -> Result<Json<Vec<SyncState>>, ApiError> {
    let mut p = Problems::new();
    let page = p.page(query.limit, query.offset);
    p.finish()?;
    require_config(&state.pool, config_id).await?;
    Ok(Json(
        qloapps_sync_state::list_runs(&state.pool, config_id, query.status, page).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SyncLogQuery {
    pub sync_state_id: Option<Uuid>,
    pub direction: Option<SyncDirection>,
    pub success: Option<bool>,
    /// e.g. "reservation", "availability", "rate"
    #[param(max_length = 100)]
    pub entity_type: Option<String>,
    pub local_entity_id: Option<Uuid>,
    /// entries older than this id (from `nextBeforeId` of the previous page)
    #[param(minimum = 1, maximum = 9_223_372_036_854_775_807_i64)]
    pub before_id: Option<i64>,
    /// 1-200, default 50
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncLogPage {
    pub items: Vec<SyncLogEntry>,
    /// pass as `beforeId` for the next (older) page; null on the last page
    pub next_before_id: Option<i64>,
}

/// The per-item sync log of a config, newest first, paged by `beforeId`.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/sync-log", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), SyncLogQuery),
    responses((status = 200, body = SyncLogPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_sync_log(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiQuery(query): ApiQuery<SyncLogQuery>,
) -> Result<Json<SyncLogPage>, ApiError> {
    let mut p = Problems::new();
    let limit = query.limit.unwrap_or(50);
    p.check(
        (1..=MAX_PAGE).contains(&limit),
        "limit",
        "must be between 1 and 200",
    );
    p.check(
        query.before_id.is_none_or(|b| b > 0),
        "beforeId",
        "must be positive",
    );
    p.max_chars("entityType", query.entity_type.as_deref(), 100);
    p.finish()?;
    require_config(&state.pool, config_id).await?;
    let filter = SyncLogFilter {
        sync_state_id: query.sync_state_id,
        direction: query.direction,
        success: query.success,
        entity_type: query.entity_type,
        local_entity_id: query.local_entity_id,
        before_id: query.before_id,
    };
    let items = qloapps_sync_log::list_entries(&state.pool, config_id, &filter, limit).await?;
    let full = i64::try_from(items.len()).unwrap_or_default() == limit;
    let next_before_id = if full {
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Json(SyncLogPage {
        items,
        next_before_id,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MappingQuery {
    #[param(value_type = Option<uuid::Uuid>)]
    pub local_reservation_id: Option<ReservationId>,
    /// a QloApps order id, 1 to 4294967295
    #[param(minimum = 1, maximum = 4_294_967_295_i64)]
    pub qloapps_booking_id: Option<i64>,
    /// 1-200, default 50
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// default 0
    #[param(minimum = 0, maximum = 10_000_000)]
    pub offset: Option<i64>,
}

/// Reservation mappings of a config, newest first (written by the workers).
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/reservation-mappings", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), MappingQuery),
    responses((status = 200, body = Vec<ReservationMapping>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_reservation_mappings(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiQuery(query): ApiQuery<MappingQuery>,
) -> Result<Json<Vec<ReservationMapping>>, ApiError> {
    let mut p = Problems::new();
    let page = p.page(query.limit, query.offset);
    p.check(
        query
            .qloapps_booking_id
            .is_none_or(|id| (1..=i64::from(u32::MAX)).contains(&id)),
        "qloappsBookingId",
        "must be a QloApps order id (1 to 4294967295)",
    );
    p.finish()?;
    require_config(&state.pool, config_id).await?;
    let mappings = qloapps_reservation_mappings::list_mappings(
        &state.pool,
        config_id,
        query.local_reservation_id,
        query
            .qloapps_booking_id
            .and_then(|id| u64::try_from(id).ok())
            .map(QloOrderId),
        page,
    )
    .await?;
    Ok(Json(mappings))
}
