//! PMS room type <-> QloApps room type, per config.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sync_core::db::qloapps_room_type_mappings::{
    self as db, NewRoomTypeMapping, RoomTypeMappingPatch,
};
use sync_core::domain::{ConfigId, QloappsConfig, RoomTypeId, RoomTypeMapping};
use utoipa::ToSchema;
use uuid::Uuid;

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Correlation};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/qloapps/configs/{configId}/room-type-mappings",
            get(list_mappings).post(create_mapping),
        )
        .route(
            "/qloapps/configs/{configId}/room-type-mappings/{mappingId}",
            get(get_mapping)
                .patch(update_mapping)
                .delete(delete_mapping),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateRoomTypeMapping {
    /// a room type of the config's property
    pub local_room_type_id: RoomTypeId,
    /// the QloApps room type (product) id
    #[schema(minimum = 1, maximum = 2147483647)]
    pub qloapps_room_type_id: i64,
    /// default true
    pub is_active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateRoomTypeMapping {
    pub local_room_type_id: Option<RoomTypeId>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub qloapps_room_type_id: Option<i64>,
    pub is_active: Option<bool>,
}

async fn check_room_type(
    state: &AppState,
    p: &mut Problems,
    config: &QloappsConfig,
    id: RoomTypeId,
) -> Result<(), ApiError> {
    let room_type = sync_core::db::room_types::get_room_type(&state.pool, id).await?;
    let ok = room_type.is_some_and(|r| r.property_id == config.property_id);
    p.check(
        ok,
        "localRoomTypeId",
        "no such room type in the config's property",
    );
    Ok(())
}

/// An active mapping may be what failed orders lacked: they are retried at once (an
/// incremental pull is queued when there are any; docs/pull-failures.md).
async fn retry_failed_orders(
    state: &AppState,
    mapping: &RoomTypeMapping,
    correlation: String,
) -> Result<(), ApiError> {
    if mapping.is_active {
        sync_core::pull::failures::retry_after_mapping_change(
            &state.pool,
            mapping.config_id,
            Some(correlation),
        )
        .await?;
    }
    Ok(())
}

/// 409 when the room type or the QloApps room type is already mapped in this config. Orders
/// earlier pulls could not apply are retried at once.
#[utoipa::path(post, path = "/api/v1/qloapps/configs/{configId}/room-type-mappings", tag = "qloapps",
    request_body = CreateRoomTypeMapping, params(("configId" = uuid::Uuid, Path)),
    responses((status = 201, body = RoomTypeMapping), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_mapping(
    State(state): State<AppState>,
    Correlation(correlation): Correlation,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiJson(body): ApiJson<CreateRoomTypeMapping>,
) -> Result<(StatusCode, Json<RoomTypeMapping>), ApiError> {
    let config = require_config(&state.pool, config_id).await?;
    let mut p = Problems::new();
    p.positive_id("qloappsRoomTypeId", body.qloapps_room_type_id);
    check_room_type(&state, &mut p, &config, body.local_room_type_id).await?;
    p.finish()?;
    let new = NewRoomTypeMapping {
        config_id,
        property_id: config.property_id,
        local_room_type_id: body.local_room_type_id,
        qloapps_room_type_id: i32::try_from(body.qloapps_room_type_id).unwrap_or_default(),
        is_active: body.is_active.unwrap_or(true),
    };
    let mapping = db::insert_mapping(&state.pool, &new).await?;
    retry_failed_orders(&state, &mapping, correlation).await?;
    Ok((StatusCode::CREATED, Json(mapping)))
}

#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/room-type-mappings", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<RoomTypeMapping>), (status = 404, body = ErrorBody)))]
pub async fn list_mappings(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
) -> Result<Json<Vec<RoomTypeMapping>>, ApiError> {
    require_config(&state.pool, config_id).await?;
    Ok(Json(db::list_mappings(&state.pool, config_id).await?))
}

#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), ("mappingId" = uuid::Uuid, Path)),
    responses((status = 200, body = RoomTypeMapping), (status = 404, body = ErrorBody)))]
pub async fn get_mapping(
    State(state): State<AppState>,
    ApiPath((config_id, id)): ApiPath<(ConfigId, Uuid)>,
) -> Result<Json<RoomTypeMapping>, ApiError> {
    let mapping = db::get_mapping(&state.pool, config_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("room type mapping", id))?;
    Ok(Json(mapping))
}

#[utoipa::path(patch, path = "/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}", tag = "qloapps",
    request_body = UpdateRoomTypeMapping, params(("configId" = uuid::Uuid, Path), ("mappingId" = uuid::Uuid, Path)),
    responses((status = 200, body = RoomTypeMapping), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_mapping(
    State(state): State<AppState>,
    Correlation(correlation): Correlation,
    ApiPath((config_id, id)): ApiPath<(ConfigId, Uuid)>,
    ApiJson(body): ApiJson<UpdateRoomTypeMapping>,
) -> Result<Json<RoomTypeMapping>, ApiError> {
    let config = require_config(&state.pool, config_id).await?;
    let mut p = Problems::new();
    if let Some(remote) = body.qloapps_room_type_id {
        p.positive_id("qloappsRoomTypeId", remote);
    }
    if let Some(local) = body.local_room_type_id {
        check_room_type(&state, &mut p, &config, local).await?;
    }
    p.finish()?;
    let patch = RoomTypeMappingPatch {
        local_room_type_id: body.local_room_type_id,
        qloapps_room_type_id: body
            .qloapps_room_type_id
            .map(|r| i32::try_from(r).unwrap_or_default()),
        is_active: body.is_active,
    };
    let mapping = db::update_mapping(&state.pool, config_id, id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found("room type mapping", id))?;
    retry_failed_orders(&state, &mapping, correlation).await?;
    Ok(Json(mapping))
}

#[utoipa::path(delete, path = "/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), ("mappingId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_mapping(
    State(state): State<AppState>,
    ApiPath((config_id, id)): ApiPath<(ConfigId, Uuid)>,
) -> Result<StatusCode, ApiError> {
    if db::delete_mapping(&state.pool, config_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("room type mapping", id))
    }
}
