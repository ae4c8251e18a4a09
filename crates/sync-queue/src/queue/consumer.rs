//! The consumer base (docs/architecture.md, "Queue topology"): connection, prefetch, concurrency,
//! retries through delay queues, dead-lettering, reconnects and graceful shutdown. What a
//! message means is the [`MessageHandler`]'s business.

use std::{marker::PhantomData, sync::Arc};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use lapin::{
    options::{BasicCancelOptions, BasicConsumeOptions, BasicQosOptions},
    types::FieldTable,
    Connection,
};
use serde::de::DeserializeOwned;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::{
    connect,
    dispatch::{self, DispatchContext},
    Backoff, BrokerStatus, ConfirmPublisher, ConsumerConfig, QueueError, Topology,
};
use sync_core::messages::QueueKind;

/// A parsed delivery and what the plumbing knows about it.
#[derive(Debug, Clone)]
pub struct Delivered<M> {
    pub message: M,
    /// The work queue it came from (with prefix).
    pub queue: String,
    /// `eventType` from the JSON body, if it had one.
    pub event_type: Option<String>,
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
    /// The W3C `traceparent` AMQP header: the trace the message was written in.
    pub traceparent: Option<String>,
    /// Failed attempts before this one (0 on the first delivery).
    pub attempts: u32,
    /// Times the message was deferred so far.
    pub deferrals: u32,
    /// When the message was first published or, failing that, first received.
    pub first_seen_at: DateTime<Utc>,
    /// The broker redelivered it (a previous consumer died or shut down before acking).
    pub redelivered: bool,
}

impl<M> Delivered<M> {
    /// The span a handler runs the message in: what every log line of its processing, the
    /// QloApps calls included, carries (queue, type, ids, correlation id, attempts).
    pub fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "message",
            queue = %self.queue,
            event_type = self.event_type.as_deref().unwrap_or(""),
            message_id = self.message_id.as_deref().unwrap_or(""),
            correlation_id = self.correlation_id.as_deref().unwrap_or(""),
            attempts = self.attempts,
        )
    }
}

/// Why a handler did not complete a message, which decides where it goes next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    /// Retrying cannot help (validation, unmapped room type, ...): to the DLQ at once.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// May succeed later (timeout, 5xx, lock busy): retried after the retry delay, at most
    /// `max_retries` times, then to the DLQ.
    #[error("transient failure: {0}")]
    Transient(String),
    /// The message's QloApps config is unavailable (circuit open): tried again after the
    /// defer delay without using up a retry, until it is older than the message TTL.
    #[error("deferred: {reason}")]
    Deferred { reason: String },
}

/// What a message means. Called once per delivery; the message is acked when it returns Ok,
/// so return only after the effect is committed. Must be idempotent: a delivery can repeat.
#[async_trait]
pub trait MessageHandler<M>: Send + Sync + 'static {
    async fn handle(&self, msg: &Delivered<M>) -> Result<(), HandleError>;
}

/// Consumes one work queue with a [`MessageHandler`], until cancelled.
pub struct QueueConsumer<M, H> {
    url: String,
    topology: Topology,
    kind: QueueKind,
    config: ConsumerConfig,
    handler: Arc<H>,
    status: BrokerStatus,
    _message: PhantomData<fn() -> M>,
}

