//! What an outbound message means: which push to run, and how its failure is routed.

use async_trait::async_trait;
use sync_core::availability::AvailabilityService;
use sync_core::messages::OutboundMessage;
use sync_core::push::PushService;
use sync_core::queue::{Delivered, HandleError, MessageHandler};
use sync_core::rates::{RateService, SyncMode};
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
    pub async fn process(&self, message: &OutboundMessage) -> Result<(), HandleError> {
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
