//! `GET /qloapps/configs/{configId}/activity`: pushes, pulls and failures per time bucket, the
//! p95 push duration and the queue depths, over the last hours, from the sync log, the runs and
//! the queue-depth samples qlosync keeps in PostgreSQL (the console's charts; no Prometheus
//! needed).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sync_core::db;
use sync_core::db::activity::ActivityRow;
use sync_core::domain::ConfigId;
use utoipa::{IntoParams, ToSchema};

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/qloapps/configs/{configId}/activity", get(get_activity))
}

/// Buckets per answer (about): the bucket length grows with `hours`.
const BUCKETS: i64 = 120;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// 1-48, default 6
    #[param(minimum = 1, maximum = 48)]
    pub hours: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub config_id: ConfigId,
    /// start of the first bucket
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket_seconds: i64,
    /// every bucket from `from` to `to`, oldest first (zeros included)
    pub buckets: Vec<ActivityBucket>,
}

#[derive(Debug, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ActivityBucket {
    pub at: DateTime<Utc>,
    /// outbound sync-log items (reservations, rates, availability sent to QloApps)
    pub pushes: i64,
    /// inbound sync-log items (orders read from QloApps)
    pub pulls: i64,
    /// items of either direction that failed
    pub failures: i64,
    /// 95th percentile of the outbound runs' duration started in the bucket, ms; null without one
    pub p95_push_ms: Option<f64>,
    /// the largest depth of the outbound work queue sampled in the bucket (the queues are
    /// shared by every config); null without a sample (the api was not running, or RabbitMQ
    /// was away)
    pub outbound_queue_depth: Option<i32>,
    /// the same for the inbound work queue
    pub inbound_queue_depth: Option<i32>,
    /// the same for the dead-letter queue
    pub dlq_depth: Option<i32>,
}

/// Activity of the config over the last `hours`.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/activity", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), ActivityQuery),
    responses((status = 200, body = Activity), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_activity(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiQuery(query): ApiQuery<ActivityQuery>,
) -> Result<Json<Activity>, ApiError> {
    let hours = query.hours.unwrap_or(6);
    if !(1..=48).contains(&hours) {
        return Err(ApiError::field("hours", "must be between 1 and 48"));
    }
    require_config(&state.pool, config_id).await?;
    let bucket_seconds = (hours * 3600 / BUCKETS).max(60);
    let bucket = TimeDelta::seconds(bucket_seconds);
    let to = Utc::now();
    let from = (to - Duration::hours(hours))
        .duration_trunc(bucket)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let rows = db::activity::buckets(&state.pool, config_id, from, bucket_seconds).await?;
    Ok(Json(Activity {
        config_id,
        from,
        to,
        bucket_seconds,
        buckets: fill(from, to, bucket, rows),
    }))
}

/// One bucket per step from `from` through `to`, the counted ones from `rows`.
fn fill(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: TimeDelta,
    rows: Vec<ActivityRow>,
) -> Vec<ActivityBucket> {
    let mut rows = rows.into_iter().peekable();
    let mut buckets = Vec::new();
    let mut at = from;
    while at <= to {
        let mut bucket = ActivityBucket {
            at,
            pushes: 0,
            pulls: 0,
            failures: 0,
            p95_push_ms: None,
            outbound_queue_depth: None,
            inbound_queue_depth: None,
            dlq_depth: None,
        };
        while let Some(row) = rows.next_if(|r| r.at <= at) {
            if row.at == at {
                bucket.pushes = row.pushes;
                bucket.pulls = row.pulls;
                bucket.failures = row.failures;
                bucket.p95_push_ms = row.p95;
                bucket.outbound_queue_depth = row.outbound;
                bucket.inbound_queue_depth = row.inbound;
                bucket.dlq_depth = row.dead_letter;
            }
        }
        buckets.push(bucket);
        at += step;
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_is_there_and_the_counted_ones_carry_their_counts() {
        let from = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let step = TimeDelta::minutes(1);
        let rows = vec![ActivityRow {
            at: from + step,
            pushes: 3,
            pulls: 1,
            failures: 1,
            p95: Some(80.0),
            outbound: Some(7),
            inbound: Some(0),
            dead_letter: Some(2),
        }];
        let buckets = fill(from, from + TimeDelta::minutes(2), step, rows);
        assert_eq!(buckets.len(), 3);
        assert_eq!(buckets[0].pushes, 0);
        assert_eq!(buckets[1].at, from + step);
        assert_eq!(
            (buckets[1].pushes, buckets[1].pulls, buckets[1].failures),
            (3, 1, 1)
        );
        assert_eq!(buckets[1].p95_push_ms, Some(80.0));
        assert_eq!(
            (buckets[1].outbound_queue_depth, buckets[1].dlq_depth),
            (Some(7), Some(2))
        );
        assert_eq!(buckets[2].p95_push_ms, None);
        assert_eq!(buckets[2].outbound_queue_depth, None);
    }
}
