//! What an inbound message means: which pull to run, and how its failure is routed.
//!
//! - `booking.sync` runs a full or incremental pull of the config. When a pull of the config
//!   is already running (the scheduler's, another worker's), the message is done: that pull
//!   covers it.
//! - `booking.created|updated|cancelled` pulls the one order through the same batched reads
//!   (orders, room_bookings, customers). When another pull holds the config's lock, the message
//!   is deferred: tried again after the defer delay without using up a retry. A full pull can
//!   hold the lock for minutes, far longer than `maxRetries` x `retryDelayMs`, and a valid
//!   notification must not be dead-lettered for having arrived during one.
//!
//! A config that was deleted, disabled or switched away from QloApps since the message was
//! queued is skipped, not failed.

use async_trait::async_trait;
use sync_core::messages::{InboundMessage, SyncType};
use sync_core::pull::{PullKind, PullReport, PullService};
use sync_core::sync_error::SyncError;
use sync_queue::queue::{Delivered, HandleError, MessageHandler};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub struct InboundHandler {
    pull: PullService,
    /// Cancelled on shutdown: a running pull stops after its current page, keeping its
    /// progress, and the message is retried.
    stop: CancellationToken,
}

impl InboundHandler {
    pub fn new(pull: PullService) -> Self {
        InboundHandler {
            pull,
            stop: CancellationToken::new(),
        }
    }

    /// The token that stops running pulls between pages.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Handles one message without the broker: what the consumer calls, and what tests call.
    /// Returns the pull's report when one ran.
    pub async fn process(
        &self,
        message: &InboundMessage,
    ) -> Result<Option<PullReport>, HandleError> {
        let (config_id, kind) = match message {
            InboundMessage::BookingSync(request) => {
                let kind = match request.sync_type {
                    SyncType::Full => PullKind::Full,
                    SyncType::Incremental => PullKind::Incremental,
                };
                (request.envelope.config_id.into(), kind)
            }
            InboundMessage::BookingCreated(e)
            | InboundMessage::BookingUpdated(e)
            | InboundMessage::BookingCancelled(e) => {
                let id = u64::try_from(e.qlo_apps_booking_id)
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        HandleError::Permanent(format!(
                            "qloAppsBookingId {} is not a QloApps order id",
                            e.qlo_apps_booking_id
                        ))
                    })?;
                (e.envelope.config_id.into(), PullKind::Booking(id))
            }
        };
        let pulled = self.pull.pull_until(config_id, kind, &self.stop).await;
        let trigger = if matches!(kind, PullKind::Booking(_)) {
            "booking"
        } else {
            "requested"
        };
        let (outcome, failed_orders) = match &pulled {
            Ok(report) => ("ok", report.counts.failed),
            Err(SyncError::PullBusy(_)) => ("busy", 0),
            Err(
                SyncError::ConfigNotFound(_)
                | SyncError::SyncDisabled(_)
                | SyncError::ChannelManagerOff(_),
            ) => ("not_syncing", 0),
            Err(_) => ("failed", 0),
        };
        sync_core::metrics_catalog::record_pull(config_id, trigger, outcome, failed_orders);
        match pulled {
            Ok(report) => Ok(Some(report)),
            Err(SyncError::PullBusy(_)) if !matches!(kind, PullKind::Booking(_)) => {
                tracing::info!(%config_id, "a pull is already running for this config; sync request skipped");
                Ok(None)
            }
            Err(
                e @ (SyncError::ConfigNotFound(_)
                | SyncError::SyncDisabled(_)
                | SyncError::ChannelManagerOff(_)),
            ) => {
                tracing::warn!(%config_id, error = %e, "nothing to pull; message dropped");
                Ok(None)
            }
            Err(SyncError::PullBusy(_)) => Err(HandleError::Deferred {
                reason: format!("a pull is already running for config {config_id}"),
            }),
            Err(e) => Err(e.into()),
        }
    }
}

#[async_trait]
impl MessageHandler<InboundMessage> for InboundHandler {
    async fn handle(&self, msg: &Delivered<InboundMessage>) -> Result<(), HandleError> {
        self.process(&msg.message)
            .instrument(msg.span())
            .await
            .map(drop)
    }
}
