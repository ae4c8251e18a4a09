use std::time::Duration;

use lapin::{
    options::{
        ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
        QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable, ShortString},
    Channel, ExchangeKind,
};

use super::{QueueConfig, QueueError, QueueType};

/// AMQP reply code for a redeclaration with different arguments.
const PRECONDITION_FAILED: u16 = 406;
use sync_core::messages::QueueKind;

/// The queues and exchanges of one installation (one prefix `{p}`), declared idempotently by
/// every process at start (docs/architecture.md, "Queue topology"). All durable; messages are published persistent.
/// Every queue is of `QLOSYNC_QUEUE_TYPE` (default quorum: replicated on the cluster's nodes).
///
/// - `{p}qloapps.outbound`, `{p}qloapps.inbound`: work queues with `x-max-length` (default
///   10000), `x-message-ttl` (24 h) and `x-dead-letter-exchange: {p}qloapps.dlx`, so
///   expired messages are dead-lettered. Quorum: `x-overflow: reject-publish` (a full queue
///   nacks the publisher: the outbox relay keeps the row and retries, the back-pressure) and
///   `x-dead-letter-strategy: at-least-once` (a dead-lettered message leaves the queue only
///   once the DLQ confirmed it). Classic: `x-overflow: drop-head` (the oldest message is
///   dead-lettered), the arguments of earlier versions.
/// - `{p}qloapps.dlx`: fanout exchange bound to `{p}qloapps.dlq`.
/// - `{p}qloapps.dlq`: no limits; messages stay until an operator replays or discards them (a
///   limit would bounce dead letters back into the work queues).
/// - `{p}qloapps.{outbound,inbound}.delay.{ms}ms`: one delay queue per delay (retry, defer)
///   with `x-message-ttl: ms`, `x-dead-letter-exchange: ""` and `x-dead-letter-routing-key`
///   = the work queue: a message published there returns to its work queue after the delay,
///   and since every message in it waits the same time none holds up another. Quorum: the
///   return is at least once too; no length limit of its own (what it holds left a work queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    config: QueueConfig,
}

impl Topology {
    pub fn new(config: QueueConfig) -> Self {
        Topology { config }
    }

    pub fn config(&self) -> &QueueConfig {
        &self.config
    }

    pub fn prefix(&self) -> &str {
        &self.config.prefix
    }

    /// `{prefix}qloapps.outbound` or `{prefix}qloapps.inbound`.
    pub fn work_queue(&self, kind: QueueKind) -> String {
        format!("{}qloapps.{}", self.config.prefix, kind.as_str())
    }

    pub fn dead_letter_queue(&self) -> String {
        format!("{}qloapps.dlq", self.config.prefix)
    }

