//! `qloapps_pull_failures`: orders a pull could not apply (see `pull::failures`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{ConfigId, PullFailure};

const COLUMNS: &str =
    "config_id, qloapps_order_id, reason, attempts, first_seen_at, last_seen_at, \
     next_retry_at, last_run_id, discarded_at, discard_reason";

/// How long after a failure the order is retried: `initial` after the first, doubling with
/// every attempt, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

/// Records one failed attempt: a new row, or one more attempt (and a later retry) on the
/// existing one. A discarded order that fails again is open again.
pub async fn record_failure(
    conn: &mut PgConnection,
    config_id: ConfigId,
    order_id: i64,
    reason: &str,
    run_id: Uuid,
    backoff: Backoff,
) -> Result<PullFailure, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_pull_failures AS f (config_id, qloapps_order_id, reason, last_run_id, next_retry_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         ON CONFLICT (config_id, qloapps_order_id) DO UPDATE
         SET reason = EXCLUDED.reason, attempts = f.attempts + 1, last_seen_at = now(),
             last_run_id = EXCLUDED.last_run_id, discarded_at = NULL, discard_reason = NULL,
             next_retry_at = now() + make_interval(secs => least($5 * power(2, least(f.attempts, 30)), $6))
         RETURNING {COLUMNS}"
    ))
    .bind(config_id)
    .bind(order_id)
    .bind(reason)
    .bind(run_id)
    .bind(backoff.initial.as_secs_f64())
    .bind(backoff.max.as_secs_f64())
    .fetch_one(conn)
    .await
}

/// Forgets an order once a pull applied it. True when there was a row.
pub async fn delete_failure(
    conn: &mut PgConnection,
    config_id: ConfigId,
    order_id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM qloapps_pull_failures WHERE config_id = $1 AND qloapps_order_id = $2",
    )
    .bind(config_id)
    .bind(order_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Every order id with a row (open or discarded): what a success has to delete.
pub async fn order_ids(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT qloapps_order_id FROM qloapps_pull_failures WHERE config_id = $1")
        .bind(config_id)
        .fetch_all(db)
        .await
}

/// Open failures to retry now, soonest first: those whose back-off is over, and every one last
/// seen before `changed_at` (a room-type mapping changed since: it may apply now).
pub async fn due(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    changed_at: Option<DateTime<Utc>>,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT qloapps_order_id FROM qloapps_pull_failures
         WHERE config_id = $1 AND discarded_at IS NULL
           AND (next_retry_at <= now() OR last_seen_at < $2)
         ORDER BY next_retry_at, qloapps_order_id LIMIT $3",
    )
    .bind(config_id)
    .bind(changed_at)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Makes every open failure of a config due now. Returns how many there are.
pub async fn mark_due(db: impl PgExecutor<'_>, config_id: ConfigId) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE qloapps_pull_failures SET next_retry_at = least(next_retry_at, now())
         WHERE config_id = $1 AND discarded_at IS NULL",
    )
    .bind(config_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A config's failures, oldest first; discarded ones only when asked.
pub async fn list_failures(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    include_discarded: bool,
) -> Result<Vec<PullFailure>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_pull_failures
         WHERE config_id = $1 AND ($2 OR discarded_at IS NULL)
         ORDER BY first_seen_at, qloapps_order_id"
    ))
    .bind(config_id)
    .bind(include_discarded)
    .fetch_all(db)
    .await
}

/// An operator gives up on an order: it is no longer retried. `None` when there is no row.
pub async fn discard_failure(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    order_id: crate::domain::QloOrderId,
    reason: &str,
) -> Result<Option<PullFailure>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE qloapps_pull_failures SET discarded_at = now(), discard_reason = $3
         WHERE config_id = $1 AND qloapps_order_id = $2 RETURNING {COLUMNS}"
    ))
    .bind(config_id)
    .bind(order_id)
    .bind(reason)
    .fetch_optional(db)
    .await
}

/// Open (not discarded) failures of a config.
pub async fn count_open(db: impl PgExecutor<'_>, config_id: ConfigId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM qloapps_pull_failures WHERE config_id = $1 AND discarded_at IS NULL",
    )
    .bind(config_id)
    .fetch_one(db)
    .await
}
