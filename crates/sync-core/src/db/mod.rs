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

pub mod activity;
pub mod advisory_lock;
pub mod api_idempotency_keys;
pub mod availability;
pub mod gauges;
pub mod guests;
pub mod outbox;
mod per_night;
pub mod properties;
pub mod qloapps_config;
pub mod qloapps_customer_mappings;
pub mod qloapps_inventory_holds;
pub mod qloapps_out_of_sync;
pub mod qloapps_pull_failures;
pub mod qloapps_rate_limit_buckets;
pub mod qloapps_rate_rules;
pub mod qloapps_reconcile_jobs;
pub mod qloapps_reservation_mappings;
pub mod qloapps_room_type_mappings;
pub mod qloapps_sync_log;
pub mod qloapps_sync_state;
pub mod queue_depth_samples;
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

/// Deletes the rows of `config_id` from `table`, for the table's own writer to call
/// (`shop_state::forget`); `table` is always one of those writers' constant names.
pub(crate) async fn delete_config_rows(
    db: impl sqlx::PgExecutor<'_>,
    table: &'static str,
    config_id: crate::domain::ConfigId,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("DELETE FROM {table} WHERE config_id = $1"))
        .bind(config_id)
        .execute(db)
        .await?;
    Ok(())
}

/// One round trip: PostgreSQL answers (readiness checks).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// The name of the constraint a statement violated, if any: callers map it to a client error.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    error.as_database_error().and_then(|e| e.constraint())
}

/// Errors worth retrying: the database is away ([`is_unavailable`]) or chose this transaction
/// as a deadlock or serialization victim (SQLSTATE 40P01, 40001); never the statement itself.
pub fn is_transient(error: &sqlx::Error) -> bool {
    is_unavailable(error) || sqlstate(error).is_some_and(|code| matches!(&*code, "40001" | "40P01"))
}

/// Whether the database itself is away, as opposed to a statement that lost a race: the
/// connection or the pool, or SQLSTATE class 08 (connection exceptions), 57P01 admin shutdown (a
/// restart), 57P02 crash shutdown, 57P03 cannot connect now (starting up), 53300 too many
/// connections (PostgreSQL appendix A). Work that meets it waits for the database without using
/// up its retries: a restart or a failover can last longer than every retry a message has.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => sqlstate(error).is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }),
    }
}

fn sqlstate(error: &sqlx::Error) -> Option<std::borrow::Cow<'_, str>> {
    error.as_database_error().and_then(|e| e.code())
}

/// Page bounds for list queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection terminated by the server, as a PostgreSQL restart does (SQLSTATE 57P01).
    #[sqlx::test]
    async fn a_server_terminated_connection_is_transient(pool: PgPool) {
        let mut victim = pool.acquire().await.expect("connection");
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *victim)
            .await
            .expect("pid");
        sqlx::query("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .execute(&pool)
            .await
            .expect("terminate");
        let error = sqlx::query("SELECT 1")
            .execute(&mut *victim)
            .await
            .expect_err("the connection is gone");
        assert!(
            matches!(&error, sqlx::Error::Database(e) if e.code().as_deref() == Some("57P01")),
            "the server says why: {error:?}"
        );
        assert!(is_transient(&error), "{error:?}");
    }

    /// Two transactions locking the same rows in opposite order: one is the deadlock victim.
    #[sqlx::test]
    async fn a_deadlock_victim_is_transient_and_a_bad_statement_is_not(pool: PgPool) {
        sqlx::raw_sql("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)")
            .execute(&pool)
            .await
            .expect("table");
        let mut a = pool.begin().await.expect("a");
        let mut b = pool.begin().await.expect("b");
        let lock = "UPDATE t SET id = id WHERE id = $1";
        sqlx::query(lock)
            .bind(1)
            .execute(&mut *a)
            .await
            .expect("a 1");
        sqlx::query(lock)
            .bind(2)
            .execute(&mut *b)
            .await
            .expect("b 2");
        let (ra, rb) = tokio::join!(
            sqlx::query(lock).bind(2).execute(&mut *a),
            sqlx::query(lock).bind(1).execute(&mut *b)
        );
        let error = ra.err().or(rb.err()).expect("one of them is the victim");
        assert!(is_transient(&error), "{error:?}");

        let bad = sqlx::query("SELECT 1/0")
            .execute(&pool)
            .await
            .expect_err("division");
        assert!(!is_transient(&bad), "{bad:?}");
    }
}
