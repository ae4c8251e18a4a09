use sqlx::PgExecutor;
use uuid::Uuid;

use super::Page;
use crate::domain::{ConfigId, SyncDirection, SyncState, SyncStatus};

const COLUMNS: &str = "id, config_id, sync_type, direction, operation, status, started_at, completed_at, \
     items_processed, items_created, items_updated, items_skipped, items_failed, duration_ms, success, \
     error_message, last_sync_error, last_successful_sync, watermark";

/// Opens a run in status 'running' (the operator-visible half of the sync lock).
pub async fn insert_running(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    sync_type: &str,
    direction: SyncDirection,
    operation: &str,
) -> Result<SyncState, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_sync_state (id, config_id, sync_type, direction, operation)
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(config_id)
    .bind(sync_type)
    .bind(direction)
    .bind(operation)
    .fetch_one(db)
    .await
}

/// History of a config's runs, newest first, optionally of one status.
pub async fn list_runs(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    status: Option<SyncStatus>,
    page: Page,
) -> Result<Vec<SyncState>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_sync_state WHERE config_id = $1 AND ($2::text IS NULL OR status = $2)
         ORDER BY started_at DESC, id LIMIT $3 OFFSET $4"
    ))
    .bind(config_id)
    .bind(status.map(SyncStatus::as_str))
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(db)
    .await
}

/// The newest run of a config, if any.
pub async fn latest_run(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
) -> Result<Option<SyncState>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_sync_state WHERE config_id = $1 ORDER BY started_at DESC, id LIMIT 1"
    ))
    .bind(config_id)
    .fetch_optional(db)
    .await
}

/// Which runs a "last run" of the settings page looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Full and incremental pulls (not single-booking pulls of booking events).
    Pull,
    /// Pushes of reservations, rates and availability.
    Push,
    /// Rate / availability reconciliations, dry runs included.
    Reconcile,
}

/// The newest run of a config of one kind, if any.
pub async fn latest_run_of(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    kind: RunKind,
) -> Result<Option<SyncState>, sqlx::Error> {
    let which = match kind {
        RunKind::Pull => {
            "direction = 'inbound' AND operation = 'pull' AND sync_type IN ('full', 'incremental')"
        }
        RunKind::Push => "direction = 'outbound' AND operation <> 'reconcile'",
        RunKind::Reconcile => "operation = 'reconcile'",
    };
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_sync_state WHERE config_id = $1 AND {which}
         ORDER BY started_at DESC, id LIMIT 1"
    ))
    .bind(config_id)
    .fetch_optional(db)
    .await
}
