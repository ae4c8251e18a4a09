//! What a push leaves behind for operators: a `qloapps_sync_state` run
//! (`sync_type 'reservation_push'`, direction outbound), a `qloapps_sync_log` item, and the
//! reservation's place in `qloapps_out_of_sync` (set by a refusal, cleared by a success).

use std::time::Instant;

use sqlx::PgConnection;

use super::PushOutcome;
use crate::db;
use crate::db::qloapps_sync_log::NewSyncLogEntry;
use crate::db::qloapps_sync_state as sync_state;
use crate::domain::{ConfigId, ReservationId, SyncDirection, SyncOutcome, SyncStatus};
use crate::sync_error::{Disposition, SyncError};

/// Stored as `last_pushed_hash` once a reservation's cancellation reached QloApps.
pub const CANCELLED_HASH: &str = "cancelled";

pub async fn push_finished(
    conn: &mut PgConnection,
    config_id: ConfigId,
    reservation_id: ReservationId,
    outcome: &PushOutcome,
    started: Instant,
) -> Result<(), sqlx::Error> {
    let run = Run {
        config_id,
        operation: outcome.operation(),
        success: true,
        counts: counts(outcome),
        error: None,
        started,
    };
    let message = match outcome {
        PushOutcome::Skipped { reason } => Some((*reason).to_owned()),
        PushOutcome::Created { adopted: true, .. } => {
            Some("adopted the order already created under our source".into())
        }
        PushOutcome::Replaced { order_id, replaced } => Some(format!(
            "QloApps refused the stay change on order {replaced}: cancelled it and booked the new stay as order {order_id} (cancel-and-recreate)"
        )),
        _ => None,
    };
    let order_id = outcome.order_id().and_then(|id| i64::try_from(id).ok());
    if outcome.leaves_in_sync() {
        db::qloapps_out_of_sync::clear(&mut *conn, config_id, reservation_id).await?;
    }
    let item = Item {
        reservation_id,
        outcome: outcome.sync_outcome(),
        order_id,
        message,
    };
    record(conn, run, item).await
}

pub async fn push_failed(
    pool: &sqlx::PgPool,
    config_id: ConfigId,
    reservation_id: ReservationId,
    error: &SyncError,
    started: Instant,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let message = error.to_string();
    let run = Run {
        config_id,
        operation: "push",
        success: false,
        counts: [1, 0, 0, 0, 1],
        error: Some(&message),
        started,
    };
    if leaves_out_of_sync(error) {
        db::qloapps_out_of_sync::record_refusal(&mut *tx, config_id, reservation_id, &message)
            .await?;
        metrics::counter!("qlosync_push_refused_total", "config_id" => config_id.to_string())
            .increment(1);
    }
    let item = Item {
        reservation_id,
        outcome: SyncOutcome::Failed,
        order_id: None,
        message: Some(message.clone()),
    };
    record(&mut tx, run, item).await?;
    tx.commit().await
}

/// A push that cannot succeed as things stand (QloApps refused it, a mapping is missing, the
/// reservation cannot be expressed in QloApps) leaves the two sides different until a later
/// push goes through; a transient failure is retried instead.
fn leaves_out_of_sync(error: &SyncError) -> bool {
    error.disposition() == Disposition::Fail
        && !matches!(
            error,
            SyncError::ReservationNotFound(_) | SyncError::ConfigNotFound(_)
        )
}

/// processed, created, updated, skipped, failed
fn counts(outcome: &PushOutcome) -> [i32; 5] {
    match outcome {
        PushOutcome::Created { .. } => [1, 1, 0, 0, 0],
        PushOutcome::Updated { .. }
        | PushOutcome::Cancelled { .. }
        | PushOutcome::Replaced { .. } => [1, 0, 1, 0, 0],
        PushOutcome::Skipped { .. } => [1, 0, 0, 1, 0],
    }
}

/// The push's run, then its one sync-log item, in `conn`'s transaction.
async fn record(conn: &mut PgConnection, run: Run<'_>, item: Item) -> Result<(), sqlx::Error> {
    let [processed, created, updated, skipped, failed] = run.counts;
    let finished = sync_state::FinishedRun {
        config_id: run.config_id,
        sync_type: "reservation_push",
        operation: run.operation,
        status: if run.success {
            SyncStatus::Completed
        } else {
            SyncStatus::Failed
        },
        success: run.success,
        counts: sync_state::ItemCounts {
            processed,
            created,
            updated,
            skipped,
            failed,
        },
        duration: run.started.elapsed(),
        error: run.error,
    };
    let run_id = sync_state::insert_finished(&mut *conn, &finished).await?;
    let entry = NewSyncLogEntry {
        config_id: run.config_id,
        sync_state_id: Some(run_id),
        direction: SyncDirection::Outbound,
        operation: run.operation.to_owned(),
        entity_type: "reservation".into(),
        local_entity_id: Some(item.reservation_id.0),
        qloapps_entity_id: item.order_id,
        outcome: item.outcome,
        message: item.message,
        details: None,
    };
    db::qloapps_sync_log::insert_entry(&mut *conn, &entry).await
}

struct Run<'a> {
    config_id: ConfigId,
    operation: &'a str,
    success: bool,
    counts: [i32; 5],
    error: Option<&'a str>,
    started: Instant,
}

struct Item {
    reservation_id: ReservationId,
    outcome: SyncOutcome,
    order_id: Option<i64>,
    message: Option<String>,
}
