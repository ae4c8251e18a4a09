//! The scheduler's settings, all from the environment (see `.env.example`).

use std::time::Duration;

use sync_core::config::{parse_or, process_env, ConfigError, DatabaseSettings, LogSettings};
use sync_core::crypto::CryptoSettings;
use sync_core::pull::PullSettings;
use sync_core::qlo_clients::ClientSettings;

use crate::schedule::{BackoffPolicy, Timing};

/// Default `OPS_LISTEN_ADDR` port (the workers use 9101 and 9102).
const OPS_PORT: u16 = 9103;

#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    pub database: DatabaseSettings,
    pub crypto: CryptoSettings,
    pub log: LogSettings,
    pub client: ClientSettings,
    pub pull: PullSettings,
    pub timing: Timing,
    /// `QLOAPPS_SYNC_MAX_CONCURRENT` (default 4): pulls of different configs at once.
    pub max_concurrent: usize,
    /// `QLOSYNC_SHUTDOWN_GRACE_MS` (default 30000): how long running pulls get to stop.
    pub shutdown_grace: Duration,
    /// `QLOSYNC_GAUGES_INTERVAL_MS` (default 15000): how often the per-config gauges of the
    /// shared state are read from PostgreSQL (`crate::gauges`).
    pub gauges_interval: Duration,
    /// `OPS_LISTEN_ADDR` (default 127.0.0.1:9103): `/health`, `/ready`, `/metrics`.
    pub ops_addr: std::net::SocketAddr,
    /// `HTTP_HEADER_READ_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS` of the ops listener.
    pub ops_limits: qlosync_service::http_server::ServerLimits,
}

fn ms(
    env: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    let value: u64 = parse_or(env, var, default)?;
    if value == 0 {
        return Err(ConfigError::new(var, "must be positive"));
    }
    Ok(Duration::from_millis(value))
}

impl SchedulerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    pub fn from_lookup(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let backoff = BackoffPolicy {
            base: ms(env, "QLOAPPS_SYNC_BACKOFF_BASE_MS", 60_000)?,
            max: ms(env, "QLOAPPS_SYNC_BACKOFF_MAX_MS", 900_000)?,
        };
        if backoff.max < backoff.base {
            return Err(ConfigError::new(
                "QLOAPPS_SYNC_BACKOFF_MAX_MS",
                "must not be below QLOAPPS_SYNC_BACKOFF_BASE_MS",
            ));
        }
        let timing = Timing {
            interval: ms(env, "QLOAPPS_SYNC_INTERVAL_MS", 300_000)?,
            backoff,
            tick: ms(env, "QLOAPPS_SYNC_TICK_MS", 1_000)?,
        };
        let max_concurrent: usize = parse_or(env, "QLOAPPS_SYNC_MAX_CONCURRENT", 4)?;
        if max_concurrent == 0 {
            return Err(ConfigError::new(
                "QLOAPPS_SYNC_MAX_CONCURRENT",
                "must be at least 1",
            ));
        }
        Ok(SchedulerConfig {
            database: DatabaseSettings::from_env(env)?,
            crypto: CryptoSettings::from_env(env)?,
            log: LogSettings::from_env(env)?,
            client: ClientSettings::from_env(env)?,
            pull: PullSettings::from_env(env)?,
            timing,
            max_concurrent,
            shutdown_grace: ms(env, "QLOSYNC_SHUTDOWN_GRACE_MS", 30_000)?,
            gauges_interval: ms(env, "QLOSYNC_GAUGES_INTERVAL_MS", 15_000)?,
            ops_addr: qlosync_service::ops_server::listen_addr(env, OPS_PORT)?,
            ops_limits: qlosync_service::http_server::ServerLimits::from_env(env)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let mut map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        map.insert("DATABASE_URL".into(), "postgres://u@h/db".into());
        map.insert(
            "QLOSYNC_ENCRYPTION_KEY".into(),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into(),
        );
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_follow_the_env_example() {
        let c = SchedulerConfig::from_lookup(&env(&[])).unwrap();
        assert_eq!(c.timing.interval, Duration::from_secs(300));
        assert_eq!(
            (c.timing.backoff.base, c.timing.backoff.max),
            (Duration::from_secs(60), Duration::from_secs(900))
        );
        assert_eq!(c.max_concurrent, 4);
        assert_eq!(c.ops_addr.port(), 9103);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let err =
            SchedulerConfig::from_lookup(&env(&[("QLOAPPS_SYNC_INTERVAL_MS", "0")])).unwrap_err();
        assert_eq!(err.var, "QLOAPPS_SYNC_INTERVAL_MS");
        let err = SchedulerConfig::from_lookup(&env(&[("QLOAPPS_SYNC_BACKOFF_MAX_MS", "10")]))
            .unwrap_err();
        assert_eq!(err.var, "QLOAPPS_SYNC_BACKOFF_MAX_MS");
        let err = SchedulerConfig::from_lookup(&env(&[("QLOAPPS_SYNC_MAX_CONCURRENT", "0")]))
            .unwrap_err();
        assert_eq!(err.var, "QLOAPPS_SYNC_MAX_CONCURRENT");
    }
}
