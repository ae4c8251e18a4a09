//! Per-config gauges of the state every process shares through PostgreSQL, read by the
//! scheduler (one per installation is enough; several agree): what the alerts in
//! `deploy/prometheus/alerts.yml` watch beside each process's own counters.
//!
//! Labels: `config_id` only (bounded by the number of QloApps configs). A config that drops
//! out of a table (its last out-of-sync reservation fixed, its circuit row deleted) is set to
//! its resting value rather than left at its last reading.

use std::collections::HashSet;
use std::time::Duration;
use sync_core::db::gauges;

use metrics::{describe_counter, describe_gauge, Unit};
use qlo_client::RateLimitConfig;
use sqlx::PgPool;
use sync_core::shared::limiter::PgRateLimiter;
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
    let configs: Vec<String> = sync_core::db::qloapps_config::syncing_configs(pool)
        .await?
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    let out_of_sync = gauges::out_of_sync_counts(pool).await?;
    set_all(
        OUT_OF_SYNC,
        &out_of_sync,
        &configs,
        &mut readings.out_of_sync,
        0.0,
    );

    let failures = gauges::pull_failure_counts(pool).await?;
    set_all(
        PULL_FAILURES,
        &failures,
        &configs,
        &mut readings.pull_failures,
        0.0,
    );

    // a config without a breaker row has never failed: closed
    let breakers: Vec<(String, f64)> = gauges::breaker_states(pool)
        .await?
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

    for (id, at) in gauges::last_completed_pulls(pool).await? {
        metrics::gauge!(LAST_SUCCESSFUL_PULL, "config_id" => id).set(at);
    }

    // conflicts: only the log rows written since the last reading, through the primary key
    let newest = gauges::newest_log_id(pool).await?;
    if let Some(last) = readings.last_log_id {
        for (id, n) in gauges::conflicts_between(pool, last, newest).await? {
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
