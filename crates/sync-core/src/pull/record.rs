//! What a pull leaves for operators: one `qloapps_sync_state` row per run (the run's
//! statistics, the watermark, `last_successful_sync` / `last_sync_error`), kept up to date
//! after every page, and one `qloapps_sync_log` entry per reservation or booking it judged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::watermark::{format, Mark};
use crate::domain::{ConfigId, ReservationId, SyncOutcome};

/// Per-booking counts of a run (`qloapps_sync_state`, docs/architecture.md "Tables and their writers").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub processed: u32,
    pub created: u32,
    pub updated: u32,
    pub skipped: u32,
    pub failed: u32,
}

/// What one booking came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingOutcome {
    Created,
    Updated,
    Skipped,
    Failed,
}

impl Counts {
    pub fn add(&mut self, outcome: BookingOutcome) {
        self.processed += 1;
        match outcome {
            BookingOutcome::Created => self.created += 1,
            BookingOutcome::Updated => self.updated += 1,
            BookingOutcome::Skipped => self.skipped += 1,
            BookingOutcome::Failed => self.failed += 1,
        }
    }
}

/// The watermark's three columns: as the shop writes it, the instant, the zone.
fn columns(mark: Option<Mark>) -> (Option<String>, Option<DateTime<Utc>>, Option<&'static str>) {
    match mark {
        Some(m) => (Some(format(m.local())), Some(m.at), Some(m.zone.name())),
        None => (None, None, None),
    }
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Progress of a running run, written in the page's transaction so it commits with the page.
pub async fn save_progress(
    db: impl PgExecutor<'_>,
    run_id: Uuid,
    counts: &Counts,
    watermark: Option<Mark>,
) -> Result<(), sqlx::Error> {
    let (raw, at, zone) = columns(watermark);
    sqlx::query(
        "UPDATE qloapps_sync_state SET items_processed = $2, items_created = $3, items_updated = $4,
                items_skipped = $5, items_failed = $6, watermark = COALESCE($7, watermark),
                watermark_at = COALESCE($8, watermark_at), watermark_zone = COALESCE($9, watermark_zone)
         WHERE id = $1",
    )
    .bind(run_id)
    .bind(int(counts.processed))
    .bind(int(counts.created))
    .bind(int(counts.updated))
    .bind(int(counts.skipped))
    .bind(int(counts.failed))
    .bind(raw)
    .bind(at)
    .bind(zone)
    .execute(db)
    .await?;
    Ok(())
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunEnd<'a> {
    pub counts: Counts,
    pub duration: Duration,
    pub watermark: Option<Mark>,
    /// `None` on success.
    pub error: Option<&'a str>,
    /// Carried over from earlier runs when this one failed.
    pub previous_success: Option<DateTime<Utc>>,
}

pub async fn finish_run(
    db: impl PgExecutor<'_>,
    run_id: Uuid,
    end: &RunEnd<'_>,
) -> Result<(), sqlx::Error> {
    let success = end.error.is_none();
    let (raw, at, zone) = columns(end.watermark);
    let c = &end.counts;
    sqlx::query(
        "UPDATE qloapps_sync_state
         SET status = $2, success = $3, completed_at = greatest(clock_timestamp(), started_at),
             items_processed = $4, items_created = $5, items_updated = $6, items_skipped = $7,
             items_failed = $8, duration_ms = $9, error_message = $10, last_sync_error = $10,
             watermark = COALESCE($11, watermark),
             last_successful_sync = CASE WHEN $3 THEN clock_timestamp() ELSE $12 END,
             watermark_at = COALESCE($13, watermark_at), watermark_zone = COALESCE($14, watermark_zone)
         WHERE id = $1",
    )
    .bind(run_id)
    .bind(if success { "completed" } else { "failed" })
    .bind(success)
    .bind(int(c.processed))
    .bind(int(c.created))
    .bind(int(c.updated))
    .bind(int(c.skipped))
    .bind(int(c.failed))
    .bind(i32::try_from(end.duration.as_millis()).unwrap_or(i32::MAX))
    .bind(end.error)
    .bind(raw)
    .bind(end.previous_success)
    .bind(at)
    .bind(zone)
    .execute(db)
    .await?;
    Ok(())
}

/// One sync-log entry of a pull.
#[derive(Debug, Clone)]
pub struct LogItem {
    pub order_id: u64,
    pub reservation: Option<ReservationId>,
    pub outcome: SyncOutcome,
    pub message: Option<String>,
    pub details: Option<serde_json::Value>,
}

impl LogItem {
    pub fn new(order_id: u64, reservation: Option<ReservationId>, outcome: SyncOutcome) -> Self {
        LogItem {
            order_id,
            reservation,
            outcome,
            message: None,
            details: None,
        }
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

pub async fn log_item(
    conn: &mut PgConnection,
    config_id: ConfigId,
    run_id: Uuid,
    item: LogItem,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qloapps_sync_log (config_id, sync_state_id, direction, operation, entity_type,
             local_entity_id, qloapps_entity_id, success, outcome, message, details)
         VALUES ($1, $2, 'inbound', 'pull', 'reservation', $3, $4, $5, $6, $7, $8)",
    )
    .bind(config_id)
    .bind(run_id)
    .bind(item.reservation)
    .bind(i64::try_from(item.order_id).unwrap_or(i64::MAX))
    .bind(item.outcome != SyncOutcome::Failed)
    .bind(item.outcome)
    .bind(item.message)
    .bind(item.details)
    .execute(conn)
    .await?;
    Ok(())
}
