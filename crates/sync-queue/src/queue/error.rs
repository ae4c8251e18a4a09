use std::time::Duration;

/// What went wrong talking to RabbitMQ.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Connection, channel or protocol failure; the caller reconnects.
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
    /// The broker refused to take responsibility for a message (basic.nack).
    #[error("the broker nacked the message published to {routing_key:?}")]
    Nacked { routing_key: String },
    /// No queue was bound for the routing key (mandatory publish returned).
    #[error("no queue for routing key {routing_key:?} (message returned unroutable)")]
    Unroutable { routing_key: String },
    /// No confirm within the time limit (the broker may be blocking publishers, e.g. on a
    /// memory or disk alarm). The message may still arrive: treat it as not sent.
    #[error("no confirm from the broker within {after:?} for {routing_key:?}")]
    ConfirmTimeout {
        routing_key: String,
        after: Duration,
    },
    /// The channel was not in confirm mode; should not happen with [`super::ConfirmPublisher`].
    #[error("publisher confirms were not enabled on the channel")]
    ConfirmsNotEnabled,
    /// A queue or exchange exists with other arguments (PRECONDITION_FAILED): another process
    /// runs with a different `QLOSYNC_QUEUE_*` config. Reconnecting cannot fix it.
    #[error(
        "topology mismatch (check QLOSYNC_QUEUE_* settings across processes, docs/queues.md): {0}"
    )]
    TopologyMismatch(String),
    /// Queues exist with another `x-queue-type` than `QLOSYNC_QUEUE_TYPE` (typically classic
    /// queues of an earlier version, now declared quorum). RabbitMQ cannot change a queue's
    /// type in place; reconnecting cannot fix it.
    #[error(
        "the queues exist with another type than QLOSYNC_QUEUE_TYPE={configured} ({detail}); \
         RabbitMQ cannot change a queue's type: migrate them as docs/queues.md describes \
         (drain, stop, delete, start), or keep the old queues with QLOSYNC_QUEUE_TYPE=classic"
    )]
    QueueTypeMismatch {
        configured: super::QueueType,
        detail: String,
    },
    /// `RABBITMQ_URL` named no URL.
    #[error("no broker URL to connect to (RABBITMQ_URL is empty)")]
    NoBrokerUrl,
    /// A node did not accept the connection in time.
    #[error("the broker did not accept the connection within {after:?}")]
    ConnectTimeout { after: Duration },
    /// A message could not be encoded.
    #[error("encode message: {0}")]
    Encode(#[from] serde_json::Error),
    /// A setting from the environment did not parse.
    #[error("invalid setting {name}: {reason}")]
    Config { name: &'static str, reason: String },
    /// The consume stream ended: the broker cancelled the consumer or the connection closed.
    #[error("the consumer on {queue} stopped receiving deliveries")]
    ConsumerEnded { queue: String },
}

impl QueueError {
    /// Whether retrying after reconnecting may succeed.
    pub fn is_transient(&self) -> bool {
        !matches!(
            self,
            QueueError::Encode(_)
                | QueueError::Config { .. }
                | QueueError::ConfirmsNotEnabled
                | QueueError::TopologyMismatch(_)
                | QueueError::QueueTypeMismatch { .. }
                | QueueError::NoBrokerUrl
        )
    }

    /// The broker refused the declared topology: a configuration conflict that only an
    /// operator can resolve, so a process stops on it instead of retrying.
    pub fn is_topology_conflict(&self) -> bool {
        matches!(
            self,
            QueueError::TopologyMismatch(_) | QueueError::QueueTypeMismatch { .. }
        )
    }
}
