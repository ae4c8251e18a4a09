//! `qloapps_sync_state`: every run of every sync, and the only module that writes it. A push,
//! rate, availability or reconcile run is inserted once, finished ([`insert_finished`]); a pull
//! is opened ([`insert_running`]), kept up to date page by page ([`save_progress`]) and closed
//! ([`finish_pull`]), or failed by whoever proves its process died ([`mark_abandoned_pulls`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
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

/// A run's item counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemCounts {
    pub processed: i32,
    pub created: i32,
    pub updated: i32,
    pub skipped: i32,
    pub failed: i32,
}

/// An outbound run recorded once it is over (pushes, rate and availability runs, reconciles).
#[derive(Debug, Clone)]
pub struct FinishedRun<'a> {
    pub config_id: ConfigId,
    /// "reservation_push", "rate_push", "availability_push", "reconcile"
    pub sync_type: &'a str,
    pub operation: &'a str,
    /// `Failed` when the run stopped on `error`.
    pub status: SyncStatus,
    /// No item failed (a completed run may still have failed items).
    pub success: bool,
    pub counts: ItemCounts,
    pub duration: Duration,
    pub error: Option<&'a str>,
}

/// Inserts a finished run, dated to have started `duration` ago; returns its id.
pub async fn insert_finished(
    db: impl PgExecutor<'_>,
    run: &FinishedRun<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    let c = &run.counts;
    sqlx::query(
        "INSERT INTO qloapps_sync_state
             (id, config_id, sync_type, direction, operation, status, started_at, completed_at,
              items_processed, items_created, items_updated, items_skipped, items_failed, duration_ms,
              success, error_message, last_sync_error, last_successful_sync)
         VALUES ($1, $2, $3, 'outbound', $4, $5,
                 now() - make_interval(secs => $6::double precision / 1000), now(),
                 $7, $8, $9, $10, $11, $6, $12, $13, $13, CASE WHEN $12 THEN now() END)",
    )
    .bind(id)
    .bind(run.config_id)
    .bind(run.sync_type)
    .bind(run.operation)
    .bind(run.status)
    .bind(millis(run.duration))
    .bind(c.processed)
    .bind(c.created)
    .bind(c.updated)
    .bind(c.skipped)
    .bind(c.failed)
    .bind(run.success)
    .bind(run.error)
    .execute(db)
    .await?;
    Ok(id)
}

fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

/// A pull's watermark as its three columns: the shop's own text, the instant, the zone name.
#[derive(Debug, Clone, Default)]
pub struct Watermark {
    pub raw: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub zone: Option<&'static str>,
}

/// Progress of a running pull, written in the page's transaction so it commits with the page.
pub async fn save_progress(
    db: impl PgExecutor<'_>,
    run_id: Uuid,
    counts: &ItemCounts,
    watermark: &Watermark,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_sync_state SET items_processed = $2, items_created = $3, items_updated = $4,
                items_skipped = $5, items_failed = $6, watermark = COALESCE($7, watermark),
                watermark_at = COALESCE($8, watermark_at), watermark_zone = COALESCE($9, watermark_zone)
         WHERE id = $1",
    )
    .bind(run_id)
    .bind(counts.processed)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.skipped)
    .bind(counts.failed)
    .bind(&watermark.raw)
    .bind(watermark.at)
    .bind(watermark.zone)
    .execute(db)
    .await?;
    Ok(())
}

/// How a pull ended.
#[derive(Debug, Clone)]
pub struct PullEnd<'a> {
    pub counts: ItemCounts,
    pub duration: Duration,
    pub watermark: Watermark,
    /// `None` on success.
    pub error: Option<&'a str>,
    /// Carried over from earlier runs when this one failed.
    pub previous_success: Option<DateTime<Utc>>,
}

pub async fn finish_pull(
    db: impl PgExecutor<'_>,
    run_id: Uuid,
    end: &PullEnd<'_>,
) -> Result<(), sqlx::Error> {
    let success = end.error.is_none();
    let c = &end.counts;
    let status = if success {
        SyncStatus::Completed
    } else {
        SyncStatus::Failed
    };
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
    .bind(status)
    .bind(success)
    .bind(c.processed)
    .bind(c.created)
    .bind(c.updated)
    .bind(c.skipped)
    .bind(c.failed)
    .bind(millis(end.duration))
    .bind(end.error)
    .bind(&end.watermark.raw)
    .bind(end.previous_success)
    .bind(end.watermark.at)
    .bind(end.watermark.zone)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks every `running` pull of the config failed. Call only while holding its pull lock
/// (`locks::pull::PullLock`): the lock proves that no process is still running them.
pub async fn mark_abandoned_pulls(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE qloapps_sync_state
         SET status = 'failed', success = false, completed_at = greatest(clock_timestamp(), started_at),
             error_message = 'abandoned: the process running this pull stopped before finishing',
             last_sync_error = 'abandoned: the process running this pull stopped before finishing'
         WHERE config_id = $1 AND direction = 'inbound' AND operation = 'pull' AND status = 'running'",
    )
    .bind(config_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Configs with a `running` pull that started more than `older_than` ago.
pub async fn configs_with_old_running_pulls(
    db: impl PgExecutor<'_>,
    older_than: Duration,
) -> Result<Vec<ConfigId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT config_id FROM qloapps_sync_state
         WHERE status = 'running' AND direction = 'inbound' AND operation = 'pull'
           AND started_at < now() - make_interval(secs => $1)",
    )
    .bind(older_than.as_secs_f64())
    .fetch_all(db)
    .await
}

/// `watermark`, `watermark_at`, `watermark_zone` of the config's newest pull that stored one.
pub async fn latest_pull_watermark(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
) -> Result<Option<(Option<String>, Option<DateTime<Utc>>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT watermark, watermark_at, watermark_zone FROM qloapps_sync_state
         WHERE config_id = $1 AND direction = 'inbound' AND operation = 'pull' AND watermark IS NOT NULL
         ORDER BY started_at DESC LIMIT 1",
    )
    .bind(config_id)
    .fetch_optional(db)
    .await
}

/// When a pull of the config last succeeded.
pub async fn last_successful_pull(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT max(last_successful_sync) FROM qloapps_sync_state
         WHERE config_id = $1 AND direction = 'inbound' AND operation = 'pull'",
    )
    .bind(config_id)
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
