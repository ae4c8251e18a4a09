//! The body of one pull run: retry the orders earlier pulls could not apply, page through the
//! orders changed since the watermark, apply each page in a transaction.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use qlo_client::QloClient;
use sqlx::Connection;

use super::apply::apply_order;
use super::context::{ApplyError, Ctx};
use super::failures;
use super::job::details;
pub use super::job::{Job, Plan, Progress};
use super::page::{load_details, PageData, Pager};
use super::record::{log_item, save_progress, BookingOutcome, LogItem};
use super::watermark::{self, Mark};
use super::PullReport;
use crate::db;
use crate::domain::{ConfigId, SyncOutcome};
use crate::sync_error::SyncError;

impl Job<'_> {
    pub async fn execute(
        &self,
        client: &QloClient,
        plan: Plan,
        progress: &mut Progress,
    ) -> Result<(), SyncError> {
        // read on every pull, never cached: PS_TIMEZONE can change between two pulls
        let shop = client.shop_configuration().await?;
        let mappings =
            db::qloapps_room_type_mappings::list_mappings(self.pool, self.config.id).await?;
        let mappings_changed_at = mappings.iter().map(|m| m.updated_at).max();
        let room_types = db::qloapps_room_type_mappings::active_by_qloapps_id(mappings);
        let zone = watermark::shop_zone(&shop.timezone);
        let ctx = Ctx {
            config_id: self.config.id,
            property_id: self.property.id,
            currency: self.property.currency.clone(),
            hotel_id: self.config.qloapps_hotel_id.get(),
            states: shop.order_states,
            zone,
            room_types,
            run_id: self.run_id,
        };
        progress.failed_before = db::qloapps_pull_failures::order_ids(self.pool, self.config.id)
            .await?
            .into_iter()
            .filter_map(|id| u64::try_from(id).ok())
            .collect();
        progress.start = self.previous.mark(zone);
        match plan {
            Plan::Booking(id) => {
                let orders = client.orders_by_ids(&[id]).await?;
                progress.peak_orders = orders.len();
                if orders.is_empty() {
                    return self.not_found(id, progress).await;
                }
                let data = load_details(client, orders, details).await?;
                self.apply_page(&ctx, data, progress, None).await
            }
            Plan::Full => {
                self.page_through(client, &ctx, watermark::beginning(), progress)
                    .await
            }
            Plan::Incremental => {
                let since = match progress.start {
                    Some(start) => {
                        if start.zone != zone {
                            tracing::warn!(config_id = %self.config.id, from = start.zone.name(), to = zone.name(),
                                "the shop's time zone (PS_TIMEZONE) changed: catching up over both zones");
                        }
                        start.window_start(self.settings.overlap, zone, Utc::now())
                    }
                    None => watermark::beginning(),
                };
                failures::retry_due(self, client, &ctx, mappings_changed_at, progress).await?;
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
            let mut fresh = pager
                .accept(request, rows)
                .map_err(|reason| incomplete(config, &reason))?;
            progress.restarts = pager.restarts();
            if fresh.is_empty() {
                continue;
            }
            // retried moments ago in this very state: once is enough
            fresh.retain(|o| progress.retried_at.get(&o.id) != Some(&o.date_upd));
            let data = load_details(client, fresh, details).await?;
            self.apply_page(ctx, data, progress, pager.cursor()).await?;
        }
        Ok(())
    }

    /// Applies a page in one transaction, each booking in its own savepoint, and records the
    /// run's progress in the same commit. A booking that fails is kept in the failure set; one
    /// that applies leaves it. `cursor`: the newest `date_upd` of the page (`None`: the page
    /// does not move the watermark).
    pub(super) async fn apply_page(
        &self,
        ctx: &Ctx,
        data: PageData,
        progress: &mut Progress,
        cursor: Option<NaiveDateTime>,
    ) -> Result<(), SyncError> {
        let mut counts = progress.counts;
        let mut failed_before = progress.failed_before.clone();
        let mut tx = self.pool.begin().await?;
        for order in &data.orders {
            let lines = data.lines.get(&order.id).map(Vec::as_slice).unwrap_or(&[]);
            let customer = data.customers.get(&order.id_customer);
            let mut savepoint = tx.begin().await?;
            let order_id = i64::try_from(order.id).unwrap_or(i64::MAX);
            match apply_order(&mut savepoint, ctx, order, lines, customer).await {
                Ok(outcome) => {
                    savepoint.commit().await?;
                    if failed_before.remove(&order.id) {
                        db::qloapps_pull_failures::delete_failure(&mut tx, ctx.config_id, order_id)
                            .await?;
                    }
                    counts.add(outcome);
                }
                Err(ApplyError::Booking(problem)) => {
                    savepoint.rollback().await?;
                    tracing::warn!(config_id = %ctx.config_id, order_id = order.id, %problem, "booking not pulled; kept for retry");
                    let failure = db::qloapps_pull_failures::record_failure(
                        &mut tx,
                        ctx.config_id,
                        order_id,
                        &problem,
                        ctx.run_id,
                        self.settings.retry_backoff,
                    )
                    .await?;
                    failed_before.insert(order.id);
                    let message = format!(
                        "{problem} (attempt {}; retried from {})",
                        failure.attempts, failure.next_retry_at
                    );
                    let item = LogItem::new(order.id, None, SyncOutcome::Failed).message(message);
                    log_item(&mut tx, ctx.config_id, ctx.run_id, item).await?;
                    counts.add(BookingOutcome::Failed);
                }
                Err(ApplyError::Db(e)) => return Err(e.into()),
            }
        }
        let mark = match cursor {
            Some(local) => Some(Mark::reached(
                local,
                ctx.zone,
                self.started,
                progress.mark.or(progress.start),
            )),
            None => progress.mark,
        };
        let stored = mark.or(progress.start);
        save_progress(&mut *tx, self.run_id, &counts, stored).await?;
        tx.commit().await?;
        progress.counts = counts;
        progress.mark = mark;
        progress.failed_before = failed_before;
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
            retried = report.retried, duration_ms, watermark = report.watermark.as_deref().unwrap_or(""), "pull completed"
        ),
        Some(error) => tracing::warn!(
            config_id = %report.config_id, sync_type = report.sync_type, processed = c.processed,
            created = c.created, updated = c.updated, skipped = c.skipped, failed = c.failed,
            retried = report.retried, duration_ms, %error, "pull failed"
        ),
    }
}
