//! The outbound worker's settings, all from the environment (see `.env.example`).

use sync_core::config::{process_env, ConfigError};
use sync_queue::worker_settings::WorkerSettings;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// What every queue worker reads: database, keys, logging, broker, queues, QloApps client.
    pub common: WorkerSettings,
    /// `OPS_LISTEN_ADDR` (default 127.0.0.1:9101): `/health`, `/ready`, `/metrics`.
    pub ops_addr: std::net::SocketAddr,
    /// `HTTP_HEADER_READ_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS` of the ops listener.
    pub ops_limits: qlosync_service::http_server::ServerLimits,
    /// `QLOSYNC_QUEUE_DEPTH_INTERVAL_MS` (default 15000): how often this worker refreshes the
    /// `qlosync_queue_depth` gauges of every queue, the DLQ included.
    pub depth_interval: std::time::Duration,
}

impl WorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    pub fn from_lookup(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(WorkerConfig {
            common: WorkerSettings::from_env(env)?,
            ops_addr: qlosync_service::ops_server::listen_addr(env, 9101)?,
            ops_limits: qlosync_service::http_server::ServerLimits::from_env(env)?,
            depth_interval: std::time::Duration::from_millis(
                sync_core::config::parse_or(env, "QLOSYNC_QUEUE_DEPTH_INTERVAL_MS", 15_000u64)?
                    .max(100),
            ),
        })
    }
}
