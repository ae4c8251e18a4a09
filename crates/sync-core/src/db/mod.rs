//! PostgreSQL access: the pool, the migrations, and one module of queries per table.
//!
//! Queries are free functions taking `impl PgExecutor` or `&mut PgConnection`, so the caller
//! decides the transaction. They use runtime-checked `sqlx::query_as` (no offline data).

use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::config::{ConfigError, DatabaseSettings};

pub mod availability;
pub mod guests;
pub mod properties;
pub mod qloapps_config;
pub mod qloapps_pull_failures;
pub mod qloapps_reservation_mappings;
pub mod qloapps_room_type_mappings;
pub mod qloapps_sync_log;
pub mod qloapps_sync_state;
pub mod rates;
pub mod reservations;
pub mod room_types;

/// Every migration in `migrations/`. Run only by `api migrate` (one owner); sqlx holds a
/// PostgreSQL advisory lock while it runs, so two concurrent runs apply each migration once.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A pool that connects on first use, so a process can start (and answer `/ready` with 503)
/// while PostgreSQL is down.
pub fn connect_lazy(settings: &DatabaseSettings) -> Result<PgPool, ConfigError> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())
        .map_err(|_| ConfigError::new("DATABASE_URL", "is not a valid postgres:// URL"))?;
    Ok(pool_options(settings.max_connections).connect_lazy_with(options))
}

pub fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
}

/// The name of the constraint a statement violated, if any: callers map it to a client error.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    error.as_database_error().and_then(|e| e.constraint())
}

/// Errors worth retrying: the connection or the pool, not the statement.
pub fn is_transient(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    )
}

/// Page bounds for list queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}
