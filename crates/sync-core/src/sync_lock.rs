//! One pull per QloApps config at a time, across every process and host (docs/architecture.md,
//! "Pull: QloApps bookings reaching the PMS").
//!
//! The lock is a PostgreSQL session advisory lock in the two-int key space
//! `(PULL_LOCK_NAMESPACE, hash of the config id)`, held on a connection of its own for the whole
//! run. Pushes lock reservations in the one-bigint space, which never overlaps this one. When
//! the process dies or its task is dropped, the connection closes and the server releases the
//! lock at once: no lease to expire, no stale lock to clean up. The `status = 'running'`
//! row is kept for operators; see [`mark_abandoned_runs`] and [`sweep_stale_runs`].

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};

use crate::domain::ConfigId;

/// First key of every pull lock ("qlp1"), so qlosync's pull locks cannot collide with another
/// application's two-int advisory locks on the same database.
pub const PULL_LOCK_NAMESPACE: i32 = 0x716c_7031;

/// A `running` row older than this is stale (README "Sync not running").
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// The second key of a config's pull lock: the config id folded to 32 bits.
pub fn config_lock_key(config_id: ConfigId) -> i32 {
    let folded = config_id
        .0
        .as_bytes()
        .chunks_exact(4)
        .fold([0u8; 4], |acc, chunk| {
            [
                acc[0] ^ chunk[0],
                acc[1] ^ chunk[1],
                acc[2] ^ chunk[2],
                acc[3] ^ chunk[3],
            ]
        });
    i32::from_be_bytes(folded)
}

/// A held pull lock. Release it with [`PullLock::release`]; dropping it closes the connection,
/// which releases it too (that is what happens when a scheduler is killed mid-pull).
#[derive(Debug)]
pub struct PullLock {
    conn: PgConnection,
    config_id: ConfigId,
}

impl PullLock {
    /// Takes the config's pull lock if it is free; `None` when another pull holds it.
    pub async fn try_acquire(
        pool: &PgPool,
        config_id: ConfigId,
    ) -> Result<Option<PullLock>, sqlx::Error> {
        // A connection outside the pool: a session lock on a pooled connection would survive a
        // dropped task and go back to the pool still held.
        let options = pool.connect_options();
        let mut conn = PgConnection::connect_with(&options).await?;
        let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(PULL_LOCK_NAMESPACE)
            .bind(config_lock_key(config_id))
            .fetch_one(&mut conn)
            .await?;
        if acquired {
            Ok(Some(PullLock { conn, config_id }))
        } else {
            let _ = conn.close().await;
            Ok(None)
        }
    }

    pub fn config_id(&self) -> ConfigId {
        self.config_id
    }

    /// Unlocks and closes the connection. Errors are logged, not returned: closing the
    /// connection releases the lock anyway.
    pub async fn release(mut self) {
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(PULL_LOCK_NAMESPACE)
            .bind(config_lock_key(self.config_id))
            .execute(&mut self.conn)
            .await;
        if let Err(error) = unlocked {
            tracing::warn!(config_id = %self.config_id, %error, "pull lock not released explicitly; closing its connection");
        }
        let _ = self.conn.close().await;
    }
}

/// Marks every `running` pull row (`direction 'inbound'`, `operation 'pull'`) of the config failed. Call only while holding its
/// [`PullLock`]: the lock proves that no process is still running them (their process died).
pub async fn mark_abandoned_runs(
    db: impl sqlx::PgExecutor<'_>,
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

/// The stale-run rule for operators (README "Sync not running"): `running` pull rows older than `older_than`
/// whose config's lock is free are marked failed. A row whose lock is held belongs to a pull
/// that is alive (if slow) and is left alone. Returns the rows marked.
pub async fn sweep_stale_runs(pool: &PgPool, older_than: Duration) -> Result<u64, sqlx::Error> {
    let secs = older_than.as_secs_f64();
    let configs: Vec<ConfigId> = sqlx::query_scalar(
        "SELECT DISTINCT config_id FROM qloapps_sync_state
         WHERE status = 'running' AND direction = 'inbound' AND operation = 'pull'
           AND started_at < now() - make_interval(secs => $1)",
    )
    .bind(secs)
    .fetch_all(pool)
    .await?;
    let mut marked = 0;
    for config_id in configs {
        if let Some(mut lock) = PullLock::try_acquire(pool, config_id).await? {
            let result = mark_abandoned_runs(&mut lock.conn, config_id).await;
            lock.release().await;
            marked += result?;
        }
    }
    if marked > 0 {
        tracing::warn!(marked, "marked stale 'running' pull rows failed");
    }
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn lock_keys_are_stable_and_spread() {
        let a = ConfigId(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef));
        assert_eq!(config_lock_key(a), config_lock_key(a));
        let b = ConfigId(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdee));
        assert_ne!(config_lock_key(a), config_lock_key(b));
    }
}
