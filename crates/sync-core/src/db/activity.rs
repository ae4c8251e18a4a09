//! What the console's charts read (`GET /qloapps/configs/{id}/activity`): per time bucket the
//! sync-log items, the p95 duration of outbound runs and the queue depths sampled, from
//! `qloapps_sync_log`, `qloapps_sync_state` and `queue_depth_samples`. Reads only.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use crate::domain::ConfigId;

/// One bucket with something in it (empty buckets are not returned).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityRow {
    pub at: DateTime<Utc>,
    pub pushes: i64,
    pub pulls: i64,
    pub failures: i64,
    pub p95: Option<f64>,
    pub outbound: Option<i32>,
    pub inbound: Option<i32>,
    pub dead_letter: Option<i32>,
}

/// The config's buckets of `bucket_seconds` from `from` (a bucket boundary) on, oldest first.
pub async fn buckets(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    from: DateTime<Utc>,
    bucket_seconds: i64,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    sqlx::query_as(
        "WITH items AS (
             SELECT date_bin(make_interval(secs => $3), created_at, $2) AS at,
                    count(*) FILTER (WHERE direction = 'outbound') AS pushes,
                    count(*) FILTER (WHERE direction = 'inbound') AS pulls,
                    count(*) FILTER (WHERE NOT success) AS failures
             FROM qloapps_sync_log WHERE config_id = $1 AND created_at >= $2 GROUP BY 1),
         runs AS (
             SELECT date_bin(make_interval(secs => $3), started_at, $2) AS at,
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
             FROM qloapps_sync_state
             WHERE config_id = $1 AND direction = 'outbound' AND started_at >= $2
               AND duration_ms IS NOT NULL
             GROUP BY 1),
         depths AS (
             SELECT date_bin(make_interval(secs => $3), sampled_at, $2) AS at,
                    max(outbound) AS outbound, max(inbound) AS inbound,
                    max(dead_letter) AS dead_letter
             FROM queue_depth_samples WHERE sampled_at >= $2 GROUP BY 1),
         buckets AS (SELECT at FROM items UNION SELECT at FROM runs UNION SELECT at FROM depths)
         SELECT buckets.at, coalesce(pushes, 0) AS pushes, coalesce(pulls, 0) AS pulls,
                coalesce(failures, 0) AS failures, runs.p95,
                depths.outbound, depths.inbound, depths.dead_letter
         FROM buckets LEFT JOIN items USING (at) LEFT JOIN runs USING (at)
              LEFT JOIN depths USING (at)
         ORDER BY 1",
    )
    .bind(config_id)
    .bind(from)
    .bind(bucket_seconds as f64)
    .fetch_all(db)
    .await
}
