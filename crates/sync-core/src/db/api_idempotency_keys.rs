//! `api_idempotency_keys`: the one writer of that table. A key is claimed by the first request
//! that uses it (a row without a response), completed with that request's answer, or released
//! again (the row deleted) when the answer was a 5xx, so the client may retry.

use std::time::Duration;

use sqlx::PgPool;

/// Who a key belongs to and what it was first used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyScope<'a> {
    /// SHA-256 of the bearer token.
    pub token_hash: &'a [u8; 32],
    /// The `Idempotency-Key` header.
    pub key: &'a str,
}

/// How long keys live, and when a claim whose request never finished (its process died) is
/// given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub ttl: Duration,
    pub abandoned_after: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            ttl: Duration::from_secs(24 * 3600),
            abandoned_after: Duration::from_secs(120),
        }
    }
}

/// The first answer given to a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What a request holding a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or expired, or abandoned): this request runs and records its answer.
    Claimed,
    /// The same request already ran: answer what it answered.
    Replay(StoredResponse),
    /// The key was first used with another method, path or body.
    Mismatch,
    /// The first request with this key has not answered yet.
    InFlight,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: Vec<u8>,
    completed: bool,
    response_status: Option<i16>,
    response_content_type: Option<String>,
    response_body: Option<Vec<u8>>,
}

/// Claims `scope` for a request whose hash is `request_hash`, or says why not.
pub async fn claim(
    pool: &PgPool,
    scope: KeyScope<'_>,
    request_hash: &[u8; 32],
    lifetimes: Lifetimes,
) -> Result<Claim, sqlx::Error> {
    // a row deleted between the insert and the read (a 5xx released it) is claimed next round
    loop {
        let claimed: Option<bool> = sqlx::query_scalar(
            "INSERT INTO api_idempotency_keys AS k (token_hash, idempotency_key, request_hash)
             VALUES ($1, $2, $3)
             ON CONFLICT (token_hash, idempotency_key) DO UPDATE
             SET request_hash = EXCLUDED.request_hash, created_at = now(), completed_at = NULL,
                 response_status = NULL, response_content_type = NULL, response_body = NULL
             WHERE k.created_at < now() - make_interval(secs => $4)
                OR (k.completed_at IS NULL AND k.created_at < now() - make_interval(secs => $5))
             RETURNING true",
        )
        .bind(scope.token_hash.as_slice())
        .bind(scope.key)
        .bind(request_hash.as_slice())
        .bind(lifetimes.ttl.as_secs_f64())
        .bind(lifetimes.abandoned_after.as_secs_f64())
        .fetch_optional(pool)
        .await?;
        if claimed.is_some() {
            return Ok(Claim::Claimed);
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT request_hash, completed_at IS NOT NULL AS completed, response_status,
                    response_content_type, response_body
             FROM api_idempotency_keys WHERE token_hash = $1 AND idempotency_key = $2",
        )
        .bind(scope.token_hash.as_slice())
        .bind(scope.key)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else { continue };
        if row.request_hash.as_slice() != request_hash.as_slice() {
            return Ok(Claim::Mismatch);
        }
        return Ok(
            match (row.completed, row.response_status, row.response_body) {
                (true, Some(status), Some(body)) => Claim::Replay(StoredResponse {
                    status: u16::try_from(status).unwrap_or(500),
                    content_type: row.response_content_type,
                    body,
                }),
                _ => Claim::InFlight,
            },
        );
    }
}

/// Records the answer of the request that claimed `scope`.
pub async fn complete(
    pool: &PgPool,
    scope: KeyScope<'_>,
    response: &StoredResponse,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_idempotency_keys
         SET completed_at = now(), response_status = $3, response_content_type = $4,
             response_body = $5
         WHERE token_hash = $1 AND idempotency_key = $2 AND completed_at IS NULL",
    )
    .bind(scope.token_hash.as_slice())
    .bind(scope.key)
    .bind(i16::try_from(response.status).unwrap_or(i16::MAX))
    .bind(response.content_type.as_deref())
    .bind(response.body.as_slice())
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives `scope` up (its request answered 5xx): the next request with it runs again.
pub async fn release(pool: &PgPool, scope: KeyScope<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM api_idempotency_keys
         WHERE token_hash = $1 AND idempotency_key = $2 AND completed_at IS NULL",
    )
    .bind(scope.token_hash.as_slice())
    .bind(scope.key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes keys older than `ttl`; returns how many.
pub async fn delete_expired(pool: &PgPool, ttl: Duration) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM api_idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
    )
    .bind(ttl.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
