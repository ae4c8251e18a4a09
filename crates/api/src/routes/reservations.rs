//! PMS reservations. Every create / update / cancel writes its outbox message in the same
//! transaction (README "How it works"), one per config the property syncs with.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use sqlx::PgConnection;
use sync_core::db::qloapps_out_of_sync;
use sync_core::db::reservations as db;
use sync_core::domain::reservation::{NewReservation, ReservationPatch};
use sync_core::domain::{
    GuestId, Property, PropertyId, Reservation, ReservationId, ReservationSource,
    ReservationStatus, ReservationSync, RoomTypeId,
};
use sync_core::messages::{OutboundMessage, ReservationEvent};
use utoipa::ToSchema;

use super::properties::require_property;
use super::reservations_input::{CreateReservation, ReservationQuery, UpdateReservation};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Correlation};
use crate::state::AppState;
use crate::validate::{Paged, Problems};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/properties/{propertyId}/reservations",
            get(list_reservations).post(create_reservation),
        )
        .route(
            "/reservations/{reservationId}",
            get(get_reservation).patch(update_reservation),
        )
        .route(
            "/reservations/{reservationId}/cancel",
            post(cancel_reservation),
        )
}

/// Creates a confirmed reservation (source 'pms') and enqueues `reservation.create`.
#[utoipa::path(post, path = "/api/v1/properties/{propertyId}/reservations", tag = "pms",
    request_body = CreateReservation, params(("propertyId" = uuid::Uuid, Path)),
    responses((status = 201, body = Reservation), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_reservation(
    State(state): State<AppState>,
    ApiPath(property_id): ApiPath<PropertyId>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<CreateReservation>,
) -> Result<(StatusCode, Json<Reservation>), ApiError> {
    let input = body.validate()?;
    let mut tx = state.pool.begin().await?;
    let property = require_property(&mut *tx, property_id).await?;
    let stay = Stay {
        room_type_id: input.room_type_id,
        guest_id: input.guest_id,
        rooms: input.number_of_rooms,
        adults: input.adults,
        children: input.children,
    };
    check_stay(&mut tx, &property, &stay).await?;
    let new = NewReservation {
        property_id,
        room_type_id: input.room_type_id,
        guest_id: input.guest_id,
        check_in: input.check_in,
        check_out: input.check_out,
        number_of_rooms: input.number_of_rooms,
        adults: input.adults,
        children: input.children,
        total_price: input.total_price,
        currency: input.currency.unwrap_or_else(|| property.currency.clone()),
        source: ReservationSource::Pms,
        notes: input.notes,
    };
    let reservation = db::insert_reservation(&mut *tx, &new).await?;
    let sent = enqueue(
        &mut tx,
        &reservation,
        &correlation,
        OutboundMessage::ReservationCreate,
    )
    .await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued("reservation.create", sent);
    Ok((StatusCode::CREATED, Json(reservation)))
}

#[utoipa::path(get, path = "/api/v1/properties/{propertyId}/reservations", tag = "pms",
    params(("propertyId" = uuid::Uuid, Path), ReservationQuery),
    responses((status = 200, body = Paged<Reservation>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_reservations(
    State(state): State<AppState>,
    ApiPath(property_id): ApiPath<PropertyId>,
    ApiQuery(query): ApiQuery<ReservationQuery>,
) -> Result<Json<Paged<Reservation>>, ApiError> {
    let (filter, page) = query.validate()?;
    let mut conn = state.pool.acquire().await?;
    require_property(&mut *conn, property_id).await?;
    let (items, total) = db::list_reservations(&mut conn, property_id, &filter, page).await?;
    Ok(Json(Paged {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// A reservation with how it stands with each QloApps config of its property.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationDetail {
    #[serde(flatten)]
    pub reservation: Reservation,
    /// one entry per QloApps config of the property: in sync, out of sync (QloApps refused the
    /// last push; `reason` says why) or pending
    pub qloapps_sync: Vec<ReservationSync>,
}

#[utoipa::path(get, path = "/api/v1/reservations/{reservationId}", tag = "pms",
    params(("reservationId" = uuid::Uuid, Path)),
    responses((status = 200, body = ReservationDetail), (status = 404, body = ErrorBody)))]
pub async fn get_reservation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReservationId>,
) -> Result<Json<ReservationDetail>, ApiError> {
    let reservation = db::get_reservation(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found("reservation", id))?;
    let qloapps_sync = qloapps_out_of_sync::standing_of(&state.pool, id).await?;
    Ok(Json(ReservationDetail {
        reservation,
        qloapps_sync,
    }))
}

/// Changes a confirmed reservation and enqueues `reservation.update`; 409 if it is cancelled.
#[utoipa::path(patch, path = "/api/v1/reservations/{reservationId}", tag = "pms",
    request_body = UpdateReservation, params(("reservationId" = uuid::Uuid, Path)),
    responses((status = 200, body = Reservation), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_reservation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReservationId>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<UpdateReservation>,
) -> Result<Json<Reservation>, ApiError> {
    let patch = body.validate()?;
    let mut tx = state.pool.begin().await?;
    let current = lock_confirmed(&mut tx, id, "changed").await?;
    let mut p = Problems::new();
    p.stay(
        patch.check_in.unwrap_or(current.check_in),
        patch.check_out.unwrap_or(current.check_out),
    );
    p.finish()?;
    let property = require_property(&mut *tx, current.property_id).await?;
    check_stay(&mut tx, &property, &merged_stay(&current, &patch)).await?;
    let updated = db::update_reservation(&mut *tx, id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found("reservation", id))?;
    let sent = enqueue(
        &mut tx,
        &updated,
        &correlation,
        OutboundMessage::ReservationUpdate,
    )
    .await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued("reservation.update", sent);
    Ok(Json(updated))
}

/// Cancels a confirmed reservation and enqueues `reservation.cancel`; 409 if already cancelled.
#[utoipa::path(post, path = "/api/v1/reservations/{reservationId}/cancel", tag = "pms",
    params(("reservationId" = uuid::Uuid, Path)),
    responses((status = 200, body = Reservation), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_reservation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReservationId>,
    Correlation(correlation): Correlation,
) -> Result<Json<Reservation>, ApiError> {
    let mut tx = state.pool.begin().await?;
    lock_confirmed(&mut tx, id, "cancelled again").await?;
    let cancelled = db::cancel_reservation(&mut *tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("reservation", id))?;
    let sent = enqueue(
        &mut tx,
        &cancelled,
        &correlation,
        OutboundMessage::ReservationCancel,
    )
    .await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued("reservation.cancel", sent);
    Ok(Json(cancelled))
}

async fn lock_confirmed(
    conn: &mut PgConnection,
    id: ReservationId,
    what: &str,
) -> Result<Reservation, ApiError> {
    let current = db::lock_reservation(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("reservation", id))?;
    if current.status == ReservationStatus::Cancelled {
        return Err(ApiError::Conflict(format!(
            "the reservation is cancelled and cannot be {what}"
        )));
    }
    Ok(current)
}

async fn enqueue(
    conn: &mut PgConnection,
    reservation: &Reservation,
    correlation: &str,
    kind: fn(ReservationEvent) -> OutboundMessage,
) -> Result<usize, ApiError> {
    let reservation_id = reservation.id.0;
    let ids = sync_core::outbox::enqueue_for_property(
        conn,
        reservation.property_id,
        Some(correlation),
        |envelope| {
            kind(ReservationEvent {
                envelope,
                reservation_id,
            })
        },
    )
    .await?;
    Ok(ids.len())
}

/// What a reservation asks of its room type and guest.
struct Stay {
    room_type_id: RoomTypeId,
    guest_id: GuestId,
    rooms: i32,
    adults: i32,
    children: i32,
}

fn merged_stay(current: &Reservation, patch: &ReservationPatch) -> Stay {
    Stay {
        room_type_id: patch.room_type_id.unwrap_or(current.room_type_id),
        guest_id: patch.guest_id.unwrap_or(current.guest_id),
        rooms: patch.number_of_rooms.unwrap_or(current.number_of_rooms),
        adults: patch.adults.unwrap_or(current.adults),
        children: patch.children.unwrap_or(current.children),
    }
}

/// The room type and guest belong to the property, and the room type can hold the party.
async fn check_stay(
    conn: &mut PgConnection,
    property: &Property,
    stay: &Stay,
) -> Result<(), ApiError> {
    let mut p = Problems::new();
    let room_type = sync_core::db::room_types::get_room_type(&mut *conn, stay.room_type_id).await?;
    match room_type.filter(|r| r.property_id == property.id) {
        None => p.add("roomTypeId", "no such room type in this property"),
        Some(room_type) => {
            if stay.rooms > room_type.total_rooms {
                p.add(
                    "numberOfRooms",
                    format!("the room type has {} rooms", room_type.total_rooms),
                );
            }
            if i64::from(stay.adults) > i64::from(room_type.max_adults) * i64::from(stay.rooms) {
                p.add(
                    "adults",
                    format!(
                        "at most {} per room for this room type",
                        room_type.max_adults
                    ),
                );
            }
            if i64::from(stay.children) > i64::from(room_type.max_children) * i64::from(stay.rooms)
            {
                p.add(
                    "children",
                    format!(
                        "at most {} per room for this room type",
                        room_type.max_children
                    ),
                );
            }
        }
    }
    let guest = sync_core::db::guests::get_guest(&mut *conn, stay.guest_id).await?;
    p.check(
        guest.is_some_and(|g| g.property_id == property.id),
        "guestId",
        "no such guest in this property",
    );
    p.finish()
}
