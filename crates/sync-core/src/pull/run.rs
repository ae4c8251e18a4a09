//! The body of one pull run: page through the orders, apply each page in a transaction.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use qlo_client::{Order, QloClient};
use sqlx::{Connection, PgPool};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::apply::{apply_order, ApplyError, Ctx};
use super::map::{origin, Origin};
use super::page::{load_details, PageData, Pager};
use super::record::{log_item, save_progress, BookingOutcome, Counts, LogItem};
use super::{watermark, PullReport, PullSettings};
use crate::db;
use crate::domain::{ConfigId, Property, QloappsConfig, SyncOutcome};
use crate::sync_error::SyncError;

#[derive(Debug, Clone, Copy)]
pub enum Plan {
    /// Orders changed since this watermark (`None`: all orders).
    Since(Option<NaiveDateTime>),
    Booking(u64),
}

#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub counts: Counts,
    /// The newest `date_upd` whose page is committed.
    pub cursor: Option<NaiveDateTime>,
    pub pages: u32,
    pub peak_orders: usize,
    pub restarts: u32,
}

impl Progress {
    /// The watermark to store: what this run reached, never below where it started.
    pub fn watermark(&self, previous: Option<NaiveDateTime>) -> Option<NaiveDateTime> {
        self.cursor.max(previous)
    }
}

pub struct Job<'a> {
    pub pool: &'a PgPool,
    pub config: &'a QloappsConfig,
    pub property: &'a Property,
    pub run_id: Uuid,
    pub settings: PullSettings,
    pub previous: Option<NaiveDateTime>,
    pub cancel: &'a CancellationToken,
}

impl Job<'_> {
    pub async fn execute(
        &self,
        client: &QloClient,
        plan: Plan,
        progress: &mut Progress,
    ) -> Result<(), SyncError> {
        let shop = client.cached_shop_configuration().await?;
        let room_types = db::qloapps_room_type_mappings::list_mappings(self.pool, self.config.id)
            .await?
            .into_iter()
            .filter(|m| m.is_active)
            .filter_map(|m| {
                Some((
                    u64::try_from(m.qloapps_room_type_id).ok()?,
                    m.local_room_type_id,
                ))
            })
            .collect();
        let zone = watermark::shop_zone(&shop.timezone);
        let ctx = Ctx {
            config_id: self.config.id,
            property_id: self.property.id,
            currency: self.property.currency.clone(),
            hotel_id: u64::try_from(self.config.qloapps_hotel_id).unwrap_or(0),
            states: shop.order_states,
            zone,
            room_types,
            run_id: self.run_id,
        };
        match plan {
            Plan::Booking(id) => {
                let orders = client.orders_by_ids(&[id]).await?;
                progress.peak_orders = orders.len();
                if orders.is_empty() {
                    return self.not_found(id, progress).await;
                }
                let data = load_details(client, orders, needs_details).await?;
                self.apply_page(&ctx, data, progress, None).await
            }
            Plan::Since(start) => {
                let since = match start {
                    Some(w) => watermark::window_start(w, self.settings.overlap, zone, Utc::now()),
                    None => watermark::beginning(),
                };
                self.page_through(client, &ctx, since, progress).await
            }
        }
    }

    async fn page_through(
        &self,
        client: &QloClient,
        ctx: &Ctx,
        since: NaiveDateTime,
        progress: &mut Progress,
    ) -> Result<(), SyncError> {
        let config = self.config.id;
        let mut pager = Pager::new(since, self.settings.page_size);
        while let Some(request) = pager.next_request() {
            if self.cancel.is_cancelled() {
                return Err(incomplete(config, "stopped by shutdown"));
            }
            let rows = client
                .orders_modified_since(request.since, request.offset, request.limit)
                .await?;
            progress.peak_orders = progress.peak_orders.max(rows.len());
            let fresh = pager
                .accept(request, rows)
                .map_err(|reason| incomplete(config, &reason))?;
            progress.restarts = pager.restarts();
            if fresh.is_empty() {
                continue;
            }
            let data = load_details(client, fresh, needs_details).await?;
            self.apply_page(ctx, data, progress, pager.cursor()).await?;
        }
        Ok(())
    }

    /// Applies a page in one transaction, each booking in its own savepoint, and records the
    /// run's progress in the same commit.
    async fn apply_page(
        &self,
        ctx: &Ctx,
        data: PageData,
        progress: &mut Progress,
        cursor: Option<NaiveDateTime>,
    ) -> Result<(), SyncError> {
        let mut counts = progress.counts;
        let mut tx = self.pool.begin().await?;
        for order in &data.orders {
            let lines = data.lines.get(&order.id).map(Vec::as_slice).unwrap_or(&[]);
            let customer = data.customers.get(&order.id_customer);
            let mut savepoint = tx.begin().await?;
            match apply_order(&mut savepoint, ctx, order, lines, customer).await {
                Ok(outcome) => {
                    savepoint.commit().await?;
                    counts.add(outcome);
                }
                Err(ApplyError::Booking(problem)) => {
                    savepoint.rollback().await?;
                    tracing::warn!(config_id = %ctx.config_id, order_id = order.id, %problem, "booking not pulled");
                    let item = LogItem::new(order.id, None, SyncOutcome::Failed).message(problem);
                    log_item(&mut tx, ctx.config_id, ctx.run_id, item).await?;
                    counts.add(BookingOutcome::Failed);
                }
                Err(ApplyError::Db(e)) => return Err(e.into()),
            }
        }
        let reached = cursor.or(progress.cursor);
        let stored = reached.max(self.previous).map(watermark::format);
        save_progress(&mut *tx, self.run_id, &counts, stored.as_deref()).await?;
        tx.commit().await?;
        progress.counts = counts;
        progress.cursor = reached;
        progress.pages += 1;
        Ok(())
    }

    async fn not_found(&self, id: u64, progress: &mut Progress) -> Result<(), SyncError> {
        let mut conn = self.pool.acquire().await?;
        let item = LogItem::new(id, None, SyncOutcome::Skipped).message("no such order in QloApps");
        log_item(&mut conn, self.config.id, self.run_id, item).await?;
        progress.counts.add(BookingOutcome::Skipped);
        Ok(())
    }
}

