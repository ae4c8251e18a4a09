//! Operator tools for the dead-letter queue (docs/dlq.md; docs/architecture.md, "Queue
//! topology"): list what is there and why, replay messages to the queue they
//! failed in once the cause is fixed, or discard them.
//!
//! Every operation takes messages with `basic.get` without acknowledging them, and settles
//! only the ones it acted on; closing its connection at the end hands every other message back
//! to the broker. On a classic queue (what [`Topology`] declares) RabbitMQ puts a message that
//! is handed back at its old position, so a listing, replay or discard keeps the order of what
//! it leaves behind. A message a running operation holds is invisible to another one for that
//! moment: run one operation at a time, and let a listing finish before replaying.
//!
//! **Replay is at least once.** A replayed copy is published to the original queue with a
//! publisher confirm, and the dead-lettered message is acked only after that confirm. If the
//! process or the connection dies in between, the message is both in its work queue and (handed
//! back by the broker) in the DLQ, and may be replayed twice. Nothing is ever lost; a duplicate
//! is harmless because handlers are idempotent (messages are notifications, see `queue`).

mod depths;
mod inspect;
mod pass;
mod preview;
mod replay;

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use futures::future::BoxFuture;
use serde::Serialize;
use utoipa::ToSchema;

pub use depths::{QueueDepth, QueueDepths};
pub use inspect::DeadLetterInfo;
pub use preview::DlqPreview;

use crate::queue::{connect, queue_depth, QueueError, Topology, DEFAULT_CONFIRM_TIMEOUT};

/// When the message was last replayed from the DLQ (RFC 3339).
pub const REPLAYED_AT: &str = "x-qlosync-replayed-at";
/// How many times it was replayed from the DLQ.
pub const REPLAY_COUNT: &str = "x-qlosync-replay-count";
/// `qlosync_dlq_depth{queue}`: messages waiting in the DLQ, set whenever it is read.
pub const DLQ_DEPTH: &str = sync_core::metrics_catalog::DLQ_DEPTH;

pub const DEFAULT_LIST_LIMIT: usize = 100;
/// At most this many messages are read for one listing, so a huge DLQ cannot exhaust memory.
pub const MAX_LIST_LIMIT: usize = 1_000;
/// At most this many ids in one [`Selection::Ids`] (a page of the console's multi-select).
pub const MAX_SELECTED_IDS: usize = 1_000;
/// The `reason` values a filter may name.
pub const REASONS: &[&str] = &[
    "permanent",
    "retries_exhausted",
    "invalid_message",
    "deferred_too_long",
    "expired",
    "maxlen",
    "rejected",
    "unknown",
];

#[derive(Debug, thiserror::Error)]
pub enum DlqError {
    /// RabbitMQ is unreachable or the connection failed.
    #[error("RabbitMQ: {0}")]
    Broker(#[from] QueueError),
    /// The DLQ (or, for [`DeadLetterQueue::queue_depths`], a work queue) was never declared:
    /// no qlosync process ran with this queue prefix.
    #[error("the queue {queue:?} does not exist (is QLOSYNC_QUEUE_PREFIX the workers' prefix?)")]
    Missing { queue: String },
    /// The connection broke during a replay or discard: `done` messages were settled before.
    /// Everything not settled is back in the DLQ (a replayed one may also be in its work queue).
    #[error(
        "interrupted after {done} messages, the rest are still in the dead-letter queue: {source}"
    )]
    Interrupted { done: u32, source: QueueError },
    #[error("limit must be between 1 and {MAX_LIST_LIMIT}")]
    InvalidLimit,
}

impl DlqError {
    /// RabbitMQ (or the queue) is not there: worth retrying later, a 503 for the API.
    pub fn is_unavailable(&self) -> bool {
        !matches!(self, DlqError::InvalidLimit)
    }
}

/// Which messages a replay or discard acts on. Filter fields are combined with AND.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DlqFilter {
    /// [`DeadLetterInfo::id`]
    pub id: Option<String>,
    pub event_type: Option<String>,
    /// compared case-insensitively
    pub config_id: Option<String>,
    /// one of [`REASONS`]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Only messages matching a filter that names at least one field.
    Matching(DlqFilter),
    /// Exactly the messages with these [`DeadLetterInfo::id`]s (the console's multi-select).
    Ids(BTreeSet<String>),
}

impl Selection {
    /// `None` when the filter names nothing: "all" must be asked for explicitly.
    pub fn matching(filter: DlqFilter) -> Option<Selection> {
        let empty = filter.id.is_none()
            && filter.event_type.is_none()
            && filter.config_id.is_none()
            && filter.reason.is_none();
        (!empty).then_some(Selection::Matching(filter))
    }

    /// `None` when `ids` is empty.
    pub fn ids(ids: impl IntoIterator<Item = String>) -> Option<Selection> {
        let ids: BTreeSet<String> = ids.into_iter().collect();
        (!ids.is_empty()).then_some(Selection::Ids(ids))
    }

