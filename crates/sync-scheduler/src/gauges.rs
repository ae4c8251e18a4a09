//! Per-config gauges of the state every process shares through PostgreSQL, read by the
//! scheduler (one per installation is enough; several agree): what the alerts in
//! `deploy/prometheus/alerts.yml` watch beside each process's own counters.
//!
//! Labels: `config_id` only (bounded by the number of QloApps configs). A config that drops
//! out of a table (its last out-of-sync reservation fixed, its circuit row deleted) is set to
//! its resting value rather than left at its last reading.

use std::collections::HashSet;
use std::time::Duration;

use metrics::{describe_counter, describe_gauge, Unit};
use qlo_client::RateLimitConfig;
use sqlx::PgPool;
use sync_core::shared_limiter::PgRateLimiter;
use tokio_util::sync::CancellationToken;

/// Reservations whose last push QloApps refused (`qloapps_out_of_sync`).
pub const OUT_OF_SYNC: &str = "qlosync_out_of_sync_reservations";
/// When the config's last pull completed.
pub const LAST_SUCCESSFUL_PULL: &str = "qlosync_last_successful_pull_timestamp_seconds";
/// `QLOAPPS_SYNC_INTERVAL_MS`, for the "no successful pull in 3 intervals" alert.
pub const PULL_INTERVAL: &str = "qlosync_pull_interval_seconds";
/// The shared breaker's state as stored: 0 closed, 1 open, 2 half-open.
pub const BREAKER_STATE: &str = "qlosync_circuit_breaker_state";
/// QloApps calls that may go at once now (negative while callers wait).
pub const RATE_LIMIT_AVAILABLE: &str = "qlosync_rate_limit_available";
/// Conflicts recorded in the sync log (a PMS change lost to a newer QloApps one), counted
/// from this scheduler's start.
pub const CONFLICTS_TOTAL: &str = "qlosync_conflicts_total";
/// When the scheduler last listed the configs (its loop is alive).
pub const LAST_TICK: &str = "qlosync_scheduler_last_tick_timestamp_seconds";
/// `{outcome}`: scheduled pulls by how they ended (`crate::scheduler`).
pub const SCHEDULER_RUNS: &str = "qlosync_scheduler_runs_total";
/// Open pull failures per config (`sync_core::metrics_catalog::PULL_FAILURES`).
const PULL_FAILURES: &str = sync_core::metrics_catalog::PULL_FAILURES;

/// Registers the `# HELP` text of this crate's metrics.
pub fn describe() {
    describe_gauge!(
        OUT_OF_SYNC,
        "Reservations whose last push QloApps refused (out of sync), per config"
    );
    describe_gauge!(
        LAST_SUCCESSFUL_PULL,
        Unit::Seconds,
        "Unix time of the config's last completed pull"
    );
    describe_gauge!(
        PULL_INTERVAL,
        Unit::Seconds,
        "The scheduler's incremental pull interval (QLOAPPS_SYNC_INTERVAL_MS)"
    );
    describe_gauge!(
        BREAKER_STATE,
        "The shared circuit breaker's state as stored in PostgreSQL: 0 closed, 1 open, 2 half-open"
    );
    describe_gauge!(
        RATE_LIMIT_AVAILABLE,
        "QloApps calls the shared rate limiter lets go at once now, per config (negative while callers wait)"
    );
    describe_counter!(
        CONFLICTS_TOTAL,
        "Conflicts written to the sync log since this scheduler started (a PMS change lost to a newer QloApps one), per config"
    );
    describe_gauge!(
        LAST_TICK,
        Unit::Seconds,
        "Unix time of the scheduler's last tick that listed the configs"
    );
    describe_counter!(
        SCHEDULER_RUNS,
        "Scheduled pulls by outcome (completed, busy, not_syncing, failed)"
    );
}

/// What one reading remembers for the next.
#[derive(Debug, Default)]
pub struct Readings {
    /// Highest sync log id already counted for conflicts.
    last_log_id: Option<i64>,
    out_of_sync: HashSet<String>,
    pull_failures: HashSet<String>,
    breakers: HashSet<String>,
}

/// Sets a gauge for every config: its row's value, or `rest` for the syncing configs without
/// a row and the configs seen before that have none now.
fn set_all(
    name: &'static str,
    rows: &[(String, f64)],
    configs: &[String],
    seen: &mut HashSet<String>,
    rest: f64,
) {
    let now: HashSet<String> = rows.iter().map(|(id, _)| id.clone()).collect();
    for id in seen.iter().chain(configs).filter(|id| !now.contains(*id)) {
        metrics::gauge!(name, "config_id" => id.clone()).set(rest);
    }
    for (id, value) in rows {
        metrics::gauge!(name, "config_id" => id.clone()).set(*value);
    }
    *seen = now;
}

