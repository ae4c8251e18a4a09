//! Booking notifications from the QloApps side (a hook module, an operator, a script):
//! `POST /api/v1/qloapps/booking-events` queues `booking.created|updated|cancelled` for one
//! QloApps order on the inbound queue, through the outbox. The inbound worker then pulls that
//! order (orders, room_bookings and customers, one call each); the message only says which
//! order changed, never what it now holds.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sync_core::domain::ConfigId;
use sync_core::messages::{BookingEvent, Envelope, InboundMessage, Message};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Correlation};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new().route("/qloapps/booking-events", post(notify_booking))
}

/// What happened to the booking (the inbound `eventType`s for one booking, `sync_core::messages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum BookingEventType {
    #[serde(rename = "booking.created")]
    Created,
    #[serde(rename = "booking.updated")]
    Updated,
    #[serde(rename = "booking.cancelled")]
    Cancelled,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BookingEventBody {
    pub config_id: ConfigId,
    pub event_type: BookingEventType,
    /// The QloApps order id (the `bookings` resource's booking id), 1 to 4294967295.
    #[schema(example = 42, minimum = 1, maximum = 4_294_967_295_i64)]
    pub qlo_apps_booking_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingEventAccepted {
    /// id of the queued message
    pub message_id: Uuid,
    pub config_id: ConfigId,
    pub event_type: BookingEventType,
    pub qlo_apps_booking_id: i64,
    pub correlation_id: String,
}

/// Queues a pull of one QloApps booking (`booking.*` on the inbound queue, through the
/// outbox) and answers 202. 409 when the config's sync is disabled or its property does not
/// use QloApps.
#[utoipa::path(post, path = "/api/v1/qloapps/booking-events", tag = "qloapps", request_body = BookingEventBody,
    responses((status = 202, body = BookingEventAccepted), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn notify_booking(
    State(state): State<AppState>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<BookingEventBody>,
) -> Result<(StatusCode, Json<BookingEventAccepted>), ApiError> {
    let mut p = Problems::new();
    p.check(
        (1..=i64::from(u32::MAX)).contains(&body.qlo_apps_booking_id),
        "qloAppsBookingId",
        "must be a QloApps order id (1 to 4294967295)",
    );
    p.finish()?;
    let mut tx = state.pool.begin().await?;
    let config = sync_core::db::qloapps_config::get_config(&mut *tx, body.config_id)
        .await?
        .ok_or_else(|| ApiError::field("configId", "no such QloApps config"))?;
    let property = super::properties::require_property(&mut *tx, config.property_id).await?;
    if let Some(why) = config.not_syncing(&property) {
        return Err(ApiError::Conflict(why.to_string()));
    }
    let event = BookingEvent {
        envelope: Envelope::new(config.id.0, Some(correlation.clone())),
        qlo_apps_booking_id: body.qlo_apps_booking_id,
    };
    let message = match body.event_type {
        BookingEventType::Created => InboundMessage::BookingCreated(event),
        BookingEventType::Updated => InboundMessage::BookingUpdated(event),
        BookingEventType::Cancelled => InboundMessage::BookingCancelled(event),
    };
    let message_id = sync_core::outbox::enqueue(&mut tx, &message).await?;
    tx.commit().await?;
    crate::telemetry::record_enqueued(message.event_type(), 1);
    let accepted = BookingEventAccepted {
        message_id,
        config_id: config.id,
        event_type: body.event_type,
        qlo_apps_booking_id: body.qlo_apps_booking_id,
        correlation_id: correlation,
    };
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
