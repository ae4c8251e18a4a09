//! The live depths of an installation's work queues and DLQ, read from RabbitMQ with passive
//! declares (what the console's health strip shows; the same numbers as
//! `qlosync_queue_depth{queue}`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{close, DeadLetterQueue, DlqError, NOT_FOUND};
use crate::queue::{connect, queue_depth, QueueError};
use sync_core::messages::QueueKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueDepth {
    /// the queue's full name, prefix included
    pub queue: String,
    /// messages ready in it (not counting those a consumer holds unacknowledged)
    pub messages: u32,
}

/// One reading of the three queues an operator watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueDepths {
    /// PMS changes waiting for the outbound worker
    pub outbound: QueueDepth,
    /// pull requests and booking events waiting for the inbound worker
    pub inbound: QueueDepth,
    /// messages the workers gave up on, waiting for an operator
    pub dead_letter: QueueDepth,
    pub read_at: DateTime<Utc>,
}

impl DeadLetterQueue {
    /// Reads the outbound, inbound and dead-letter queues' depths on one connection; a queue
    /// that was never declared is [`DlqError::Missing`]. Sets `qlosync_dlq_depth` too.
    pub async fn queue_depths(&self) -> Result<QueueDepths, DlqError> {
        let connection = connect(&self.url, "qlosync queue depths").await?;
        let read = self.read_depths(&connection).await;
        close(connection).await;
        read
    }

    async fn read_depths(&self, connection: &lapin::Connection) -> Result<QueueDepths, DlqError> {
        let work = |kind| async move {
            let queue = self.topology.work_queue(kind);
            let messages = queue_depth(connection, &queue)
                .await
                .map_err(|e| missing_as(e, &queue))?;
            Ok::<_, DlqError>(QueueDepth { queue, messages })
        };
        let outbound = work(QueueKind::Outbound).await?;
        let inbound = work(QueueKind::Inbound).await?;
        let dead_letter = QueueDepth {
            messages: self.read_depth(connection).await?,
            queue: self.queue(),
        };
        Ok(QueueDepths {
            outbound,
            inbound,
            dead_letter,
            read_at: Utc::now(),
        })
    }
}

/// A passive declare's NOT_FOUND as [`DlqError::Missing`] naming `queue`; else a broker error.
pub(super) fn missing_as(error: QueueError, queue: &str) -> DlqError {
    match error {
        QueueError::Broker(lapin::Error::ProtocolError(amqp)) if amqp.get_id() == NOT_FOUND => {
            DlqError::Missing {
                queue: queue.to_owned(),
            }
        }
        other => DlqError::Broker(other),
    }
}
