//! RabbitMQ plumbing shared by every process (docs/architecture.md, "Queue topology"): the topology each process
//! declares at start, a publisher that waits for broker confirms, and the consumer base the
//! workers build on.
//!
//! Delivery is at least once: a message is acked only after its effect is committed, so a
//! crash may redeliver it. Handlers must be idempotent (messages are notifications; the worker
//! reloads the current rows, and `messageId` identifies a message).

mod backoff;
pub(crate) mod config;
mod connect;
mod consumer;
mod dispatch;
mod error;
pub mod headers;
mod metrics;
mod publisher;
mod status;
mod topology;

pub use backoff::Backoff;
pub use config::{ConsumerConfig, QueueConfig, QueueType};
pub use connect::{broker_urls, connect, validate_broker_urls};
pub use consumer::{Delivered, HandleError, MessageHandler, QueueConsumer};
pub use error::QueueError;
pub use metrics::{queue_depth, record_queue_depths, watch_queue_depths};
pub use publisher::{
    message_properties, with_traceparent, ConfirmPublisher, PendingConfirm, DEFAULT_CONFIRM_TIMEOUT,
};
pub use status::{BrokerReport, BrokerStatus};
pub use topology::Topology;
