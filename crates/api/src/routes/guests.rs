//! PMS guests.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sync_core::db::guests::{self as db, GuestFilter};
use sync_core::domain::guest::{GuestPatch, NewGuest};
use sync_core::domain::{Guest, GuestId, PropertyId};
use utoipa::{IntoParams, ToSchema};

use super::properties::require_property;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{nullable, ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::validate::{Paged, Problems};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/properties/{propertyId}/guests",
            get(list_guests).post(create_guest),
        )
        .route("/guests/{guestId}", get(get_guest).patch(update_guest))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateGuest {
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    /// name@example.com
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// 4 to 20 digits, optionally with + ( ) - . and spaces
    #[schema(max_length = 40)]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateGuest {
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    /// null clears it
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    /// null clears it
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 40)]
    pub phone: Option<Option<String>>,
    /// false once an operator has checked a guest flagged by a pull
    pub possible_duplicate: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GuestQuery {
    /// exact, case-insensitive
    #[param(max_length = 254)]
    pub email: Option<String>,
    /// compared in normalised form (digits, leading +)
    #[param(max_length = 40)]
    pub phone: Option<String>,
    /// part of the first or last name, case-insensitive
    #[param(max_length = 200)]
    pub name: Option<String>,
    /// 1-200, default 50
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// default 0
    #[param(minimum = 0, maximum = 10_000_000)]
    pub offset: Option<i64>,
}

fn optional_email(p: &mut Problems, value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| p.email("email", v))
}

fn optional_phone(p: &mut Problems, value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| p.phone("phone", v))
}

#[utoipa::path(post, path = "/api/v1/properties/{propertyId}/guests", tag = "pms", request_body = CreateGuest,
    params(("propertyId" = uuid::Uuid, Path)),
    responses((status = 201, body = Guest), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_guest(
    State(state): State<AppState>,
    ApiPath(property_id): ApiPath<PropertyId>,
    ApiJson(body): ApiJson<CreateGuest>,
) -> Result<(StatusCode, Json<Guest>), ApiError> {
    let mut p = Problems::new();
    let first_name = p.text("firstName", &body.first_name, 100);
    let last_name = p.text("lastName", &body.last_name, 100);
    let email = optional_email(&mut p, body.email.as_deref());
    let phone = optional_phone(&mut p, body.phone.as_deref());
    p.finish()?;
    require_property(&state.pool, property_id).await?;
    let new = NewGuest {
        first_name,
        last_name,
        email,
        phone,
        possible_duplicate: false,
    };
    Ok((
        StatusCode::CREATED,
        Json(db::insert_guest(&state.pool, property_id, &new).await?),
    ))
}

/// Guests of a property, by name; filters combine with AND.
#[utoipa::path(get, path = "/api/v1/properties/{propertyId}/guests", tag = "pms",
    params(("propertyId" = uuid::Uuid, Path), GuestQuery),
    responses((status = 200, body = Paged<Guest>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_guests(
    State(state): State<AppState>,
    ApiPath(property_id): ApiPath<PropertyId>,
    ApiQuery(query): ApiQuery<GuestQuery>,
) -> Result<Json<Paged<Guest>>, ApiError> {
    let mut p = Problems::new();
    let page = p.page(query.limit, query.offset);
    p.max_chars("email", query.email.as_deref(), 254);
    p.max_chars("phone", query.phone.as_deref(), 40);
    p.max_chars("name", query.name.as_deref(), 200);
    p.finish()?;
    require_property(&state.pool, property_id).await?;
    let filter = GuestFilter {
        email: query.email,
        phone: query.phone,
        name: query.name,
    };
    let items = db::list_guests(&state.pool, property_id, &filter, page).await?;
    let total = db::count_guests(&state.pool, property_id, &filter).await?;
    Ok(Json(Paged {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(get, path = "/api/v1/guests/{guestId}", tag = "pms",
    params(("guestId" = uuid::Uuid, Path)),
    responses((status = 200, body = Guest), (status = 404, body = ErrorBody)))]
pub async fn get_guest(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<GuestId>,
) -> Result<Json<Guest>, ApiError> {
    let guest = db::get_guest(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found("guest", id))?;
    Ok(Json(guest))
}

#[utoipa::path(patch, path = "/api/v1/guests/{guestId}", tag = "pms", request_body = UpdateGuest,
    params(("guestId" = uuid::Uuid, Path)),
    responses((status = 200, body = Guest), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_guest(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<GuestId>,
    ApiJson(body): ApiJson<UpdateGuest>,
) -> Result<Json<Guest>, ApiError> {
    let mut p = Problems::new();
    let first_name = body
        .first_name
        .as_deref()
        .map(|n| p.text("firstName", n, 100));
    let last_name = body
        .last_name
        .as_deref()
        .map(|n| p.text("lastName", n, 100));
    let email = body.email.map(|e| optional_email(&mut p, e.as_deref()));
    let phone = body.phone.map(|ph| optional_phone(&mut p, ph.as_deref()));
    p.finish()?;
    let patch = GuestPatch {
        first_name,
        last_name,
        email,
        phone,
        possible_duplicate: body.possible_duplicate,
    };
    let guest = db::update_guest(&state.pool, id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found("guest", id))?;
    Ok(Json(guest))
}
