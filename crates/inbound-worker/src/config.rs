//! The inbound worker's settings, all from the environment (see `.env.example`).

use sync_core::config::{process_env, ConfigError};
use sync_core::pull::PullSettings;
use sync_queue::worker_settings::WorkerSettings;

/// Default `OPS_LISTEN_ADDR` port (the outbound worker uses 9101, the scheduler 9103).
const OPS_PORT: u16 = 9102;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// What every queue worker reads: database, keys, logging, broker, queues, QloApps client.
    pub common: WorkerSettings,
    /// `QLOAPPS_PULL_*`
    pub pull: PullSettings,
    /// `OPS_LISTEN_ADDR` (default 127.0.0.1:9102): `/health`, `/ready`, `/metrics`.
    pub ops_addr: std::net::SocketAddr,
    /// `HTTP_HEADER_READ_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS` of the ops listener.
    pub ops_limits: qlosync_service::http_server::ServerLimits,
}

impl WorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    pub fn from_lookup(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(WorkerConfig {
            common: WorkerSettings::from_env(env)?,
            pull: PullSettings::from_env(env)?,
            ops_addr: qlosync_service::ops_server::listen_addr(env, OPS_PORT)?,
            ops_limits: qlosync_service::http_server::ServerLimits::from_env(env)?,
        })
    }
}
