//! The failure set: orders a pull could not apply (an unmapped room type, bad data) are kept
//! in `qloapps_pull_failures` with the reason and the number of attempts, and every later
//! incremental pull retries the due ones, with back-off, before it reads new pages. The
//! watermark may move past them; they are never forgotten: a success deletes the row, and only
//! an operator can give up on one (discard, with a reason). A room-type mapping change makes
//! every open failure due at once (docs/pull-failures.md).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use qlo_client::QloClient;
use sqlx::PgPool;

use super::context::Ctx;
use super::job::{details, Job, Progress};
use super::page::load_details;
use super::record::{log_item, BookingOutcome, LogItem};
use crate::db;
use crate::domain::{ConfigId, SyncOutcome};
use crate::messages::{Envelope, InboundMessage, SyncRequest, SyncType};
use crate::sync_error::SyncError;

/// Failed orders retried per pull (one batched read of `orders`).
const RETRY_BATCH: i64 = 200;

/// Retries the due failures of the config, in one page that leaves the watermark alone.
pub(super) async fn retry_due(
    job: &Job<'_>,
    client: &QloClient,
    ctx: &Ctx,
    mappings_changed_at: Option<DateTime<Utc>>,
    progress: &mut Progress,
) -> Result<(), SyncError> {
    let due =
        db::qloapps_pull_failures::due(job.pool, ctx.config_id, mappings_changed_at, RETRY_BATCH)
            .await?;
    if due.is_empty() {
        return Ok(());
    }
    let ids: Vec<u64> = due
        .iter()
        .filter_map(|id| u64::try_from(*id).ok())
        .collect();
    tracing::info!(config_id = %ctx.config_id, orders = ids.len(), "retrying orders earlier pulls could not apply");
    let orders = client.orders_by_ids(&ids).await?;
    progress.retried += u32::try_from(ids.len()).unwrap_or(u32::MAX);
    let found: HashSet<u64> = orders.iter().map(|o| o.id).collect();
    progress
        .retried_at
        .extend(orders.iter().map(|o| (o.id, o.date_upd)));
    let missing: Vec<u64> = ids.into_iter().filter(|id| !found.contains(id)).collect();
    if !missing.is_empty() {
        still_missing(job, ctx, &missing, progress).await?;
    }
    if orders.is_empty() {
        return Ok(());
    }
    let data = load_details(client, orders, details).await?;
    job.apply_page(ctx, data, progress, None).await
}

/// Orders QloApps no longer returns stay in the set (an operator decides), one attempt more.
async fn still_missing(
    job: &Job<'_>,
    ctx: &Ctx,
    ids: &[u64],
    progress: &mut Progress,
) -> Result<(), SyncError> {
    let reason = "QloApps no longer returns this order";
    let mut tx = job.pool.begin().await?;
    for id in ids {
        let order_id = i64::try_from(*id).unwrap_or(i64::MAX);
        let backoff = job.settings.retry_backoff;
        db::qloapps_pull_failures::record_failure(
            &mut tx,
            ctx.config_id,
            order_id,
            reason,
            ctx.run_id,
            backoff,
        )
        .await?;
        let item = LogItem::new(*id, None, SyncOutcome::Failed).message(reason);
        log_item(&mut tx, ctx.config_id, ctx.run_id, item).await?;
    }
    tx.commit().await?;
    for _ in ids {
        progress.counts.add(BookingOutcome::Failed);
    }
    Ok(())
}

/// After a room-type mapping of `config_id` changed: every open failure is due now and, when
/// there is one and the config syncs, an incremental pull is queued (`booking.sync`, through
/// the outbox) to retry them at once. Returns whether a pull was queued.
pub async fn retry_after_mapping_change(
    pool: &PgPool,
    config_id: ConfigId,
    correlation_id: Option<String>,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let open = db::qloapps_pull_failures::mark_due(&mut *tx, config_id).await?;
    let Some(config) = db::qloapps_config::get_config(&mut *tx, config_id).await? else {
        return Ok(false);
    };
    let property = db::properties::get_property(&mut *tx, config.property_id).await?;
    let syncs = property.is_some_and(|p| config.not_syncing(&p).is_none());
    let queue = open > 0 && syncs;
    if queue {
        let message = InboundMessage::BookingSync(SyncRequest {
            envelope: Envelope::new(config_id.0, correlation_id),
            sync_type: SyncType::Incremental,
        });
        crate::outbox::enqueue(&mut tx, &message).await?;
        tracing::info!(%config_id, failures = open, "room-type mapping changed: failed orders retried now");
    }
    tx.commit().await?;
    Ok(queue)
}

/// `qlosync_pull_failures{config_id}`: the open failures of a config, after each of its pulls.
pub async fn observe(pool: &PgPool, config_id: ConfigId) -> Result<(), sqlx::Error> {
    let open = db::qloapps_pull_failures::count_open(pool, config_id).await?;
    #[allow(clippy::cast_precision_loss)] // a count of orders fits an f64 exactly
    metrics::gauge!("qlosync_pull_failures", "config_id" => config_id.to_string()).set(open as f64);
    Ok(())
}
