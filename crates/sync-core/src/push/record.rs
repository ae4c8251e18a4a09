//! What a push leaves behind for operators: a `qloapps_sync_state` run
//! (`sync_type 'reservation_push'`, direction outbound), a `qloapps_sync_log` item, and the
//! reservation's place in `qloapps_out_of_sync` (set by a refusal, cleared by a success).

use std::time::Instant;

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::PushOutcome;
use crate::db;
use crate::domain::{ConfigId, ReservationId, SyncOutcome};
use crate::sync_error::{Disposition, SyncError};

/// Stored as `last_pushed_hash` once a reservation's cancellation reached QloApps.
pub const CANCELLED_HASH: &str = "cancelled";

pub async fn mapping_pushed(
    db: impl PgExecutor<'_>,
    mapping_id: Uuid,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_reservation_mappings SET last_pushed_hash = $2, last_synced_at = now(), updated_at = now()
         WHERE id = $1",
    )
    .bind(mapping_id)
    .bind(hash)
    .execute(db)
    .await?;
    Ok(())
}

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
    let run_id = insert_run(&mut *conn, &run).await?;
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
    insert_log(
        &mut *conn,
        run_id,
        config_id,
        reservation_id,
        outcome.operation(),
        outcome.sync_outcome(),
        order_id,
        message,
    )
    .await
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
    let run_id = insert_run(&mut tx, &run).await?;
    if leaves_out_of_sync(error) {
        db::qloapps_out_of_sync::record_refusal(&mut *tx, config_id, reservation_id, &message)
            .await?;
        metrics::counter!("qlosync_push_refused_total", "config_id" => config_id.to_string())
            .increment(1);
    }
    insert_log(
        &mut tx,
        run_id,
        config_id,
        reservation_id,
        "push",
        SyncOutcome::Failed,
        None,
        Some(message),
    )
    .await?;
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

struct Run<'a> {
    config_id: ConfigId,
    operation: &'a str,
    success: bool,
    counts: [i32; 5],
    error: Option<&'a str>,
    started: Instant,
}

async fn insert_run(conn: &mut PgConnection, run: &Run<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    let duration_ms = i32::try_from(run.started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let [processed, created, updated, skipped, failed] = run.counts;
    sqlx::query(
        "INSERT INTO qloapps_sync_state
             (id, config_id, sync_type, direction, operation, status, started_at, completed_at,
              items_processed, items_created, items_updated, items_skipped, items_failed, duration_ms,
              success, error_message, last_sync_error, last_successful_sync)
         VALUES ($1, $2, 'reservation_push', 'outbound', $3, $4,
                 now() - make_interval(secs => $5::double precision / 1000), now(),
                 $6, $7, $8, $9, $10, $5, $11, $12, $12, CASE WHEN $11 THEN now() END)",
    )
    .bind(id)
    .bind(run.config_id)
    .bind(run.operation)
    .bind(if run.success { "completed" } else { "failed" })
    .bind(duration_ms)
    .bind(processed)
    .bind(created)
    .bind(updated)
    .bind(skipped)
    .bind(failed)
    .bind(run.success)
    .bind(run.error)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_log(
    conn: &mut PgConnection,
    run_id: Uuid,
    config_id: ConfigId,
    reservation_id: ReservationId,
    operation: &str,
    outcome: SyncOutcome,
    order_id: Option<i64>,
    message: Option<String>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qloapps_sync_log (config_id, sync_state_id, direction, operation, entity_type,
             local_entity_id, qloapps_entity_id, success, outcome, message)
         VALUES ($1, $2, 'outbound', $3, 'reservation', $4, $5, $6, $7, $8)",
    )
    .bind(config_id)
    .bind(run_id)
    .bind(operation)
    .bind(reservation_id)
    .bind(order_id)
    .bind(outcome != SyncOutcome::Failed)
    .bind(outcome)
    .bind(message)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
