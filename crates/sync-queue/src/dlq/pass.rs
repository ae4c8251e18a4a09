//! One pass over the DLQ: `basic.get` without ack, act on the selected messages, and leave the
//! rest unacked so that closing the connection hands them back (see the module docs).

use std::sync::atomic::{AtomicU32, Ordering};
use std::{future::Future, io, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use lapin::{
    acker::Acker,
    message::Delivery,
    options::{BasicAckOptions, BasicGetOptions},
    Channel, Connection,
};

use super::replay::{replay_properties, target_queue};
use super::{
    DeadLetterInfo, DeadLetterList, DeadLetterQueue, DiscardReport, DlqError, DlqPreview,
    ReplayFailure, ReplayReport, Selection,
};
use crate::queue::{queue_depth, ConfirmPublisher, PendingConfirm, QueueError};

/// How long a pass waits for the messages it left unacked to be ready again, and how often it
/// looks.
const SETTLE_LIMIT: Duration = Duration::from_secs(2);
const SETTLE_POLL: Duration = Duration::from_millis(10);
/// Replayed copies published before their confirms are awaited (pipelining).
const CONFIRM_BATCH: usize = 64;
/// Failures described in a report; the rest are only counted.
const MAX_FAILURES_SHOWN: usize = 50;

/// Reads the DLQ up to its depth at the start, so that messages dead-lettered meanwhile (a
/// replayed message failing again at once, say) cannot keep a pass going forever.
struct Scan<'c> {
    connection: &'c Connection,
    channel: Channel,
    queue: String,
    remaining: u32,
    /// The DLQ's depth when the pass began, and the messages it removed (acked) since.
    depth_at_start: u32,
    removed: AtomicU32,
    started: DateTime<Utc>,
    timeout: Duration,
}

impl<'c> Scan<'c> {
    async fn open(dlq: &DeadLetterQueue, connection: &'c Connection) -> Result<Self, DlqError> {
        let started = Utc::now();
        let timeout = dlq.timeout;
        let remaining = dlq.read_depth(connection).await?;
        let channel = guarded(connection, timeout, connection.create_channel()).await?;
        Ok(Scan {
            connection,
            channel,
            queue: dlq.queue(),
            remaining,
            depth_at_start: remaining,
            removed: AtomicU32::new(0),
            started,
            timeout,
        })
    }

