use std::time::Duration;

use crate::queue::config::{millis, parse};
use crate::queue::QueueError;

/// Relay settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// Rows claimed and published per transaction (`QLOSYNC_RELAY_BATCH_SIZE`, default 100).
    pub batch_size: u32,
    /// Safety-net poll when no notification arrives (`QLOSYNC_RELAY_POLL_INTERVAL_MS`,
    /// default 10 s).
    pub poll_interval: Duration,
    /// First wait after a failure (default 200 ms).
    pub backoff_min: Duration,
    /// Cap of the backoff while the broker or database is down
    /// (`QLOSYNC_RELAY_BACKOFF_MAX_MS`, default 30 s).
    pub backoff_max: Duration,
    /// How long a batch waits for its confirms before its rows count as not sent
    /// (`QLOSYNC_RELAY_CONFIRM_TIMEOUT_MS`, default 30 s); the row locks are held meanwhile.
    pub confirm_timeout: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            batch_size: 100,
            poll_interval: Duration::from_secs(10),
            backoff_min: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
            confirm_timeout: Duration::from_secs(30),
        }
    }
}

impl RelayConfig {
    pub fn from_env() -> Result<Self, QueueError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, QueueError> {
        let d = RelayConfig::default();
        let batch_size = parse(&get, "QLOSYNC_RELAY_BATCH_SIZE")?.unwrap_or(d.batch_size);
        if batch_size == 0 {
            return Err(QueueError::Config {
                name: "QLOSYNC_RELAY_BATCH_SIZE",
                reason: "must be at least 1".into(),
            });
        }
        Ok(RelayConfig {
            batch_size,
            poll_interval: millis(&get, "QLOSYNC_RELAY_POLL_INTERVAL_MS")?
                .unwrap_or(d.poll_interval),
            backoff_min: d.backoff_min,
            backoff_max: millis(&get, "QLOSYNC_RELAY_BACKOFF_MAX_MS")?.unwrap_or(d.backoff_max),
            confirm_timeout: millis(&get, "QLOSYNC_RELAY_CONFIRM_TIMEOUT_MS")?
                .unwrap_or(d.confirm_timeout),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_the_defaults_and_a_zero_batch_is_refused() {
        let c = RelayConfig::from_lookup(|k| {
            (k == "QLOSYNC_RELAY_POLL_INTERVAL_MS").then(|| "2500".to_string())
        })
        .unwrap();
        assert_eq!(c.poll_interval, Duration::from_millis(2500));
        assert_eq!(c.batch_size, 100);
        let err = RelayConfig::from_lookup(|k| {
            (k == "QLOSYNC_RELAY_BATCH_SIZE").then(|| "0".to_string())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("QLOSYNC_RELAY_BATCH_SIZE"),
            "{err}"
        );
    }
}
