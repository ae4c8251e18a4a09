//! Availability and rates of a room type, set over a range of nights and read back. Each
//! change enqueues `availability.update` / `rate.update` in the same transaction.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sync_core::db::{availability, rates};
use sync_core::domain::{NightAvailability, NightRate, RoomType, RoomTypeId};
use sync_core::messages::{OutboundMessage, RangeEvent};
use utoipa::{IntoParams, ToSchema};

use super::room_types::require_room_type;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{date, ApiJson, ApiPath, ApiQuery, Correlation};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/room-types/{roomTypeId}/availability",
            get(get_availability).put(set_availability),
        )
        .route(
            "/room-types/{roomTypeId}/rates",
            get(get_rates).put(set_rates),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetAvailability {
    /// first night, YYYY-MM-DD
    #[serde(deserialize_with = "date")]
    #[schema(value_type = String, format = Date)]
    pub date_from: NaiveDate,
    /// last night (included), YYYY-MM-DD; at most 366 nights in all
    #[serde(deserialize_with = "date")]
    #[schema(value_type = String, format = Date)]
    pub date_to: NaiveDate,
    /// rooms the PMS allows to sell each night: 0..=totalRooms
    #[schema(minimum = 0, maximum = 2147483647)]
    pub available: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetRates {
    #[serde(deserialize_with = "date")]
    #[schema(value_type = String, format = Date)]
    pub date_from: NaiveDate,
    #[serde(deserialize_with = "date")]
    #[schema(value_type = String, format = Date)]
    pub date_to: NaiveDate,
    /// price per room per night in the property's currency, at most 2 decimals
    #[schema(value_type = String, example = "120.00", pattern = "^[0-9]{1,10}(\\.[0-9]{1,2})?$")]
    pub rate: Decimal,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct NightRange {
    /// YYYY-MM-DD
    #[serde(deserialize_with = "date")]
    #[param(value_type = String, format = Date)]
    pub date_from: NaiveDate,
    /// YYYY-MM-DD, included; at most 366 nights
    #[serde(deserialize_with = "date")]
    #[param(value_type = String, format = Date)]
    pub date_to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityView {
    pub room_type_id: RoomTypeId,
    /// nights that were set, in date order; absent nights were never set
    pub nights: Vec<NightAvailability>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RatesView {
    pub room_type_id: RoomTypeId,
    pub currency: String,
    pub nights: Vec<NightRate>,
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Problems {
    let mut p = Problems::new();
    p.night_range(("dateFrom", from), ("dateTo", to));
    p
}

#[utoipa::path(put, path = "/api/v1/room-types/{roomTypeId}/availability", tag = "pms",
    request_body = SetAvailability, params(("roomTypeId" = uuid::Uuid, Path)),
    responses((status = 200, body = AvailabilityView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_availability(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<SetAvailability>,
) -> Result<Json<AvailabilityView>, ApiError> {
    let mut p = check_range(body.date_from, body.date_to);
    p.at_least("available", body.available, 0);
    let mut tx = state.pool.begin().await?;
    let room_type = lock_room_type(&mut tx, id).await?;
    if body.available > room_type.total_rooms {
        p.add(
            "available",
            format!(
                "must not exceed the room type's {} rooms",
                room_type.total_rooms
            ),
        );
    }
    p.finish()?;
    availability::set_availability(&mut *tx, id, body.date_from, body.date_to, body.available)
        .await?;
    let sent = enqueue(
        &mut tx,
        &room_type,
        &correlation,
        (body.date_from, body.date_to),
        OutboundMessage::AvailabilityUpdate,
    )
    .await?;
    let nights = availability::get_availability(&mut *tx, id, body.date_from, body.date_to).await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued("availability.update", sent);
    Ok(Json(AvailabilityView {
        room_type_id: id,
        nights,
    }))
}

#[utoipa::path(get, path = "/api/v1/room-types/{roomTypeId}/availability", tag = "pms",
    params(("roomTypeId" = uuid::Uuid, Path), NightRange),
    responses((status = 200, body = AvailabilityView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_availability(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
    ApiQuery(range): ApiQuery<NightRange>,
) -> Result<Json<AvailabilityView>, ApiError> {
    check_range(range.date_from, range.date_to).finish()?;
    require_room_type(&state.pool, id).await?;
    let nights =
        availability::get_availability(&state.pool, id, range.date_from, range.date_to).await?;
    Ok(Json(AvailabilityView {
        room_type_id: id,
        nights,
    }))
}

#[utoipa::path(put, path = "/api/v1/room-types/{roomTypeId}/rates", tag = "pms",
    request_body = SetRates, params(("roomTypeId" = uuid::Uuid, Path)),
    responses((status = 200, body = RatesView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rates(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<SetRates>,
) -> Result<Json<RatesView>, ApiError> {
    let mut p = check_range(body.date_from, body.date_to);
    p.money("rate", body.rate);
    p.finish()?;
    let mut tx = state.pool.begin().await?;
    let room_type = lock_room_type(&mut tx, id).await?;
    let currency = super::properties::require_property(&mut *tx, room_type.property_id)
        .await?
        .currency;
    rates::set_rates(
        &mut *tx,
        id,
        body.date_from,
        body.date_to,
        body.rate.round_dp(2),
    )
    .await?;
    let sent = enqueue(
        &mut tx,
        &room_type,
        &correlation,
        (body.date_from, body.date_to),
        OutboundMessage::RateUpdate,
    )
    .await?;
    let nights = rates::get_rates(&mut *tx, id, body.date_from, body.date_to).await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued("rate.update", sent);
    Ok(Json(RatesView {
        room_type_id: id,
        currency,
        nights,
    }))
}

#[utoipa::path(get, path = "/api/v1/room-types/{roomTypeId}/rates", tag = "pms",
    params(("roomTypeId" = uuid::Uuid, Path), NightRange),
    responses((status = 200, body = RatesView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_rates(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RoomTypeId>,
    ApiQuery(range): ApiQuery<NightRange>,
) -> Result<Json<RatesView>, ApiError> {
    check_range(range.date_from, range.date_to).finish()?;
    let room_type = require_room_type(&state.pool, id).await?;
    let currency = super::properties::require_property(&state.pool, room_type.property_id)
        .await?
        .currency;
    let nights = rates::get_rates(&state.pool, id, range.date_from, range.date_to).await?;
    Ok(Json(RatesView {
        room_type_id: id,
        currency,
        nights,
    }))
}

async fn lock_room_type(conn: &mut PgConnection, id: RoomTypeId) -> Result<RoomType, ApiError> {
    sync_core::db::room_types::lock_room_type(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("room type", id))
}

async fn enqueue(
    conn: &mut PgConnection,
    room_type: &RoomType,
    correlation: &str,
    (date_from, date_to): (NaiveDate, NaiveDate),
    kind: fn(RangeEvent) -> OutboundMessage,
) -> Result<usize, ApiError> {
    let room_type_id = room_type.id.0;
    let ids = sync_core::outbox::enqueue_for_property(
        conn,
        room_type.property_id,
        Some(correlation),
        |envelope| {
            kind(RangeEvent {
                envelope,
                room_type_id,
                date_from,
                date_to,
            })
        },
    )
    .await?;
    Ok(ids.len())
}
