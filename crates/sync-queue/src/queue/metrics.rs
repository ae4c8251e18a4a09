use lapin::{options::QueueDeclareOptions, types::FieldTable, Connection};

use super::{QueueError, Topology};

use sync_core::metrics_catalog::{
    DLQ_ARRIVALS_TOTAL, MESSAGES_TOTAL, MESSAGE_DURATION, MESSAGE_RETRIES_TOTAL as RETRIES_TOTAL,
    QUEUE_DEPTH,
};

/// How a delivery ended, the `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Retried,
    Deferred,
    DeadLettered,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Retried => "retried",
            Outcome::Deferred => "deferred",
            Outcome::DeadLettered => "dead_lettered",
        }
    }
}

/// Counts a settled delivery, its handling time and, when dead-lettered, its reason (one of
/// the dispatcher's few fixed reasons).
pub(crate) fn record_settled(
    queue: &str,
    event_type: &str,
    outcome: Outcome,
    dead_letter_reason: Option<&'static str>,
    elapsed: std::time::Duration,
) {
    record_outcome(queue, event_type, outcome);
    metrics::histogram!(
        MESSAGE_DURATION,
        "queue" => queue.to_owned(),
        "event_type" => event_type.to_owned(),
        "outcome" => outcome.as_str(),
    )
    .record(elapsed.as_secs_f64());
    if let Some(reason) = dead_letter_reason {
        metrics::counter!(DLQ_ARRIVALS_TOTAL, "queue" => queue.to_owned(), "reason" => reason)
            .increment(1);
    }
}

pub(crate) fn record_outcome(queue: &str, event_type: &str, outcome: Outcome) {
    metrics::counter!(
        MESSAGES_TOTAL,
        "queue" => queue.to_owned(),
        "event_type" => event_type.to_owned(),
        "outcome" => outcome.as_str(),
    )
    .increment(1);
    if outcome == Outcome::Retried {
        metrics::counter!(
            RETRIES_TOTAL,
            "queue" => queue.to_owned(),
            "event_type" => event_type.to_owned(),
        )
        .increment(1);
    }
}

/// Messages ready in `queue` (a passive declare, so a missing queue is an error, not created).
/// Uses a channel of its own: a failed passive declare closes the channel it ran on.
pub async fn queue_depth(connection: &Connection, queue: &str) -> Result<u32, QueueError> {
    let channel = connection.create_channel().await?;
    let options = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let result = channel
        .queue_declare(queue, options, FieldTable::default())
        .await;
    if channel.status().connected() {
        // best effort: the channel is gone anyway if the declare failed
        let _ = channel.close(200, "depth read").await;
    }
    Ok(result?.message_count())
}

/// Reads every queue of `topology` and sets `qlosync_queue_depth{queue}`; returns the depths.
pub async fn record_queue_depths(
    connection: &Connection,
    topology: &Topology,
) -> Result<Vec<(String, u32)>, QueueError> {
    let mut depths = Vec::new();
    for queue in topology.all_queues() {
        let depth = queue_depth(connection, &queue).await?;
        metrics::gauge!(QUEUE_DEPTH, "queue" => queue.clone()).set(f64::from(depth));
        depths.push((queue, depth));
    }
    Ok(depths)
}

/// Sets `qlosync_queue_depth{queue}` (work, delay and dead-letter queues) every `every`, on a
/// connection of its own, until cancelled. A broker that is away only delays the next reading.
/// A connection on which the topology is declared first (idempotent), so that on a fresh
/// broker the passive reads never ask for a queue the consumer has not declared yet (the
/// broker would answer NOT_FOUND and lapin log it as an ERROR).
async fn connect_declared(url: &str, topology: &Topology) -> Option<Connection> {
    let connection = super::connect(url, "qlosync queue depths").await.ok()?;
    let channel = connection.create_channel().await.ok()?;
    if let Err(error) = topology.declare(&channel).await {
        tracing::debug!(%error, "queue topology not declared for the depth reads");
    }
    let _ = channel.close(200, "declared").await;
    Some(connection)
}

pub async fn watch_queue_depths(
    url: String,
    topology: Topology,
    every: std::time::Duration,
    cancel: tokio_util::sync::CancellationToken,
) {
    let mut connection: Option<Connection> = None;
    loop {
        if connection.as_ref().is_none_or(|c| !c.status().connected()) {
            connection = connect_declared(&url, &topology).await;
        }
        if let Some(c) = &connection {
            if let Err(error) = record_queue_depths(c, &topology).await {
                tracing::debug!(%error, "queue depths not read");
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
    }
    if let Some(c) = connection {
        let _ = c.close(200, "stopping").await;
    }
}
