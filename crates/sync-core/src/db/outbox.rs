//! `outbox`, and the only module that writes it: a change inserts its message in its own
//! transaction ([`insert`], through `outbox::enqueue`); the relay claims, marks sent and counts
//! failed publishes (`relay`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A message to insert (`outbox::enqueue` builds it from a typed message).
#[derive(Debug, Clone)]
pub struct NewOutboxRow<'a> {
    pub message_id: Uuid,
    pub queue: &'a str,
    pub event_type: &'a str,
    pub config_id: Uuid,
    pub payload: serde_json::Value,
    pub correlation_id: Option<&'a str>,
}

/// Inserts one message; call inside the transaction of the change it announces.
pub async fn insert(conn: &mut PgConnection, row: &NewOutboxRow<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (message_id, queue, event_type, config_id, payload, correlation_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.message_id)
    .bind(row.queue)
    .bind(row.event_type)
    .bind(row.config_id)
    .bind(&row.payload)
    .bind(row.correlation_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Messages of a config not yet published (shown on the settings page as "pending").
pub async fn count_unsent(
    db: impl PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE config_id = $1 AND sent_at IS NULL")
        .bind(config_id)
        .fetch_one(db)
        .await
}

/// When the config's oldest unsent message was written, if any is waiting.
pub async fn oldest_unsent(
    db: impl PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT min(created_at) FROM outbox WHERE config_id = $1 AND sent_at IS NULL",
    )
    .bind(config_id)
    .fetch_one(db)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: Uuid,
    pub queue: String,
    pub event_type: String,
    pub config_id: Uuid,
    pub payload: serde_json::Value,
    pub correlation_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Locks up to `limit` unsent rows, oldest first, skipping rows another relay holds. The locks
/// last until the caller's transaction ends, so each row is published by one relay at a time.
pub async fn claim_batch(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, message_id, queue, event_type, config_id, payload, correlation_id, created_at
         FROM outbox WHERE sent_at IS NULL
         ORDER BY id LIMIT $1
         FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn mark_sent(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE outbox SET sent_at = now(), publish_attempts = publish_attempts + 1
         WHERE id = ANY($1)",
    )
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts a failed publish of each row and keeps its error; the rows stay unsent.
pub async fn record_failures(
    conn: &mut PgConnection,
    failures: &[(i64, String)],
) -> sqlx::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    let (ids, errors): (Vec<i64>, Vec<String>) = failures.iter().cloned().unzip();
    sqlx::query(
        "UPDATE outbox o SET publish_attempts = o.publish_attempts + 1, last_error = f.error
         FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
         WHERE o.id = f.id",
    )
    .bind(&ids)
    .bind(&errors)
    .execute(conn)
    .await?;
    Ok(())
}

/// While the broker cannot be reached: counts the attempt on the oldest `limit` unsent rows
/// (those not being published by another relay) so operators see why they wait.
pub async fn record_unreachable(
    executor: impl PgExecutor<'_>,
    limit: i64,
    error: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox SET publish_attempts = publish_attempts + 1, last_error = $2
         WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)",
    )
    .bind(limit)
    .bind(error)
    .execute(executor)
    .await?;
    Ok(done.rows_affected())
}

/// Messages written but not yet published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backlog {
    pub count: i64,
    /// Age of the oldest unsent row; None when there is none.
    pub oldest_age: Option<Duration>,
}

/// The outbox backlog, read from the partial index of unsent rows.
pub async fn outbox_backlog(executor: impl PgExecutor<'_>) -> sqlx::Result<Backlog> {
    let (count, oldest_secs): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM now() - min(created_at))::float8
         FROM outbox WHERE sent_at IS NULL",
    )
    .fetch_one(executor)
    .await?;
    Ok(Backlog {
        count,
        oldest_age: oldest_secs.map(|s| Duration::from_secs_f64(s.max(0.0))),
    })
}
