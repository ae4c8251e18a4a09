//! The periodic reconciliation job (for `sync-scheduler`): every enabled config is checked
//! over the coming horizon (rates and availability) and the bookings window (reservations
//! against QloApps orders) once per interval and, by default, fixed.
//!
//! When a config last ran is read from `qloapps_sync_state`, so a restarted scheduler does not
//! run every config again at once; a run that failed is tried again after at most 15 minutes.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use super::bookings::BookingScope;
use super::{ReconcileReport, ReconcileRequest, ReconcileService};
use crate::config::{parse_or, ConfigError};
use crate::db::qloapps_config::SYNCING;
use crate::domain::ConfigId;
use crate::qlo_clients::QloClients;

/// `QLOSYNC_RECONCILE_*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileSettings {
    /// `QLOSYNC_RECONCILE_INTERVAL_MS`, default one day.
    pub interval: Duration,
    /// `QLOSYNC_RECONCILE_HORIZON_DAYS`: nights from today on, default 365.
    pub horizon_days: u32,
    /// `QLOSYNC_RECONCILE_FIX`: fix the drift found (default) or only report it.
    pub fix: bool,
    /// `QLOSYNC_RECONCILE_BOOKINGS`: also compare reservations with QloApps orders (default).
    pub bookings: bool,
    /// `QLOSYNC_RECONCILE_BOOKINGS_PAST_DAYS`: the bookings window starts this many days
    /// before today (default 7).
    pub bookings_past_days: u32,
    /// `QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS`: and ends this many days after it (default 500).
    pub bookings_future_days: u32,
}

/// The bookings window `today - past ..= today + future`.
pub fn bookings_window(today: NaiveDate, past: u32, future: u32) -> BookingScope {
    BookingScope::Window {
        from: today
            .checked_sub_days(Days::new(u64::from(past)))
            .unwrap_or(today),
        to: today
            .checked_add_days(Days::new(u64::from(future)))
            .unwrap_or(today),
    }
}

impl Default for ReconcileSettings {
    fn default() -> Self {
        ReconcileSettings {
            interval: Duration::from_secs(24 * 60 * 60),
            horizon_days: 365,
            fix: true,
            bookings: true,
            bookings_past_days: 7,
            bookings_future_days: 500,
        }
    }
}

/// Longest horizon: two years of nights.
const MAX_HORIZON_DAYS: u32 = 731;
/// A failed run is tried again after this long at most.
const RETRY_FAILED_AFTER: Duration = Duration::from_secs(15 * 60);
/// How often the job looks for configs that are due.
const TICK: Duration = Duration::from_secs(60);

impl ReconcileSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = ReconcileSettings::default();
        let interval_ms: u64 = parse_or(
            env,
            "QLOSYNC_RECONCILE_INTERVAL_MS",
            u64::try_from(d.interval.as_millis()).unwrap_or(u64::MAX),
        )?;
        if interval_ms < 1000 {
            return Err(ConfigError::new(
                "QLOSYNC_RECONCILE_INTERVAL_MS",
                "must be at least 1000",
            ));
        }
        let horizon_days = parse_or(env, "QLOSYNC_RECONCILE_HORIZON_DAYS", d.horizon_days)?;
        if !(1..=MAX_HORIZON_DAYS).contains(&horizon_days) {
            return Err(ConfigError::new(
                "QLOSYNC_RECONCILE_HORIZON_DAYS",
                format!("must be between 1 and {MAX_HORIZON_DAYS}"),
            ));
        }
        let past = parse_or(
            env,
            "QLOSYNC_RECONCILE_BOOKINGS_PAST_DAYS",
            d.bookings_past_days,
        )?;
        if past > MAX_HORIZON_DAYS {
            return Err(ConfigError::new(
                "QLOSYNC_RECONCILE_BOOKINGS_PAST_DAYS",
                format!("must be at most {MAX_HORIZON_DAYS}"),
            ));
        }
        let future = parse_or(
            env,
            "QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS",
            d.bookings_future_days,
        )?;
        if future > MAX_HORIZON_DAYS {
            return Err(ConfigError::new(
                "QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS",
                format!("must be at most {MAX_HORIZON_DAYS}"),
            ));
        }
        Ok(ReconcileSettings {
            interval: Duration::from_millis(interval_ms),
            horizon_days,
            fix: parse_or(env, "QLOSYNC_RECONCILE_FIX", d.fix)?,
            bookings: parse_or(env, "QLOSYNC_RECONCILE_BOOKINGS", d.bookings)?,
            bookings_past_days: past,
            bookings_future_days: future,
        })
    }
}

/// What the job needs.
#[derive(Clone)]
pub struct ReconcileContext {
    pub pool: PgPool,
    pub clients: Arc<QloClients>,
    pub settings: ReconcileSettings,
}

/// One config's scheduled run.
#[derive(Debug)]
pub struct ConfigRun {
    pub config_id: ConfigId,
    pub result: Result<ReconcileReport, String>,
}

