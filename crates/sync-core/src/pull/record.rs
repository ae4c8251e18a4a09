//! What a pull leaves for operators: one `qloapps_sync_state` row per run (the run's
//! statistics, the watermark, `last_successful_sync` / `last_sync_error`), kept up to date
//! after every page, and one `qloapps_sync_log` entry per reservation or booking it judged
//! (both written by their `db` modules).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::watermark::{format, Mark};
use crate::db::qloapps_sync_log::{insert_entry, NewSyncLogEntry};
use crate::db::qloapps_sync_state::{self as sync_state, ItemCounts, Watermark};
use crate::domain::{ConfigId, ReservationId, SyncDirection, SyncOutcome};

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

impl Counts {
    fn columns(&self) -> ItemCounts {
        let int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        ItemCounts {
            processed: int(self.processed),
            created: int(self.created),
            updated: int(self.updated),
            skipped: int(self.skipped),
            failed: int(self.failed),
        }
    }
}

/// The watermark's three columns: as the shop writes it, the instant, the zone.
fn columns(mark: Option<Mark>) -> Watermark {
    match mark {
        Some(m) => Watermark {
            raw: Some(format(m.local())),
            at: Some(m.at),
            zone: Some(m.zone.name()),
        },
        None => Watermark::default(),
    }
}

/// Progress of a running run, written in the page's transaction so it commits with the page.
pub async fn save_progress(
    db: impl PgExecutor<'_>,
    run_id: Uuid,
    counts: &Counts,
    watermark: Option<Mark>,
) -> Result<(), sqlx::Error> {
    sync_state::save_progress(db, run_id, &counts.columns(), &columns(watermark)).await
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
    let end = sync_state::PullEnd {
        counts: end.counts.columns(),
        duration: end.duration,
        watermark: columns(end.watermark),
        error: end.error,
        previous_success: end.previous_success,
    };
    sync_state::finish_pull(db, run_id, &end).await
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
    let entry = NewSyncLogEntry {
        config_id,
        sync_state_id: Some(run_id),
        direction: SyncDirection::Inbound,
        operation: "pull".into(),
        entity_type: "reservation".into(),
        local_entity_id: item.reservation.map(|r| r.0),
        qloapps_entity_id: Some(i64::try_from(item.order_id).unwrap_or(i64::MAX)),
        outcome: item.outcome,
        message: item.message,
        details: item.details,
    };
    insert_entry(conn, &entry).await
}
