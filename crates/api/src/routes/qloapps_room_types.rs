//! `GET /qloapps/configs/{configId}/qloapps-room-types`: the room types QloApps sells in the
//! config's hotel, read live with the stored key, for the room-type mapping editor.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Serialize;
use sync_core::domain::ConfigId;
use utoipa::ToSchema;

use super::connection_test::{interactive_client, kind_of, TestFailureKind};
use super::qloapps_configs::require_config;
use super::reconcile::Failure;
use crate::error::ErrorBody;
use crate::extract::ApiPath;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/qloapps/configs/{configId}/qloapps-room-types",
        get(list_qloapps_room_types),
    )
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QloappsRoomType {
    /// the id a room-type mapping names (`qloappsRoomTypeId`)
    pub id: sync_core::domain::QloRoomTypeId,
    pub name: String,
    pub active: bool,
    /// base occupancy
    pub adults: i32,
    pub children: i32,
    /// base nightly price excluding tax
    #[schema(value_type = String, example = "120.00")]
    pub price: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QloappsRoomTypeList {
    pub config_id: ConfigId,
    /// the config's hotel's room types, by id
    pub items: Vec<QloappsRoomType>,
}

/// The room types of the config's QloApps hotel, read from QloApps now (one attempt). 502 with
/// the failure in words when QloApps cannot answer (wrong key, unreachable, ...), 503 while its
/// circuit is open, 409 when the config has no usable key.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/qloapps-room-types", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path)),
    responses((status = 200, body = QloappsRoomTypeList), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn list_qloapps_room_types(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
) -> Result<Json<QloappsRoomTypeList>, Failure> {
    let config = require_config(&state.pool, config_id).await?;
    let upstream = |kind: TestFailureKind, message: String| {
        let (status, code) = match kind {
            TestFailureKind::NoApiKey
            | TestFailureKind::KeyUnreadable
            | TestFailureKind::InvalidConfig => (StatusCode::CONFLICT, "conflict"),
            TestFailureKind::CircuitOpen => {
                (StatusCode::SERVICE_UNAVAILABLE, "upstream_unavailable")
            }
            _ => (StatusCode::BAD_GATEWAY, "upstream_failed"),
        };
        Failure::Upstream {
            status,
            code,
            message,
        }
    };
    let client = interactive_client(&state, &config).map_err(|f| upstream(f.kind, f.message))?;
    let hotel = config.qloapps_hotel_id.get();
    let room_types = client
        .room_types()
        .await
        .map_err(|e| upstream(kind_of(&e), e.to_string()))?;
    let mut items: Vec<QloappsRoomType> = room_types
        .into_iter()
        .filter(|rt| rt.id_hotel == hotel)
        .map(|rt| QloappsRoomType {
            id: sync_core::domain::QloRoomTypeId(rt.id),
            name: rt.name,
            active: rt.active,
            adults: i32::try_from(rt.adults).unwrap_or(i32::MAX),
            children: i32::try_from(rt.children).unwrap_or(i32::MAX),
            price: rt.price,
        })
        .collect();
    items.sort_by_key(|rt| rt.id);
    Ok(Json(QloappsRoomTypeList { config_id, items }))
}