/// Reconciles every enabled config that is due, one after the other (each under its own
/// room-type locks), over today .. today + horizon - 1. A config's failure is logged and
/// does not stop the others.
pub async fn run_once(ctx: &ReconcileContext) -> Result<Vec<ConfigRun>, sqlx::Error> {
    let service = ReconcileService::new(ctx.pool.clone(), ctx.clients.clone());
    let today = Utc::now().date_naive();
    let last = today
        .checked_add_days(Days::new(u64::from(
            ctx.settings.horizon_days.saturating_sub(1),
        )))
        .unwrap_or(today);
    let s = &ctx.settings;
    let request = ReconcileRequest {
        from: today,
        to: last,
        dry_run: !s.fix,
        inventory: true,
        bookings: s
            .bookings
            .then(|| bookings_window(today, s.bookings_past_days, s.bookings_future_days)),
    };
    let mut runs = Vec::new();
    for config_id in due_configs(&ctx.pool, &ctx.settings).await? {
        let result = service.reconcile(config_id, request).await;
        match &result {
            Ok(report) => {
                let bookings = report.bookings.as_ref().map_or(0, |b| b.drift.len());
                tracing::info!(%config_id, availability_nights = report.availability_drift_nights,
                rate_nights = report.rate_drift_nights, bookings, fixed = !report.dry_run, "reconciled")
            }
            Err(e) => tracing::warn!(%config_id, error = %e, "reconciliation failed"),
        }
        runs.push(ConfigRun {
            config_id,
            result: result.map_err(|e| e.to_string()),
        });
    }
    Ok(runs)
}

/// Runs [`run_once`] every minute (only due configs do work) until `shutdown` is cancelled.
pub async fn run_scheduled(ctx: ReconcileContext, shutdown: CancellationToken) {
    loop {
        if let Err(e) = run_once(&ctx).await {
            tracing::warn!(error = %e, "reconciliation round failed");
        }
        let tick = TICK.min(ctx.settings.interval);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

/// Syncing configs (enabled, of a property whose channel manager is QloApps) whose last
/// reconciliation (of the kind the job runs) is older than the interval, or failed and older
/// than the retry delay, or never ran.
async fn due_configs(
    pool: &PgPool,
    settings: &ReconcileSettings,
) -> Result<Vec<ConfigId>, sqlx::Error> {
    let sync_type = if settings.fix {
        "reconcile"
    } else {
        "reconcile_check"
    };
    let interval_ms = i64::try_from(settings.interval.as_millis()).unwrap_or(i64::MAX);
    let retry_ms =
        i64::try_from(RETRY_FAILED_AFTER.min(settings.interval).as_millis()).unwrap_or(i64::MAX);
    sqlx::query_scalar(&format!(
        "SELECT c.id FROM {SYNCING}
         LEFT JOIN LATERAL (
             SELECT s.started_at, s.status FROM qloapps_sync_state s
             WHERE s.config_id = c.id AND s.sync_type = $1
             ORDER BY s.started_at DESC LIMIT 1) last ON true
         WHERE (last.started_at IS NULL
                OR last.started_at < now() - make_interval(secs => $2::double precision / 1000)
                OR (last.status = 'failed'
                    AND last.started_at < now() - make_interval(secs => $3::double precision / 1000)))
         ORDER BY c.created_at, c.id"
    ))
    .bind(sync_type)
    .bind(interval_ms)
    .bind(retry_ms)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_daily_over_a_year_and_are_checked() {
        let none = |_: &str| None;
        assert_eq!(
            ReconcileSettings::from_env(&none),
            Ok(ReconcileSettings::default())
        );
        let env = |k: &str| match k {
            "QLOSYNC_RECONCILE_INTERVAL_MS" => Some("3600000".to_owned()),
            "QLOSYNC_RECONCILE_HORIZON_DAYS" => Some("90".to_owned()),
            "QLOSYNC_RECONCILE_FIX" => Some("false".to_owned()),
            _ => None,
        };
        let s = ReconcileSettings::from_env(&env).unwrap();
        assert_eq!(
            (s.interval, s.horizon_days, s.fix),
            (Duration::from_secs(3600), 90, false)
        );
        let bad = |k: &str| (k == "QLOSYNC_RECONCILE_HORIZON_DAYS").then(|| "0".to_owned());
        assert_eq!(
            ReconcileSettings::from_env(&bad).unwrap_err().var,
            "QLOSYNC_RECONCILE_HORIZON_DAYS"
        );
        let bookings = |k: &str| match k {
            "QLOSYNC_RECONCILE_BOOKINGS" => Some("false".to_owned()),
            "QLOSYNC_RECONCILE_BOOKINGS_PAST_DAYS" => Some("3".to_owned()),
            "QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS" => Some("90".to_owned()),
            _ => None,
        };
        let s = ReconcileSettings::from_env(&bookings).unwrap();
        assert_eq!(
            (s.bookings, s.bookings_past_days, s.bookings_future_days),
            (false, 3, 90)
        );
        let too_far =
            |k: &str| (k == "QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS").then(|| "5000".to_owned());
        assert_eq!(
            ReconcileSettings::from_env(&too_far).unwrap_err().var,
            "QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS"
        );
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            bookings_window(today, 7, 500),
            BookingScope::Window {
                from: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
                to: NaiveDate::from_ymd_opt(2028, 4, 14).unwrap(),
            }
        );
    }
}