    async fn next(&mut self) -> Result<Option<Delivery>, QueueError> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        let options = BasicGetOptions { no_ack: false };
        let get = self.channel.basic_get(&self.queue, options);
        let got = guarded(self.connection, self.timeout, get).await?;
        Ok(got.map(|m| m.delivery))
    }

    /// Closes the pass's channel, handing back what it left unacked. Done before the
    /// connection closes: lapin logs an ERROR for every channel still open when it does.
    /// The broker requeues those messages after it has answered the close, so the pass waits
    /// (up to [`SETTLE_LIMIT`]) until they are ready again: a listing right after a replay or
    /// discard then sees every message that is left.
    async fn close(self) {
        close_channel(self.connection, self.timeout, &self.channel).await;
        let expected = self
            .depth_at_start
            .saturating_sub(self.removed.load(Ordering::Relaxed));
        let settle = async {
            while queue_depth(self.connection, &self.queue)
                .await
                .is_ok_and(|depth| depth < expected)
            {
                tokio::time::sleep(SETTLE_POLL).await;
            }
        };
        let _ = tokio::time::timeout(SETTLE_LIMIT, settle).await;
    }

    async fn ack(&self, acker: &Acker) -> Result<(), QueueError> {
        guarded(
            self.connection,
            self.timeout,
            acker.ack(BasicAckOptions::default()),
        )
        .await?;
        self.removed.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

async fn close_channel(connection: &Connection, limit: Duration, channel: &Channel) {
    if channel.status().connected() {
        // best effort: closing the connection next hands everything back anyway
        let _ = guarded(connection, limit, channel.close(200, "dlq pass done")).await;
    }
}

/// One broker call that fails at once on a broken connection and after `limit`: once the
/// socket is gone, lapin can leave a call waiting forever.
async fn guarded<T>(
    connection: &Connection,
    limit: Duration,
    call: impl Future<Output = lapin::Result<T>>,
) -> Result<T, QueueError> {
    let status = connection.status();
    if !status.connected() {
        return Err(lapin::Error::InvalidConnectionState(status.state()).into());
    }
    match tokio::time::timeout(limit, call).await {
        Ok(result) => Ok(result?),
        Err(_) => {
            let message = format!("no answer from RabbitMQ within {limit:?}");
            let timed_out = io::Error::new(io::ErrorKind::TimedOut, message);
            Err(lapin::Error::IOError(Arc::new(timed_out)).into())
        }
    }
}

/// The first `limit` messages; the caller closes the connection, which requeues them.
pub(super) async fn peek(
    dlq: &DeadLetterQueue,
    connection: &Connection,
    limit: usize,
) -> Result<DeadLetterList, DlqError> {
    let mut scan = Scan::open(dlq, connection).await?;
    let total = scan.remaining;
    scan.remaining = total.min(u32::try_from(limit).unwrap_or(u32::MAX));
    let mut messages = Vec::new();
    while let Some(delivery) = scan.next().await? {
        messages.push(DeadLetterInfo::read(&delivery.properties, &delivery.data));
    }
    let queue = scan.queue.clone();
    scan.close().await;
    Ok(DeadLetterList {
        queue,
        total,
        messages,
    })
}

/// Every message up to the depth at the start, read and handed back (the caller closes the
/// connection): how many `selection` matches, and how many of those a replay could publish.
pub(super) async fn count(
    dlq: &DeadLetterQueue,
    connection: &Connection,
    selection: &Selection,
) -> Result<DlqPreview, DlqError> {
    let mut scan = Scan::open(dlq, connection).await?;
    let mut preview = DlqPreview {
        queue: scan.queue.clone(),
        total: scan.remaining,
        matching: 0,
        replayable: 0,
    };
    while let Some(delivery) = scan.next().await? {
        let info = DeadLetterInfo::read(&delivery.properties, &delivery.data);
        if selection.matches(&info) {
            preview.matching += 1;
            if target_queue(&info, &dlq.topology).is_ok() {
                preview.replayable += 1;
            }
        }
    }
    scan.close().await;
    Ok(preview)
}

pub(super) async fn discard(
    dlq: &DeadLetterQueue,
    connection: &Connection,
    selection: &Selection,
) -> Result<DiscardReport, DlqError> {
    let mut scan = Scan::open(dlq, connection).await?;
    let mut report = DiscardReport::default();
    let broken = |done, source| DlqError::Interrupted { done, source };
    while let Some(delivery) = scan.next().await.map_err(|e| broken(report.discarded, e))? {
        let info = DeadLetterInfo::read(&delivery.properties, &delivery.data);
        if selection.matches(&info) {
            let acked = scan.ack(&delivery.acker).await;
            acked.map_err(|e| broken(report.discarded, e))?;
            report.discarded += 1;
        } else {
            report.skipped += 1;
        }
    }
    scan.close().await;
    Ok(report)
}

/// A replayed copy waiting for its confirm, and the DLQ delivery to ack once it arrives.
struct InFlight {
    id: String,
    acker: Acker,
    pending: PendingConfirm,
}

pub(super) async fn replay(
    dlq: &DeadLetterQueue,
    connection: &Connection,
    selection: &Selection,
) -> Result<ReplayReport, DlqError> {
    let mut scan = Scan::open(dlq, connection).await?;
    let opened = guarded(connection, dlq.timeout, async {
        Ok(ConfirmPublisher::open(connection).await)
    });
    let publisher = opened.await??.with_confirm_timeout(dlq.timeout);
    let mut report = ReplayReport::default();
    let mut batch = Vec::with_capacity(CONFIRM_BATCH);
    loop {
        let next = scan.next().await;
        let Some(delivery) = next.map_err(|e| interrupted(&report, e))? else {
            break;
        };
        let info = DeadLetterInfo::read(&delivery.properties, &delivery.data);
        // a copy this pass replayed that failed again already is left for the next pass
        let replayed_now = info.last_replayed_at.is_some_and(|t| t >= scan.started);
        if !selection.matches(&info) || replayed_now {
            report.skipped += 1;
            continue;
        }
        let queue = match target_queue(&info, &dlq.topology) {
            Ok(queue) => queue,
            Err(error) => {
                record_failure(&mut report, info.id, error);
                continue;
            }
        };
        let properties = replay_properties(&delivery.properties, Utc::now());
        let sent = publisher.send("", &queue, &delivery.data, properties).await;
        let pending = sent.map_err(|e| interrupted(&report, e))?;
        batch.push(InFlight {
            id: info.id,
            acker: delivery.acker,
            pending,
        });
        if batch.len() >= CONFIRM_BATCH {
            settle(dlq, &scan, &mut batch, &mut report).await?;
        }
    }
    settle(dlq, &scan, &mut batch, &mut report).await?;
    close_channel(connection, dlq.timeout, publisher.channel()).await;
    scan.close().await;
    Ok(report)
}

/// Waits for each confirm, then acks the DLQ delivery: never before, so a crash in between
/// leaves the message in the DLQ (and, confirmed, in its work queue too).
async fn settle(
    dlq: &DeadLetterQueue,
    scan: &Scan<'_>,
    batch: &mut Vec<InFlight>,
    report: &mut ReplayReport,
) -> Result<(), DlqError> {
    for flight in batch.drain(..) {
        match flight.pending.wait().await {
            Ok(()) => {
                if let Some(hook) = &dlq.after_confirm {
                    hook().await;
                }
                let acked = scan.ack(&flight.acker).await;
                acked.map_err(|e| interrupted(report, e))?;
                report.replayed += 1;
            }
            // refused by the broker: the message stays in the DLQ
            Err(e @ (QueueError::Nacked { .. } | QueueError::Unroutable { .. })) => {
                record_failure(report, flight.id, e.to_string());
            }
            // connection lost or broker blocking publishers: stop, the rest stays in the DLQ
            Err(e) => return Err(interrupted(report, e)),
        }
    }
    Ok(())
}

fn interrupted(report: &ReplayReport, source: QueueError) -> DlqError {
    DlqError::Interrupted {
        done: report.replayed,
        source,
    }
}

fn record_failure(report: &mut ReplayReport, id: String, error: String) {
    report.failed += 1;
    if report.failures.len() < MAX_FAILURES_SHOWN {
        report.failures.push(ReplayFailure { id, error });
    }
}
