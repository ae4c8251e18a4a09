//! What a rate, availability or reconcile run leaves for operators: one `qloapps_sync_state`
//! run (direction outbound) and one `qloapps_sync_log` item per QloApps write, refusal or
//! finding.

use std::time::Instant;

use sqlx::PgPool;
use uuid::Uuid;

use crate::db::qloapps_sync_log::{insert_entry, NewSyncLogEntry};
use crate::db::qloapps_sync_state::{insert_finished, FinishedRun, ItemCounts};
use crate::domain::{ConfigId, SyncDirection, SyncOutcome, SyncStatus};

/// One sync-log item.
#[derive(Debug, Clone, PartialEq)]
pub struct LogItem {
    /// e.g. "create_rule", "cancel_hold", "overbooking_risk"
    pub operation: &'static str,
    /// "rate" or "availability"
    pub entity_type: &'static str,
    /// the PMS room type
    pub local_entity_id: Option<Uuid>,
    /// the rule or order id in QloApps
    pub qloapps_entity_id: Option<u64>,
    pub outcome: SyncOutcome,
    pub message: String,
    pub details: Option<serde_json::Value>,
}

/// One run to record.
pub struct RunRecord<'a> {
    pub config_id: ConfigId,
    /// "rate_push", "availability_push", "reconcile"
    pub sync_type: &'a str,
    /// "rate.update", "availability.update", "reconcile"
    pub operation: &'a str,
    pub started: Instant,
    /// Set when the run stopped on an error.
    pub error: Option<String>,
    pub items: &'a [LogItem],
}

/// Inserts the run and its items in one transaction; returns the run id. Also counts it in
/// `qlosync_outbound_runs_total{sync_type,status}`, `qlosync_outbound_run_duration_seconds`
/// and `qlosync_outbound_items_total{operation,outcome}`.
pub async fn record_run(pool: &PgPool, run: &RunRecord<'_>) -> Result<Uuid, sqlx::Error> {
    observe(run);
    let count = |o: SyncOutcome| {
        i32::try_from(run.items.iter().filter(|i| i.outcome == o).count()).unwrap_or(i32::MAX)
    };
    let failed = count(SyncOutcome::Failed) + i32::from(run.error.is_some());
    let finished = FinishedRun {
        config_id: run.config_id,
        sync_type: run.sync_type,
        operation: run.operation,
        status: if run.error.is_some() {
            SyncStatus::Failed
        } else {
            SyncStatus::Completed
        },
        success: failed == 0,
        counts: ItemCounts {
            processed: i32::try_from(run.items.len()).unwrap_or(i32::MAX),
            created: count(SyncOutcome::Created),
            updated: count(SyncOutcome::Updated) + count(SyncOutcome::Cancelled),
            skipped: count(SyncOutcome::Skipped),
            failed,
        },
        duration: run.started.elapsed(),
        error: run.error.as_deref(),
    };
    let mut tx = pool.begin().await?;
    let id = insert_finished(&mut *tx, &finished).await?;
    for item in run.items {
        let entry = NewSyncLogEntry {
            config_id: run.config_id,
            sync_state_id: Some(id),
            direction: SyncDirection::Outbound,
            operation: item.operation.to_owned(),
            entity_type: item.entity_type.to_owned(),
            local_entity_id: item.local_entity_id,
            qloapps_entity_id: item.qloapps_entity_id.and_then(|i| i64::try_from(i).ok()),
            outcome: item.outcome,
            message: Some(item.message.clone()),
            details: item.details.clone(),
        };
        insert_entry(&mut *tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn observe(run: &RunRecord<'_>) {
    let sync_type = run.sync_type.to_owned();
    let status = if run.error.is_some() {
        "failed"
    } else {
        "completed"
    };
    metrics::counter!("qlosync_outbound_runs_total", "sync_type" => sync_type.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("qlosync_outbound_run_duration_seconds", "sync_type" => sync_type)
        .record(run.started.elapsed().as_secs_f64());
    for item in run.items {
        metrics::counter!("qlosync_outbound_items_total", "operation" => item.operation,
            "outcome" => item.outcome.as_str())
        .increment(1);
    }
}