/// Reads every gauge once.
pub async fn refresh(
    pool: &PgPool,
    limit: &RateLimitConfig,
    readings: &mut Readings,
) -> sqlx::Result<()> {
    let configs: Vec<String> = crate::scheduler::syncing_configs(pool)
        .await?
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    let out_of_sync: Vec<(String, f64)> = sqlx::query_as(
        "SELECT config_id::text, count(*)::float8 FROM qloapps_out_of_sync GROUP BY config_id",
    )
    .fetch_all(pool)
    .await?;
    set_all(
        OUT_OF_SYNC,
        &out_of_sync,
        &configs,
        &mut readings.out_of_sync,
        0.0,
    );

    let failures: Vec<(String, f64)> = sqlx::query_as(
        "SELECT config_id::text, count(*)::float8 FROM qloapps_pull_failures
         WHERE discarded_at IS NULL GROUP BY config_id",
    )
    .fetch_all(pool)
    .await?;
    set_all(
        PULL_FAILURES,
        &failures,
        &configs,
        &mut readings.pull_failures,
        0.0,
    );

    // a config without a breaker row has never failed: closed
    let breakers: Vec<(String, String)> =
        sqlx::query_as("SELECT config_id::text, state FROM circuit_breaker_state")
            .fetch_all(pool)
            .await?;
    let breakers: Vec<(String, f64)> = breakers
        .into_iter()
        .map(|(id, state)| {
            let value = match state.as_str() {
                "OPEN" => 1.0,
                "HALF_OPEN" => 2.0,
                _ => 0.0,
            };
            (id, value)
        })
        .collect();
    set_all(
        BREAKER_STATE,
        &breakers,
        &configs,
        &mut readings.breakers,
        0.0,
    );

    for id in &configs {
        let Ok(config_id) = uuid::Uuid::parse_str(id) else {
            continue;
        };
        let available = PgRateLimiter::new(pool.clone(), config_id, *limit)
            .available()
            .await?;
        metrics::gauge!(RATE_LIMIT_AVAILABLE, "config_id" => id.clone()).set(available);
        // the series exists from the start, so rate() sees the first conflict
        metrics::counter!(CONFLICTS_TOTAL, "config_id" => id.clone()).increment(0);
    }

    // the newest completed pull of each config, through the (config_id, started_at) index
    let pulls: Vec<(String, f64)> = sqlx::query_as(
        "SELECT c.config_id::text, EXTRACT(EPOCH FROM s.completed_at)::float8
         FROM (SELECT DISTINCT config_id FROM qloapps_sync_state WHERE direction = 'inbound') c
         CROSS JOIN LATERAL (
             SELECT completed_at FROM qloapps_sync_state
             WHERE config_id = c.config_id AND direction = 'inbound' AND status = 'completed'
             ORDER BY started_at DESC LIMIT 1) s",
    )
    .fetch_all(pool)
    .await?;
    for (id, at) in pulls {
        metrics::gauge!(LAST_SUCCESSFUL_PULL, "config_id" => id).set(at);
    }

    // conflicts: only the log rows written since the last reading, through the primary key
    let newest: i64 = sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM qloapps_sync_log")
        .fetch_one(pool)
        .await?;
    if let Some(last) = readings.last_log_id {
        let conflicts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT config_id::text, count(*) FROM qloapps_sync_log
             WHERE id > $1 AND id <= $2 AND outcome = 'conflict' GROUP BY config_id",
        )
        .bind(last)
        .bind(newest)
        .fetch_all(pool)
        .await?;
        for (id, n) in conflicts {
            metrics::counter!(CONFLICTS_TOTAL, "config_id" => id)
                .increment(u64::try_from(n).unwrap_or(0));
        }
    }
    readings.last_log_id = Some(newest);
    Ok(())
}

/// Reads the gauges every `every` (`QLOSYNC_GAUGES_INTERVAL_MS`) until cancelled; a database
/// that is away only skips a reading. `interval` is the pull interval, exported as is.
pub async fn run(
    pool: PgPool,
    limit: RateLimitConfig,
    interval: Duration,
    every: Duration,
    cancel: CancellationToken,
) {
    metrics::gauge!(PULL_INTERVAL).set(interval.as_secs_f64());
    let mut readings = Readings::default();
    loop {
        if let Err(error) = refresh(&pool, &limit, &mut readings).await {
            tracing::debug!(%error, "database gauges not read");
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
