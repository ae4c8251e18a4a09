//! What an outbound message means: which push to run, and how its failure is routed.

use async_trait::async_trait;
use sync_core::messages::OutboundMessage;
use sync_core::nightly::availability::AvailabilityService;
use sync_core::nightly::rates::{RateService, SyncMode};
use sync_core::push::PushService;
use sync_queue::queue::{Delivered, HandleError, MessageHandler};
use tracing::Instrument;

pub struct OutboundHandler {
    push: PushService,
    rates: RateService,
    availability: AvailabilityService,
}

impl OutboundHandler {
    pub fn new(push: PushService, rates: RateService, availability: AvailabilityService) -> Self {
        OutboundHandler {
            push,
            rates,
            availability,
        }
    }

    /// Handles one message without the broker: what the consumer calls, and what tests call.
    /// Counts and times it as a push (`qlosync_pushes_total`, `qlosync_push_duration_seconds`).
    pub async fn process(&self, message: &OutboundMessage) -> Result<(), HandleError> {
        let started = std::time::Instant::now();
        let result = self.push(message).await;
        let (config_id, kind) = match message {
            OutboundMessage::ReservationCreate(e)
            | OutboundMessage::ReservationUpdate(e)
            | OutboundMessage::ReservationCancel(e) => (e.envelope.config_id, "reservation"),
            OutboundMessage::AvailabilityUpdate(e) => (e.envelope.config_id, "availability"),
            OutboundMessage::RateUpdate(e) => (e.envelope.config_id, "rates"),
        };
        sync_core::metrics_catalog::record_push(
            config_id,
            kind,
            sync_queue::handle_outcome(&result),
            started.elapsed(),
        );
        result
    }

    async fn push(&self, message: &OutboundMessage) -> Result<(), HandleError> {
        match message {
            OutboundMessage::ReservationCreate(e)
            | OutboundMessage::ReservationUpdate(e)
            | OutboundMessage::ReservationCancel(e) => {
                let config_id = e.envelope.config_id.into();
                let reservation_id = e.reservation_id.into();
                self.push
                    .push_reservation(config_id, reservation_id)
                    .await
                    .map(drop)
                    .map_err(HandleError::from)
            }
            // The message names the range; the services read the PMS's current values, so a
            // redelivered or late message pushes today's state and a no-op costs no write.
            OutboundMessage::AvailabilityUpdate(e) => {
                let range = (e.date_from.min(e.date_to), e.date_from.max(e.date_to));
                let (config_id, room_type_id) =
                    (e.envelope.config_id.into(), e.room_type_id.into());
                self.availability
                    .sync_availability(config_id, room_type_id, range, SyncMode::Trust)
                    .await
                    .map(drop)
                    .map_err(HandleError::from)
            }
            OutboundMessage::RateUpdate(e) => {
                let range = (e.date_from.min(e.date_to), e.date_from.max(e.date_to));
                let (config_id, room_type_id) =
                    (e.envelope.config_id.into(), e.room_type_id.into());
                self.rates
                    .sync_rates(config_id, room_type_id, range, SyncMode::Trust)
                    .await
                    .map(drop)
                    .map_err(HandleError::from)
            }
        }
    }
}

#[async_trait]
impl MessageHandler<OutboundMessage> for OutboundHandler {
    async fn handle(&self, msg: &Delivered<OutboundMessage>) -> Result<(), HandleError> {
        self.process(&msg.message).instrument(msg.span()).await
    }
}
