//! Queue messages (docs/architecture.md, "Push: a PMS write reaching QloApps"): `eventType`, `configId`, ids,
//! `timestamp`, camelCase JSON) plus a `messageId` for tracing and de-duplication.
//!
//! Messages are notifications, not state: a worker always loads the current rows from
//! PostgreSQL (docs/architecture.md, "Push: a PMS write reaching QloApps").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The logical queue a message travels on; the physical name carries the configured prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueKind {
    Outbound,
    Inbound,
}

impl QueueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::Outbound => "outbound",
            QueueKind::Inbound => "inbound",
        }
    }
}

/// Fields every message carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub message_id: Uuid,
    pub config_id: Uuid,
    pub timestamp: DateTime<Utc>,
    /// Follows one change from the API request to the QloApps call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The W3C trace context of the change that wrote the message (the API request's span,
    /// so the worker's span is its child): sent as the AMQP header `traceparent`, the worker handles the
    /// message in it (`qlosync_trace_context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}

impl Envelope {
    /// A new envelope; inside a trace (an API request's) it records the current context.
    pub fn new(config_id: Uuid, correlation_id: Option<String>) -> Self {
        Envelope {
            message_id: Uuid::new_v4(),
            config_id,
            timestamp: Utc::now(),
            correlation_id,
            traceparent: qlosync_trace_context::current().map(|c| c.to_string()),
        }
    }
}

/// `qloapps.outbound`: PMS changes to push to QloApps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "eventType")]
pub enum OutboundMessage {
    #[serde(rename = "reservation.create")]
    ReservationCreate(ReservationEvent),
    #[serde(rename = "reservation.update")]
    ReservationUpdate(ReservationEvent),
    #[serde(rename = "reservation.cancel")]
    ReservationCancel(ReservationEvent),
    #[serde(rename = "availability.update")]
    AvailabilityUpdate(RangeEvent),
    #[serde(rename = "rate.update")]
    RateUpdate(RangeEvent),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationEvent {
    #[serde(flatten)]
    pub envelope: Envelope,
    pub reservation_id: Uuid,
}

/// Availability or rates of one PMS room type over `dateFrom..=dateTo` (both nights included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RangeEvent {
    #[serde(flatten)]
    pub envelope: Envelope,
    pub room_type_id: Uuid,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
}

/// `qloapps.inbound`: pulls from QloApps into the PMS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "eventType")]
pub enum InboundMessage {
    #[serde(rename = "booking.sync")]
    BookingSync(SyncRequest),
    #[serde(rename = "booking.created")]
    BookingCreated(BookingEvent),
    #[serde(rename = "booking.updated")]
    BookingUpdated(BookingEvent),
    #[serde(rename = "booking.cancelled")]
    BookingCancelled(BookingEvent),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncType {
    Full,
    Incremental,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRequest {
    #[serde(flatten)]
    pub envelope: Envelope,
    #[serde(default = "default_sync_type")]
    pub sync_type: SyncType,
}

fn default_sync_type() -> SyncType {
    SyncType::Incremental
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingEvent {
    #[serde(flatten)]
    pub envelope: Envelope,
    /// The QloApps order id (a "booking" in QloApps' webservice is an order).
    pub qlo_apps_booking_id: i64,
}

/// What every message kind exposes to the queue plumbing.
pub trait Message: Serialize {
    fn envelope(&self) -> &Envelope;
    fn event_type(&self) -> &'static str;
    fn queue(&self) -> QueueKind;
}

impl Message for OutboundMessage {
    fn envelope(&self) -> &Envelope {
        match self {
            OutboundMessage::ReservationCreate(e)
            | OutboundMessage::ReservationUpdate(e)
            | OutboundMessage::ReservationCancel(e) => &e.envelope,
            OutboundMessage::AvailabilityUpdate(e) | OutboundMessage::RateUpdate(e) => &e.envelope,
        }
    }
    fn event_type(&self) -> &'static str {
        match self {
            OutboundMessage::ReservationCreate(_) => "reservation.create",
            OutboundMessage::ReservationUpdate(_) => "reservation.update",
            OutboundMessage::ReservationCancel(_) => "reservation.cancel",
            OutboundMessage::AvailabilityUpdate(_) => "availability.update",
            OutboundMessage::RateUpdate(_) => "rate.update",
        }
    }
    fn queue(&self) -> QueueKind {
        QueueKind::Outbound
    }
}

impl Message for InboundMessage {
    fn envelope(&self) -> &Envelope {
        match self {
            InboundMessage::BookingSync(e) => &e.envelope,
            InboundMessage::BookingCreated(e)
            | InboundMessage::BookingUpdated(e)
            | InboundMessage::BookingCancelled(e) => &e.envelope,
        }
    }
    fn event_type(&self) -> &'static str {
        match self {
            InboundMessage::BookingSync(_) => "booking.sync",
            InboundMessage::BookingCreated(_) => "booking.created",
            InboundMessage::BookingUpdated(_) => "booking.updated",
            InboundMessage::BookingCancelled(_) => "booking.cancelled",
        }
    }
    fn queue(&self) -> QueueKind {
        QueueKind::Inbound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservation_message_uses_the_documented_field_names() {
        let config_id = Uuid::new_v4();
        let reservation_id = Uuid::new_v4();
        let msg = OutboundMessage::ReservationCreate(ReservationEvent {
            envelope: Envelope::new(config_id, None),
            reservation_id,
        });
        let json = serde_json::to_value(&msg).unwrap();
        assert_eq!(json["eventType"], "reservation.create");
        assert_eq!(json["configId"], config_id.to_string());
        assert_eq!(json["reservationId"], reservation_id.to_string());
        assert!(json["messageId"].is_string());
        assert!(json["timestamp"].is_string());
        assert!(json.get("correlationId").is_none());
        let back: OutboundMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn range_message_round_trips_with_dates() {
        let json = serde_json::json!({
            "eventType": "rate.update", "messageId": Uuid::new_v4(), "configId": Uuid::new_v4(),
            "timestamp": "2026-11-21T10:00:00Z", "roomTypeId": Uuid::new_v4(),
            "dateFrom": "2026-12-01", "dateTo": "2026-12-31"
        });
        let msg: OutboundMessage = serde_json::from_value(json).unwrap();
        let OutboundMessage::RateUpdate(ev) = &msg else {
            panic!("wrong variant: {msg:?}")
        };
        assert_eq!(ev.date_from, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(msg.event_type(), "rate.update");
    }

    #[test]
    fn inbound_sync_defaults_to_incremental_and_rejects_unknown_types() {
        let json = serde_json::json!({
            "eventType": "booking.sync", "messageId": Uuid::new_v4(), "configId": Uuid::new_v4(),
            "timestamp": "2026-11-21T10:00:00Z"
        });
        let msg: InboundMessage = serde_json::from_value(json).unwrap();
        assert!(matches!(
            msg,
            InboundMessage::BookingSync(SyncRequest {
                sync_type: SyncType::Incremental,
                ..
            })
        ));
        let unknown =
            serde_json::json!({"eventType": "booking.exploded", "configId": Uuid::new_v4()});
        assert!(serde_json::from_value::<InboundMessage>(unknown).is_err());
    }
}
