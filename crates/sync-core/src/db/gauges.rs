//! What the scheduler exports as per-config gauges (`crates/sync-scheduler/src/gauges.rs`),
//! read across tables: counts per config, breaker states, the newest completed pull, and the
//! sync log's conflicts by id range. Reads only; config ids come back as text, as the metric
//! labels want them.

use sqlx::PgExecutor;

/// (config, reservations out of sync) for every config with at least one.
pub async fn out_of_sync_counts(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, f64)>> {
    sqlx::query_as(
        "SELECT config_id::text, count(*)::float8 FROM qloapps_out_of_sync GROUP BY config_id",
    )
    .fetch_all(db)
    .await
}

/// (config, open pull failures) for every config with at least one.
pub async fn pull_failure_counts(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, f64)>> {
    sqlx::query_as(
        "SELECT config_id::text, count(*)::float8 FROM qloapps_pull_failures
         WHERE discarded_at IS NULL GROUP BY config_id",
    )
    .fetch_all(db)
    .await
}

/// (config, stored breaker state) of every config with a breaker row.
pub async fn breaker_states(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT config_id::text, state FROM circuit_breaker_state")
        .fetch_all(db)
        .await
}

/// (config, epoch seconds) of each config's newest completed pull, through the
/// (config_id, started_at) index.
pub async fn last_completed_pulls(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, f64)>> {
    sqlx::query_as(
        "SELECT c.config_id::text, EXTRACT(EPOCH FROM s.completed_at)::float8
         FROM (SELECT DISTINCT config_id FROM qloapps_sync_state WHERE direction = 'inbound') c
         CROSS JOIN LATERAL (
             SELECT completed_at FROM qloapps_sync_state
             WHERE config_id = c.config_id AND direction = 'inbound' AND status = 'completed'
             ORDER BY started_at DESC LIMIT 1) s",
    )
    .fetch_all(db)
    .await
}

/// The newest sync-log id (0 for an empty log).
pub async fn newest_log_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM qloapps_sync_log")
        .fetch_one(db)
        .await
}

/// (config, conflicts) logged with ids in `after < id <= upto`, through the primary key.
pub async fn conflicts_between(
    db: impl PgExecutor<'_>,
    after: i64,
    upto: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT config_id::text, count(*) FROM qloapps_sync_log
         WHERE id > $1 AND id <= $2 AND outcome = 'conflict' GROUP BY config_id",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(db)
    .await
}
