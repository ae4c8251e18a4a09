//! One pull per QloApps config at a time, across every process and host (docs/architecture.md,
//! "Pull: QloApps bookings reaching the PMS").
//!
//! The lock is a PostgreSQL session advisory lock, `LockKey::Pull` (`db::advisory_lock`), held
//! on a connection of its own for the whole run. Pushes lock reservations in the one-bigint space, which never overlaps this one. When
//! the process dies or its task is dropped, the connection closes and the server releases the
//! lock at once: no lease to expire, no stale lock to clean up. The `status = 'running'`
//! row is kept for operators; see `db::qloapps_sync_state::mark_abandoned_pulls` and [`sweep_stale_runs`].

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};

use crate::db::advisory_lock::{self, LockKey};
use crate::db::qloapps_sync_state as sync_state;
use crate::domain::ConfigId;

/// A `running` row older than this is stale (README "Sync not running").
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

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
        let acquired = advisory_lock::try_lock_session(&mut conn, LockKey::Pull(config_id)).await?;
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
        let key = LockKey::Pull(self.config_id);
        let unlocked = advisory_lock::unlock_session(&mut self.conn, key).await;
        if let Err(error) = unlocked {
            tracing::warn!(config_id = %self.config_id, %error, "pull lock not released explicitly; closing its connection");
        }
        let _ = self.conn.close().await;
    }
}

/// The stale-run rule for operators (README "Sync not running"): `running` pull rows older than `older_than`
/// whose config's lock is free are marked failed. A row whose lock is held belongs to a pull
/// that is alive (if slow) and is left alone. Returns the rows marked.
pub async fn sweep_stale_runs(pool: &PgPool, older_than: Duration) -> Result<u64, sqlx::Error> {
    let configs = sync_state::configs_with_old_running_pulls(pool, older_than).await?;
    let mut marked = 0;
    for config_id in configs {
        if let Some(mut lock) = PullLock::try_acquire(pool, config_id).await? {
            let result = sync_state::mark_abandoned_pulls(&mut lock.conn, config_id).await;
            lock.release().await;
            marked += result?;
        }
    }
    if marked > 0 {
        tracing::warn!(marked, "marked stale 'running' pull rows failed");
    }
    Ok(marked)
}
