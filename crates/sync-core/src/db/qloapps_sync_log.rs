use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::{ConfigId, SyncDirection, SyncLogEntry, SyncOutcome};

const COLUMNS: &str =
    "id, config_id, sync_state_id, direction, operation, entity_type, local_entity_id, \
     qloapps_entity_id, success, outcome, message, details, created_at";

#[derive(Debug, Clone)]
pub struct NewSyncLogEntry {
    pub config_id: ConfigId,
    pub sync_state_id: Option<Uuid>,
    pub direction: SyncDirection,
    pub operation: String,
    pub entity_type: String,
    pub local_entity_id: Option<Uuid>,
    pub qloapps_entity_id: Option<i64>,
    pub outcome: SyncOutcome,
    pub message: Option<String>,
    pub details: Option<serde_json::Value>,
}

/// The one writer of `qloapps_sync_log` (pushes, pulls, rate and availability runs).
pub async fn insert_entry(
    db: impl PgExecutor<'_>,
    new: &NewSyncLogEntry,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qloapps_sync_log (config_id, sync_state_id, direction, operation, entity_type, local_entity_id,
                                       qloapps_entity_id, success, outcome, message, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new.config_id)
    .bind(new.sync_state_id)
    .bind(new.direction)
    .bind(&new.operation)
    .bind(&new.entity_type)
    .bind(new.local_entity_id)
    .bind(new.qloapps_entity_id)
    .bind(new.outcome != SyncOutcome::Failed)
    .bind(new.outcome)
    .bind(&new.message)
    .bind(&new.details)
    .execute(db)
    .await?;
    Ok(())
}

/// Filters for reading the log; combined with AND.
#[derive(Debug, Clone, Default)]
pub struct SyncLogFilter {
    pub sync_state_id: Option<Uuid>,
    pub direction: Option<SyncDirection>,
    pub success: Option<bool>,
    pub entity_type: Option<String>,
    pub local_entity_id: Option<Uuid>,
    /// Keyset paging: only entries with a smaller id (older).
    pub before_id: Option<i64>,
}

/// A config's log entries, newest first.
pub async fn list_entries(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    filter: &SyncLogFilter,
    limit: i64,
) -> Result<Vec<SyncLogEntry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_sync_log
         WHERE config_id = $1 AND ($2::uuid IS NULL OR sync_state_id = $2)
           AND ($3::text IS NULL OR direction = $3) AND ($4::bool IS NULL OR success = $4)
           AND ($5::text IS NULL OR entity_type = $5) AND ($6::uuid IS NULL OR local_entity_id = $6)
           AND ($7::bigint IS NULL OR id < $7)
         ORDER BY id DESC LIMIT $8"
    ))
    .bind(config_id)
    .bind(filter.sync_state_id)
    .bind(filter.direction.map(SyncDirection::as_str))
    .bind(filter.success)
    .bind(&filter.entity_type)
    .bind(filter.local_entity_id)
    .bind(filter.before_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