/// Room lines and customers are read only for bookings made in QloApps.
fn needs_details(order: &Order) -> bool {
    origin(&order.source) == Origin::QloApps
}

fn incomplete(config: ConfigId, reason: &str) -> SyncError {
    SyncError::PullIncomplete {
        config,
        reason: reason.to_owned(),
    }
}

/// Metrics and the one log line of a finished run.
pub fn observe(report: &PullReport, error: Option<&str>) {
    let c = &report.counts;
    let status = if error.is_some() {
        "failed"
    } else {
        "completed"
    };
    metrics::counter!("qlosync_pull_runs_total", "sync_type" => report.sync_type, "status" => status).increment(1);
    metrics::histogram!("qlosync_pull_duration_seconds", "sync_type" => report.sync_type)
        .record(report.duration.as_secs_f64());
    let by_outcome: HashMap<&str, u32> = HashMap::from([
        ("created", c.created),
        ("updated", c.updated),
        ("skipped", c.skipped),
        ("failed", c.failed),
    ]);
    for (outcome, n) in by_outcome {
        metrics::counter!("qlosync_pull_bookings_total", "outcome" => outcome)
            .increment(u64::from(n));
    }
    let duration_ms = u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX);
    match error {
        None => tracing::info!(
            config_id = %report.config_id, sync_type = report.sync_type, processed = c.processed,
            created = c.created, updated = c.updated, skipped = c.skipped, failed = c.failed,
            duration_ms, watermark = report.watermark.as_deref().unwrap_or(""), "pull completed"
        ),
        Some(error) => tracing::warn!(
            config_id = %report.config_id, sync_type = report.sync_type, processed = c.processed,
            created = c.created, updated = c.updated, skipped = c.skipped, failed = c.failed,
            duration_ms, %error, "pull failed"
        ),
    }
}
