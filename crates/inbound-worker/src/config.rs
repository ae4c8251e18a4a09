//! The inbound worker's settings, all from the environment (see `.env.example`).

use sync_core::config::{
    process_env, required, ConfigError, CryptoSettings, DatabaseSettings, LogSettings,
};
use sync_core::pull::PullSettings;
use sync_core::qlo_clients::ClientSettings;
use sync_core::queue::{ConsumerConfig, QueueConfig};

/// Default `OPS_LISTEN_ADDR` port (the outbound worker uses 9101, the scheduler 9103).
const OPS_PORT: u16 = 9102;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub database: DatabaseSettings,
    pub crypto: CryptoSettings,
    pub log: LogSettings,
    /// `RABBITMQ_URL`
    pub rabbitmq_url: String,
    pub queue: QueueConfig,
    pub consumer: ConsumerConfig,
    pub client: ClientSettings,
    /// `QLOAPPS_PULL_*`
    pub pull: PullSettings,
    /// `OPS_LISTEN_ADDR` (default 127.0.0.1:9102): `/health`, `/ready`, `/metrics`.
    pub ops_addr: std::net::SocketAddr,
}

impl WorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    pub fn from_lookup(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(WorkerConfig {
            database: DatabaseSettings::from_env(env)?,
            crypto: CryptoSettings::from_env(env)?,
            log: LogSettings::from_env(env)?,
            rabbitmq_url: required(env, "RABBITMQ_URL")?,
            queue: QueueConfig::from_lookup(env)?,
            consumer: ConsumerConfig::from_lookup(env)?,
            client: ClientSettings::from_env(env)?,
            pull: PullSettings::from_env(env)?,
            ops_addr: sync_core::ops_server::listen_addr(env, OPS_PORT)?,
        })
    }
}
