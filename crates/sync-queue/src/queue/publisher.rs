use std::time::Duration;

use lapin::{
    options::{BasicPublishOptions, ConfirmSelectOptions},
    publisher_confirm::{Confirmation, PublisherConfirm},
    types::{AMQPValue, FieldTable, ShortString},
    BasicProperties, Channel, Connection,
};

use super::{headers, QueueError, Topology};
use sync_core::messages::Message;

/// A channel in confirm mode: a publish returns only once the broker has taken the message
/// (persisted, for a persistent message to a durable queue) or has refused it.
///
/// Every publish is `mandatory`, so a message for a queue that does not exist comes back as
/// [`QueueError::Unroutable`] instead of being confirmed and silently dropped.
#[derive(Clone)]
pub struct ConfirmPublisher {
    channel: Channel,
    confirm_timeout: Duration,
}

/// How long a publish waits for its confirm by default.
pub const DEFAULT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(30);

/// A publish whose confirm has not arrived yet; lets a caller pipeline a batch.
pub struct PendingConfirm {
    confirm: PublisherConfirm,
    routing_key: String,
    timeout: Duration,
}

impl PendingConfirm {
    /// Waits for the confirm, at most the publisher's confirm timeout.
    pub async fn wait(self) -> Result<(), QueueError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        self.wait_until(deadline).await
    }

    /// Waits for the confirm until `deadline` (one deadline for a whole batch).
    pub async fn wait_until(self, deadline: tokio::time::Instant) -> Result<(), QueueError> {
        let routing_key = self.routing_key;
        let Ok(confirmation) = tokio::time::timeout_at(deadline, self.confirm).await else {
            return Err(QueueError::ConfirmTimeout {
                routing_key,
                after: self.timeout,
            });
        };
        match confirmation? {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(_)) => Err(QueueError::Unroutable { routing_key }),
            Confirmation::Nack(_) => Err(QueueError::Nacked { routing_key }),
            Confirmation::NotRequested => Err(QueueError::ConfirmsNotEnabled),
        }
    }
}

impl ConfirmPublisher {
    /// Opens a channel on `connection` and puts it in confirm mode.
    pub async fn open(connection: &Connection) -> Result<Self, QueueError> {
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(ConfirmPublisher {
            channel,
            confirm_timeout: DEFAULT_CONFIRM_TIMEOUT,
        })
    }

    /// Sets how long [`PendingConfirm::wait`] waits (default [`DEFAULT_CONFIRM_TIMEOUT`]).
    pub fn with_confirm_timeout(mut self, timeout: Duration) -> Self {
        self.confirm_timeout = timeout;
        self
    }

    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Sends without waiting for the confirm.
    pub async fn send(
        &self,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        properties: BasicProperties,
    ) -> Result<PendingConfirm, QueueError> {
        let options = BasicPublishOptions {
            mandatory: true,
            ..BasicPublishOptions::default()
        };
        // a broker blocking publishers (resource alarm) can stall the send itself
        let publish =
            self.channel
                .basic_publish(exchange, routing_key, options, payload, properties);
        let confirm = tokio::time::timeout(self.confirm_timeout, publish)
            .await
            .map_err(|_| QueueError::ConfirmTimeout {
                routing_key: routing_key.to_owned(),
                after: self.confirm_timeout,
            })??;
        Ok(PendingConfirm {
            confirm,
            routing_key: routing_key.to_owned(),
            timeout: self.confirm_timeout,
        })
    }

    /// Publishes to `queue` through the default exchange and waits for the confirm.
    pub async fn publish_to_queue(
        &self,
        queue: &str,
        payload: &[u8],
        properties: BasicProperties,
    ) -> Result<(), QueueError> {
        self.send("", queue, payload, properties)
            .await?
            .wait()
            .await
    }

    /// Publishes a typed message to its work queue, persistent, with the properties the
    /// outbox relay sets too; for callers that need no outbox (tests, DLQ replay tools).
    pub async fn publish_message<M: Message>(
        &self,
        topology: &Topology,
        message: &M,
    ) -> Result<(), QueueError> {
        let envelope = message.envelope();
        let payload = serde_json::to_vec(message)?;
        let properties = message_properties(
            &envelope.message_id.to_string(),
            message.event_type(),
            envelope.correlation_id.as_deref(),
            envelope.timestamp.timestamp(),
            &envelope.config_id.to_string(),
        );
        let properties = with_traceparent(properties, envelope.traceparent.as_deref());
        self.publish_to_queue(&topology.work_queue(message.queue()), &payload, properties)
            .await
    }
}

/// Adds the W3C `traceparent` header (the message's trace context) to `props`.
pub fn with_traceparent(props: BasicProperties, traceparent: Option<&str>) -> BasicProperties {
    let Some(traceparent) = traceparent else {
        return props;
    };
    let mut table = props.headers().clone().unwrap_or_default();
    table.insert(
        ShortString::from(qlosync_trace_context::HEADER),
        AMQPValue::LongString(traceparent.into()),
    );
    props.with_headers(table)
}

/// Properties of a qlosync message: persistent JSON, `message_id`, `type` = eventType,
/// `timestamp` = creation time (the age a deferral is measured against), the config id in a
/// header so operators can filter the DLQ by hotel.
pub fn message_properties(
    message_id: &str,
    event_type: &str,
    correlation_id: Option<&str>,
    created_at_unix: i64,
    config_id: &str,
) -> BasicProperties {
    let mut table = FieldTable::default();
    table.insert(
        ShortString::from(headers::CONFIG_ID),
        AMQPValue::LongString(config_id.into()),
    );
    let mut props = BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/json".into())
        .with_message_id(message_id.into())
        .with_type(event_type.into())
        .with_timestamp(u64::try_from(created_at_unix).unwrap_or(0))
        .with_app_id("qlosync".into())
        .with_headers(table);
    if let Some(id) = correlation_id {
        props = props.with_correlation_id(id.into());
    }
    props
}
