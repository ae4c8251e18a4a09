//! PMS room types.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sync_core::db::room_types as db;
use sync_core::domain::room_type::{NewRoomType, RoomTypePatch};
use sync_core::domain::{PropertyId, RoomType, RoomTypeId};
use utoipa::ToSchema;

use super::properties::require_property;
use crate::constraints::is_foreign_key_violation;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{nullable, ApiJson, ApiPath};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/properties/{propertyId}/room-types",
            get(list_room_types).post(create_room_type),
        )
        .route(
            "/room-types/{roomTypeId}",
            get(get_room_type)
                .patch(update_room_type)
                .delete(delete_room_type),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateRoomType {
    /// 1-32 of A-Z a-z 0-9 _ . -, unique in the property
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(minimum = 0, maximum = 2147483647)]
    pub total_rooms: i32,
    /// default 2
    #[schema(minimum = 1, maximum = 2147483647)]
    pub max_adults: Option<i32>,
    /// default 0
    #[schema(minimum = 0, maximum = 2147483647)]
    pub max_children: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateRoomType {
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$")]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// null clears it
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
    #[schema(minimum = 0, maximum = 2147483647)]
    pub total_rooms: Option<i32>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub max_adults: Option<i32>,
    #[schema(minimum = 0, maximum = 2147483647)]
    pub max_children: Option<i32>,
}

fn check_code(p: &mut Problems, code: &str) -> String {
    let code = code.trim();
    let ok = (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    p.check(ok, "code", "must be 1-32 characters of A-Z a-z 0-9 _ . -");
    code.to_owned()
}

impl CreateRoomType {
    fn validate(self) -> Result<NewRoomType, ApiError> {
        let mut p = Problems::new();
        let code = check_code(&mut p, &self.code);
        let name = p.text("name", &self.name, 200);
        let description = p.optional_text("description", self.description.as_deref(), 2000);
        p.at_least("totalRooms", self.total_rooms, 0);
        let max_adults = self.max_adults.unwrap_or(2);
        let max_children = self.max_children.unwrap_or(0);
        p.at_least("maxAdults", max_adults, 1);
        p.at_least("maxChildren", max_children, 0);
        p.finish()?;
        Ok(NewRoomType {
            code,
            name,
            description,
            total_rooms: self.total_rooms,
            max_adults,
            max_children,
        })
    }
}

impl UpdateRoomType {
    fn validate(self) -> Result<RoomTypePatch, ApiError> {
        let mut p = Problems::new();
        let code = self.code.as_deref().map(|c| check_code(&mut p, c));
        let name = self.name.as_deref().map(|n| p.text("name", n, 200));
        let description = self
            .description
            .map(|d| p.optional_text("description", d.as_deref(), 2000));
        if let Some(n) = self.total_rooms {
            p.at_least("totalRooms", n, 0);
        }
        if let Some(n) = self.max_adults {
            p.at_least("maxAdults", n, 1);
        }
        if let Some(n) = self.max_children {
            p.at_least("maxChildren", n, 0);
        }
        p.finish()?;
        let (total_rooms, max_adults, max_children) =
            (self.total_rooms, self.max_adults, self.max_children);
        Ok(RoomTypePatch {
            code,
            name,
            description,
            total_rooms,
            max_adults,
            max_children,
        })
    }
}

#[utoipa::path(post, path = "/api/v1/properties/{propertyId}/room-types", tag = "pms", request_body = CreateRoomType,
    params(("propertyId" = uuid::Uuid, Path)),
    responses((status = 201, body = RoomType), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_room_type(
    State(state): State<AppState>,
    ApiPath(property_id): ApiPath<PropertyId>,
    ApiJson(body): ApiJson<CreateRoomType>,
) -> Result<(StatusCode, Json<RoomType>), ApiError> {
    let new = body.validate()?;
    require_property(&state.pool, property_id).await?;
    let room_type = db::insert_room_type(&state.pool, property_id, &new).await?;
    Ok((StatusCode::CREATED, Json(room_type)))
}

#[utoipa::path(get, path = "/api/v1/properties/{propertyId}/room-types", tag = "pms",
    params(("propertyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<RoomType>), (status = 404, body = ErrorBody)))]
pub async fn list_room_types(
    State(state): State<AppState>,
    ApiPath(property_id): ApiPath<PropertyId>,
) -> Result<Json<Vec<RoomType>>, ApiError> {
    require_property(&state.pool, property_id).await?;
    Ok(Json(db::list_room_types(&state.pool, property_id).await?))
}

#[utoipa::path(get, path = "/api/v1/room-types/{roomTypeId}", tag = "pms",
    params(("roomTypeId" = uuid::Uuid, Path)),
    responses((status = 200, body = RoomType), (status = 404, body = ErrorBody)))]
pub async fn get_room_type(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
) -> Result<Json<RoomType>, ApiError> {
    Ok(Json(require_room_type(&state.pool, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/room-types/{roomTypeId}", tag = "pms", request_body = UpdateRoomType,
    params(("roomTypeId" = uuid::Uuid, Path)),
    responses((status = 200, body = RoomType), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_room_type(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
    ApiJson(body): ApiJson<UpdateRoomType>,
) -> Result<Json<RoomType>, ApiError> {
    let patch = body.validate()?;
    let room_type = db::update_room_type(&state.pool, id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found("room type", id))?;
    Ok(Json(room_type))
}

/// Deletes a room type with its availability and rates; 409 while reservations or QloApps
/// mappings use it.
#[utoipa::path(delete, path = "/api/v1/room-types/{roomTypeId}", tag = "pms",
    params(("roomTypeId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_room_type(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
) -> Result<StatusCode, ApiError> {
    match db::delete_room_type(&state.pool, id).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError::not_found("room type", id)),
        Err(e) if is_foreign_key_violation(&e) => Err(ApiError::Conflict(
            "the room type is used by reservations or QloApps mappings".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn require_room_type(
    db: impl sqlx::PgExecutor<'_>,
    id: RoomTypeId,
) -> Result<RoomType, ApiError> {
    db::get_room_type(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("room type", id))
}