    pub fn matches(&self, info: &DeadLetterInfo) -> bool {
        let f = match self {
            Selection::All => return true,
            Selection::Ids(ids) => return ids.contains(&info.id),
            Selection::Matching(f) => f,
        };
        let eq = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| got.as_ref() == Some(w))
        };
        f.id.as_ref().is_none_or(|id| *id == info.id)
            && eq(&f.event_type, &info.event_type)
            && f.config_id.as_ref().is_none_or(|want| {
                info.config_id
                    .as_ref()
                    .is_some_and(|got| got.eq_ignore_ascii_case(want))
            })
            && f.reason.as_ref().is_none_or(|r| *r == info.reason)
    }
}

/// A listing: the first `limit` messages, oldest first, and how many there are in all.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterList {
    pub queue: String,
    /// Messages ready in the DLQ when the listing started.
    pub total: u32,
    pub messages: Vec<DeadLetterInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    /// Published to their original queue (confirmed) and removed from the DLQ.
    pub replayed: u32,
    /// Not selected; left in the DLQ.
    pub skipped: u32,
    /// Selected but not replayed; left in the DLQ. See `failures`.
    pub failed: u32,
    /// Why, for the first 50 failures.
    pub failures: Vec<ReplayFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayFailure {
    pub id: String,
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscardReport {
    /// Removed from the DLQ for good.
    pub discarded: u32,
    /// Not selected; left in the DLQ.
    pub skipped: u32,
}

type Hook = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// The DLQ of one installation (one [`Topology`]). Each call opens its own connection and
/// closes it before returning.
#[derive(Clone)]
pub struct DeadLetterQueue {
    url: String,
    topology: Topology,
    timeout: Duration,
    /// Runs between a replay's confirm and its ack (tests simulate a crash there).
    after_confirm: Option<Hook>,
}

impl std::fmt::Debug for DeadLetterQueue {
    // the URL holds the broker password
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeadLetterQueue")
            .field("queue", &self.topology.dead_letter_queue())
            .finish_non_exhaustive()
    }
}

impl DeadLetterQueue {
    pub fn new(amqp_url: impl Into<String>, topology: Topology) -> Self {
        DeadLetterQueue {
            url: amqp_url.into(),
            topology,
            timeout: DEFAULT_CONFIRM_TIMEOUT,
            after_confirm: None,
        }
    }

    /// Test hook: `hook` runs after a replayed copy is confirmed, before the DLQ ack.
    #[cfg(feature = "test-support")]
    pub fn with_after_confirm_hook<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.after_confirm = Some(Arc::new(move || Box::pin(hook())));
        self
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn queue(&self) -> String {
        self.topology.dead_letter_queue()
    }

    /// Messages ready in the DLQ; also sets the `qlosync_dlq_depth` gauge.
    pub async fn depth(&self) -> Result<u32, DlqError> {
        let connection = connect(&self.url, "qlosync dlq depth").await?;
        let depth = self.read_depth(&connection).await;
        close(connection).await;
        depth
    }

    /// The first `limit` (1 to [`MAX_LIST_LIMIT`]) messages, left in place and in order.
    pub async fn list(&self, limit: usize) -> Result<DeadLetterList, DlqError> {
        if !(1..=MAX_LIST_LIMIT).contains(&limit) {
            return Err(DlqError::InvalidLimit);
        }
        let connection = connect(&self.url, "qlosync dlq list").await?;
        let listed = pass::peek(self, &connection, limit).await;
        // closing hands every message read back to the queue, at its old position
        close(connection).await;
        listed
    }

    /// Publishes each selected message to its original queue with fresh retry counters (see
    /// the module docs for the at-least-once guarantee). A message whose original queue is
    /// unknown or not one of this installation's work queues stays in the DLQ as a failure.
    pub async fn replay(&self, selection: &Selection) -> Result<ReplayReport, DlqError> {
        let connection = connect(&self.url, "qlosync dlq replay").await?;
        let report = pass::replay(self, &connection, selection).await;
        close(connection).await;
        report
    }

    /// Removes the selected messages for good.
    pub async fn discard(&self, selection: &Selection) -> Result<DiscardReport, DlqError> {
        let connection = connect(&self.url, "qlosync dlq discard").await?;
        let report = pass::discard(self, &connection, selection).await;
        close(connection).await;
        report
    }

    async fn read_depth(&self, connection: &lapin::Connection) -> Result<u32, DlqError> {
        let queue = self.queue();
        let depth = queue_depth(connection, &queue)
            .await
            .map_err(|e| depths::missing_as(e, &queue))?;
        metrics::gauge!(DLQ_DEPTH, "queue" => queue).set(f64::from(depth));
        Ok(depth)
    }
}

/// AMQP reply code of a passive declare of a queue that does not exist.
const NOT_FOUND: u16 = 404;

async fn close(connection: lapin::Connection) {
    if connection.status().connected() {
        // best effort: if the close fails the broker notices the dead socket and requeues too
        let closing = connection.close(200, "dlq operation done");
        let _ = tokio::time::timeout(Duration::from_secs(5), closing).await;
    }
}
