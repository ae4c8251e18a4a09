//! The outbox relay (docs/architecture.md, "Push: a PMS write reaching QloApps"), run inside the `api` process: publishes unsent
//! `outbox` rows with publisher confirms and marks them sent.
//!
//! - Several relays may run: each claims its batch with `FOR UPDATE SKIP LOCKED` and holds the
//!   locks until the batch is marked sent, so a row is published by one relay at a time.
//! - A row is marked sent only after the broker confirmed it. A crash between the confirm and
//!   the commit publishes it again: delivery is at least once, consumers de-duplicate.
//! - It wakes on `LISTEN qlosync_outbox` (the insert trigger), with a slow poll as a safety net.
//! - While the broker is down the rows stay, with `publish_attempts` and `last_error` updated,
//!   and the relay reconnects with capped backoff.

mod config;
mod listen;

use std::sync::Arc;

use lapin::Connection;
use sqlx::PgPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

pub use config::RelayConfig;
pub use sync_core::db::outbox::{outbox_backlog, Backlog};

use sync_core::db::outbox as store;

use crate::queue::{
    connect, message_properties, Backoff, BrokerStatus, ConfirmPublisher, PendingConfirm,
    QueueError, Topology,
};
use sync_core::messages::QueueKind;

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("outbox database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("publishing outbox rows: {0}")]
    Broker(#[from] QueueError),
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub claimed: usize,
    pub published: usize,
}

pub struct OutboxRelay {
    pool: PgPool,
    url: String,
    topology: Topology,
    config: RelayConfig,
    /// The relay's link for `/ready`: its connection, its publishing channel, and whether its
    /// loop runs (the `consumer` flag of a [`BrokerStatus`]).
    status: BrokerStatus,
}

/// The relay's broker link, opened lazily and dropped when it breaks.
struct Link {
    connection: Connection,
    publisher: ConfirmPublisher,
}

impl OutboxRelay {
    pub fn new(
        pool: PgPool,
        amqp_url: impl Into<String>,
        topology: Topology,
        config: RelayConfig,
    ) -> Self {
        OutboxRelay {
            pool,
            url: amqp_url.into(),
            topology,
            config,
            status: BrokerStatus::default(),
        }
    }

    /// Follows the relay's broker link and loop, for the api's `/ready`.
    pub fn status(&self) -> BrokerStatus {
        self.status.clone()
    }

    /// Relays until `cancel` fires; the batch in progress is finished first. Returns Err only
    /// when the broker refuses the queue topology (another `QLOSYNC_QUEUE_TYPE` or other
    /// limits than the queues have): an operator must resolve that, the rows stay meanwhile.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), RelayError> {
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn(listen::wake_on_notify(
            self.pool.clone(),
            Arc::clone(&wake),
            cancel.child_token(),
        ));
        let mut backoff = Backoff::new(self.config.backoff_min, self.config.backoff_max);
        let mut link: Option<Link> = None;
        self.status.set_connected(true);
        let stopped = self.status.clone();
        let _running = scopeguard_stop(move || stopped.set_connected(false));
        while !cancel.is_cancelled() {
            match self.cycle(&mut link).await {
                Ok(report) if report.claimed == self.config.batch_size as usize => {
                    backoff.reset();
                    continue; // more rows may be waiting
                }
                Ok(_) => {
                    backoff.reset();
                    self.update_backlog_metrics().await;
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = wake.notified() => debug!("outbox notification"),
                        _ = tokio::time::sleep(self.config.poll_interval) => {}
                    }
                }
                Err(RelayError::Broker(e)) if e.is_topology_conflict() => {
                    error!(error = %e, "outbox relay stopped: the broker refused the queues");
                    close(link.take()).await;
                    listener.abort();
                    return Err(RelayError::Broker(e));
                }
                Err(e) => {
                    let delay = backoff.next_delay();
                    warn!(error = %e, ?delay, "outbox relay failed; rows kept, retrying");
                    if matches!(e, RelayError::Broker(_)) {
                        close(link.take()).await;
                    }
                    self.update_backlog_metrics().await;
                    // new rows do not shorten the backoff: they wait like the others
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
        close(link.take()).await;
        listener.abort();
        info!("outbox relay stopped");
        Ok(())
    }

    /// Connects if needed, then relays one batch. When the broker cannot be reached the
    /// failure is recorded on the waiting rows.
    async fn cycle(&self, link: &mut Option<Link>) -> Result<BatchReport, RelayError> {
        if link
            .as_ref()
            .is_some_and(|l| !l.connection.status().connected())
        {
            close(link.take()).await; // lost since the last batch: reconnect before claiming
        }
        if link.is_none() {
            match self.open_link().await {
                Ok(l) => *link = Some(l),
                Err(e) => {
                    let limit = i64::from(self.config.batch_size);
                    store::record_unreachable(&self.pool, limit, &e.to_string()).await?;
                    return Err(e.into());
                }
            }
        }
        let Some(Link { publisher, .. }) = link.as_ref() else {
            return Ok(BatchReport::default());
        };
        self.relay_batch(publisher).await
    }

    async fn open_link(&self) -> Result<Link, QueueError> {
        let connection = connect(&self.url, "qlosync outbox relay").await?;
        let publisher = ConfirmPublisher::open(&connection)
            .await?
            .with_confirm_timeout(self.config.confirm_timeout);
        self.topology.declare(publisher.channel()).await?;
        self.status.set_link(&connection, publisher.channel());
        info!("outbox relay connected to the broker");
        Ok(Link {
            connection,
            publisher,
        })
    }

    /// Claims one batch, publishes it with confirms (pipelined), marks the confirmed rows sent
    /// and records the failures, in one transaction. Returns Err after committing if any
    /// publish failed, so the caller backs off and reconnects.
    pub async fn relay_batch(
        &self,
        publisher: &ConfirmPublisher,
    ) -> Result<BatchReport, RelayError> {
        let mut tx = self.pool.begin().await?;
        let rows = store::claim_batch(&mut tx, i64::from(self.config.batch_size)).await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(BatchReport::default());
        }
        let deadline = tokio::time::Instant::now() + self.config.confirm_timeout;
        let mut pending = Vec::with_capacity(rows.len());
        for row in &rows {
            pending.push((row.id, self.send(publisher, row).await));
        }
        let (mut sent, mut failed) = (Vec::new(), Vec::new());
        let mut first_error = None;
        for (id, sending) in pending {
            let result = match sending {
                Ok(confirm) => confirm.wait_until(deadline).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => sent.push(id),
                Err(e) => {
                    failed.push((id, e.to_string()));
                    first_error.get_or_insert(e);
                }
            }
        }
        store::mark_sent(&mut tx, &sent).await?;
        store::record_failures(&mut tx, &failed).await?;
        tx.commit().await?;
        debug!(claimed = rows.len(), published = sent.len(), "outbox batch");
        match first_error {
            Some(e) => Err(e.into()),
            None => Ok(BatchReport {
                claimed: rows.len(),
                published: sent.len(),
            }),
        }
    }

    async fn send(
        &self,
        publisher: &ConfirmPublisher,
        row: &store::OutboxRow,
    ) -> Result<PendingConfirm, QueueError> {
        let kind = match row.queue.as_str() {
            "outbound" => QueueKind::Outbound,
            "inbound" => QueueKind::Inbound,
            other => {
                return Err(QueueError::Unroutable {
                    routing_key: other.to_owned(),
                })
            }
        };
        let payload = serde_json::to_vec(&row.payload)?;
        let props = message_properties(
            &row.message_id.to_string(),
            &row.event_type,
            row.correlation_id.as_deref(),
            row.created_at.timestamp(),
            &row.config_id.to_string(),
        );
        // the trace context the change was written in travels as an AMQP header
        let props = crate::queue::with_traceparent(
            props,
            row.payload
                .get(qlosync_trace_context::HEADER)
                .and_then(serde_json::Value::as_str),
        );
        publisher
            .send("", &self.topology.work_queue(kind), &payload, props)
            .await
    }

    async fn update_backlog_metrics(&self) {
        match outbox_backlog(&self.pool).await {
            Ok(backlog) => record_backlog_metrics(&backlog),
            Err(e) => debug!(error = %e, "could not read the outbox backlog"),
        }
    }
}

async fn close(link: Option<Link>) {
    if let Some(link) = link {
        if link.connection.status().connected() {
            let _ = link.connection.close(200, "relay stopping").await;
        }
    }
}

/// Sets `qlosync_outbox_backlog` and `qlosync_outbox_oldest_age_seconds`.
pub fn record_backlog_metrics(backlog: &Backlog) {
    metrics::gauge!("qlosync_outbox_backlog").set(backlog.count as f64);
    let age = backlog.oldest_age.map_or(0.0, |d| d.as_secs_f64());
    metrics::gauge!("qlosync_outbox_oldest_age_seconds").set(age);
}

/// Runs `f` when dropped: the relay's status goes down however `run` ends.
fn scopeguard_stop(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}