impl<M, H> QueueConsumer<M, H>
where
    M: DeserializeOwned + Send + Sync + 'static,
    H: MessageHandler<M>,
{
    pub fn new(
        url: impl Into<String>,
        topology: Topology,
        kind: QueueKind,
        config: ConsumerConfig,
        handler: H,
    ) -> Self {
        QueueConsumer {
            url: url.into(),
            topology,
            kind,
            config,
            handler: Arc::new(handler),
            status: BrokerStatus::default(),
            _message: PhantomData,
        }
    }

    /// Up while this consumer is consuming, down while it is (re)connecting: the worker's
    /// `/ready`.
    pub fn broker_status(&self) -> BrokerStatus {
        self.status.clone()
    }

    /// Consumes until `cancel` fires, reconnecting with capped backoff whenever the broker
    /// goes away. Returns Ok after a graceful shutdown, Err only for a non-transient error.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), QueueError> {
        let queue = self.topology.work_queue(self.kind);
        let mut backoff = Backoff::new(self.config.reconnect_min, self.config.reconnect_max);
        loop {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let session = self.session(&cancel, &mut backoff).await;
            self.status.set_connected(false);
            match session {
                Ok(()) => return Ok(()),
                Err(e) if !e.is_transient() => return Err(e),
                Err(e) => {
                    let delay = backoff.next_delay();
                    warn!(%queue, error = %e, ?delay, "consumer lost the broker; reconnecting");
                    tokio::select! {
                        _ = cancel.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// One connection's life: Ok when cancelled, Err when the connection failed.
    async fn session(
        &self,
        cancel: &CancellationToken,
        backoff: &mut Backoff,
    ) -> Result<(), QueueError> {
        let queue = self.topology.work_queue(self.kind);
        let connection = connect(&self.url, &format!("qlosync consumer {queue}")).await?;
        let result = self.consume(&connection, cancel, backoff).await;
        if connection.status().connected() {
            let _ = connection.close(200, "consumer stopping").await;
        }
        result
    }

    async fn consume(
        &self,
        connection: &Connection,
        cancel: &CancellationToken,
        backoff: &mut Backoff,
    ) -> Result<(), QueueError> {
        let queue = self.topology.work_queue(self.kind);
        let publisher = ConfirmPublisher::open(connection).await?;
        self.topology.declare(publisher.channel()).await?;
        let channel = connection.create_channel().await?;
        channel
            .basic_qos(self.config.prefetch, BasicQosOptions::default())
            .await?;
        let tag = format!("qlosync-{}", uuid::Uuid::new_v4());
        let mut deliveries = channel
            .basic_consume(
                &queue,
                &tag,
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        backoff.reset();
        self.status.set_link(connection, &channel);
        self.status.set_connected(true);
        info!(%queue, prefetch = self.config.prefetch, "consuming");

        let ctx = Arc::new(DispatchContext {
            handler: Arc::clone(&self.handler),
            publisher,
            topology: self.topology.clone(),
            kind: self.kind,
            queue: queue.clone(),
            max_retries: self.config.max_retries,
        });
        // at most `prefetch` tasks: the broker sends no more unacked deliveries than that
        let mut in_flight = JoinSet::new();
        let end = loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break Ok(()),
                Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                    if let Err(e) = joined {
                        warn!(%queue, error = %e, "message task failed; the broker will redeliver");
                    }
                }
                next = deliveries.next() => match next {
                    Some(Ok(delivery)) => {
                        in_flight.spawn(dispatch::process::<M, H>(Arc::clone(&ctx), delivery));
                    }
                    Some(Err(e)) => break Err(QueueError::from(e)),
                    None => break Err(QueueError::ConsumerEnded { queue: queue.clone() }),
                },
            }
        };
        if end.is_ok() && channel.status().connected() {
            // stop new deliveries; ones already prefetched are requeued when the channel closes
            let _ = channel
                .basic_cancel(&tag, BasicCancelOptions::default())
                .await;
        }
        self.finish_in_flight(&queue, in_flight).await;
        if channel.status().connected() {
            let _ = channel.close(200, "consumer stopping").await;
        }
        end
    }

    /// Lets in-flight messages finish (their effects may be half-way through a commit); after
    /// the grace period the rest are abandoned unacked, so the broker requeues them.
    async fn finish_in_flight(&self, queue: &str, mut in_flight: JoinSet<()>) {
        if in_flight.is_empty() {
            return;
        }
        info!(%queue, count = in_flight.len(), "waiting for in-flight messages");
        let drain = async { while in_flight.join_next().await.is_some() {} };
        if tokio::time::timeout(self.config.shutdown_grace, drain)
            .await
            .is_err()
        {
            warn!(%queue, "in-flight messages did not finish in time; they will be redelivered");
            in_flight.abort_all();
        }
    }
}