    /// Fanout exchange the broker dead-letters expired and overflowing messages to.
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}qloapps.dlx", self.config.prefix)
    }

    /// The delay queue for `delay`: a message published to it returns to `kind`'s work queue
    /// after `delay`. One queue per delay, so a long wait never holds up a shorter one.
    pub fn delay_queue(&self, kind: QueueKind, delay: Duration) -> String {
        format!("{}.delay.{}ms", self.work_queue(kind), delay.as_millis())
    }

    pub fn retry_queue(&self, kind: QueueKind) -> String {
        self.delay_queue(kind, self.config.retry_delay)
    }

    pub fn defer_queue(&self, kind: QueueKind) -> String {
        self.delay_queue(kind, self.config.defer_delay)
    }

    fn delays(&self) -> Vec<Duration> {
        let mut delays = vec![self.config.retry_delay, self.config.defer_delay];
        delays.dedup();
        delays
    }

    /// Every queue name, work queues first (for depth gauges and clean-up).
    pub fn all_queues(&self) -> Vec<String> {
        let kinds = [QueueKind::Outbound, QueueKind::Inbound];
        let mut names: Vec<String> = kinds.iter().map(|k| self.work_queue(*k)).collect();
        names.push(self.dead_letter_queue());
        for kind in kinds {
            names.extend(self.delays().into_iter().map(|d| self.delay_queue(kind, d)));
        }
        names
    }

    /// Declares everything; declaring again with the same config changes nothing. Fails with
    /// [`QueueError::TopologyMismatch`] if a queue exists with other arguments.
    pub async fn declare(&self, channel: &Channel) -> Result<(), QueueError> {
        self.declare_all(channel).await.map_err(|e| match e {
            lapin::Error::ProtocolError(amqp) if amqp.get_id() == PRECONDITION_FAILED => {
                let detail = amqp.to_string();
                if detail.contains("x-queue-type") {
                    QueueError::QueueTypeMismatch {
                        configured: self.config.queue_type,
                        detail,
                    }
                } else {
                    QueueError::TopologyMismatch(detail)
                }
            }
            other => QueueError::Broker(other),
        })
    }

    async fn declare_all(&self, channel: &Channel) -> Result<(), lapin::Error> {
        let durable = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        let dlx = self.dead_letter_exchange();
        let dlq = self.dead_letter_queue();
        let exchange_options = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        channel
            .exchange_declare(
                &dlx,
                ExchangeKind::Fanout,
                exchange_options,
                FieldTable::default(),
            )
            .await?;
        channel
            .queue_declare(&dlq, durable, self.typed(FieldTable::default()))
            .await?;
        channel
            .queue_bind(
                &dlq,
                &dlx,
                "",
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        for kind in [QueueKind::Outbound, QueueKind::Inbound] {
            let work = self.work_queue(kind);
            channel
                .queue_declare(&work, durable, self.work_queue_arguments())
                .await?;
            for delay in self.delays() {
                let args = self.at_least_once(delay_queue_arguments(&work, delay));
                channel
                    .queue_declare(&self.delay_queue(kind, delay), durable, args)
                    .await?;
            }
        }
        Ok(())
    }

    fn work_queue_arguments(&self) -> FieldTable {
        let mut args = FieldTable::default();
        let max_length = i64::from(self.config.max_length);
        args.insert("x-max-length".into(), AMQPValue::LongLongInt(max_length));
        let ttl = ttl_millis(self.config.message_ttl);
        args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ttl));
        args.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString(self.dead_letter_exchange().into()),
        );
        match self.config.queue_type {
            QueueType::Quorum => self.at_least_once(args),
            // Classic: the earlier versions' overflow, drop-head dead-lettered through the DLX
            // (an ack then means "in the work queue or in the DLQ", one copy), so classic
            // queues they declared are redeclared unchanged. Not reject-publish-dlx: that
            // nacks the publisher *and* dead-letters (tests/queue/topology.rs), and the relay,
            // retrying a nacked row, would put a new copy in the DLQ on every retry.
            QueueType::Classic => {
                args.insert(
                    "x-overflow".into(),
                    AMQPValue::LongString("drop-head".into()),
                );
                args
            }
        }
    }

    /// Quorum: `args` plus the type, `x-overflow: reject-publish` and at-least-once
    /// dead-lettering (which needs reject-publish); classic: `args` unchanged.
    fn at_least_once(&self, mut args: FieldTable) -> FieldTable {
        if self.config.queue_type == QueueType::Quorum {
            args.insert(
                "x-overflow".into(),
                AMQPValue::LongString("reject-publish".into()),
            );
            args.insert(
                ShortString::from("x-dead-letter-strategy"),
                AMQPValue::LongString("at-least-once".into()),
            );
        }
        self.typed(args)
    }

    /// `args` with `x-queue-type` for a quorum queue. A classic queue is declared without it,
    /// as earlier versions did, so that their queues are redeclared without a mismatch.
    fn typed(&self, mut args: FieldTable) -> FieldTable {
        if self.config.queue_type == QueueType::Quorum {
            args.insert(
                "x-queue-type".into(),
                AMQPValue::LongString("quorum".into()),
            );
        }
        args
    }

    /// Deletes every queue and exchange of this prefix, messages included (tests, teardown).
    pub async fn delete(&self, channel: &Channel) -> Result<(), QueueError> {
        for queue in self.all_queues() {
            channel
                .queue_delete(&queue, QueueDeleteOptions::default())
                .await?;
        }
        channel
            .exchange_delete(
                &self.dead_letter_exchange(),
                ExchangeDeleteOptions::default(),
            )
            .await?;
        Ok(())
    }
}

fn delay_queue_arguments(work_queue: &str, delay: Duration) -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-message-ttl".into(),
        AMQPValue::LongLongInt(ttl_millis(delay)),
    );
    // back to the work queue through the default exchange once the delay has passed
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString("".into()),
    );
    args.insert(
        ShortString::from("x-dead-letter-routing-key"),
        AMQPValue::LongString(work_queue.into()),
    );
    args
}

fn ttl_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_prefix() {
        let t = Topology::new(QueueConfig {
            prefix: "t42.".into(),
            ..QueueConfig::default()
        });
        assert_eq!(t.work_queue(QueueKind::Outbound), "t42.qloapps.outbound");
        assert_eq!(t.work_queue(QueueKind::Inbound), "t42.qloapps.inbound");
        assert_eq!(t.dead_letter_queue(), "t42.qloapps.dlq");
        assert_eq!(
            t.retry_queue(QueueKind::Outbound),
            "t42.qloapps.outbound.delay.2000ms"
        );
        assert_eq!(
            t.defer_queue(QueueKind::Inbound),
            "t42.qloapps.inbound.delay.30000ms"
        );
        assert_eq!(t.all_queues().len(), 7);
    }
}
