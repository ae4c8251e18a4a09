//! The enqueue side of the transactional outbox (docs/architecture.md, "Push: a PMS write reaching QloApps"): a change that must
//! reach QloApps inserts its message here in the same transaction as the change itself. The
//! relay (`relay/`) publishes unsent rows and marks them sent.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::db::qloapps_config::sync_targets;
use crate::domain::PropertyId;
use crate::messages::{Envelope, Message, OutboundMessage};

/// Inserts one message. Call inside the transaction of the change it announces.
pub async fn enqueue<M: Message>(
    conn: &mut PgConnection,
    message: &M,
) -> Result<Uuid, sqlx::Error> {
    let envelope = message.envelope();
    let payload = serde_json::to_value(message).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let row = db::outbox::NewOutboxRow {
        message_id: envelope.message_id,
        queue: message.queue().as_str(),
        event_type: message.event_type(),
        config_id: envelope.config_id,
        payload,
        correlation_id: envelope.correlation_id.as_deref(),
    };
    db::outbox::insert(conn, &row).await?;
    Ok(envelope.message_id)
}

/// Enqueues one outbound message per config the property's changes must reach (every enabled
/// config, when its active channel manager is 'qloapps'); `build` makes the message for an
/// envelope. Returns the message ids, none when the property does not sync.
pub async fn enqueue_for_property(
    conn: &mut PgConnection,
    property_id: PropertyId,
    correlation_id: Option<&str>,
    build: impl Fn(Envelope) -> OutboundMessage,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut ids = Vec::new();
    for config_id in sync_targets(&mut *conn, property_id).await? {
        let message = build(Envelope::new(
            config_id.0,
            correlation_id.map(str::to_owned),
        ));
        ids.push(enqueue(&mut *conn, &message).await?);
    }
    Ok(ids)
}

/// After the property's channel manager is switched (back) on: queues a push of every
/// reservation QloApps may not have as it stands (`db::reservations::out_of_sync`), for each
/// config it syncs to, since changes made while it was off queued nothing. A push of a
/// reservation QloApps already has is skipped by the worker. Returns the messages queued.
pub async fn enqueue_catch_up(
    conn: &mut PgConnection,
    property_id: PropertyId,
    correlation_id: Option<&str>,
) -> Result<usize, sqlx::Error> {
    let mut queued = 0;
    for config_id in sync_targets(&mut *conn, property_id).await? {
        let reservations = crate::db::reservations::out_of_sync(&mut *conn, config_id).await?;
        for (reservation, cancelled) in reservations {
            let event = crate::messages::ReservationEvent {
                envelope: Envelope::new(config_id.0, correlation_id.map(str::to_owned)),
                reservation_id: reservation.0,
            };
            let message = if cancelled {
                OutboundMessage::ReservationCancel(event)
            } else {
                OutboundMessage::ReservationUpdate(event)
            };
            enqueue(&mut *conn, &message).await?;
            queued += 1;
        }
    }
    Ok(queued)
}
