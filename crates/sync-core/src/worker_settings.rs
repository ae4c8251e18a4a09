//! The settings every queue worker reads from the environment (see `.env.example`); each
//! worker adds its own beside them.

use crate::config::{required, ConfigError, CryptoSettings, DatabaseSettings, LogSettings};
use crate::qlo_clients::ClientSettings;
use crate::queue::{ConsumerConfig, QueueConfig};

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub database: DatabaseSettings,
    pub crypto: CryptoSettings,
    pub log: LogSettings,
    /// `RABBITMQ_URL`
    pub rabbitmq_url: String,
    pub queue: QueueConfig,
    pub consumer: ConsumerConfig,
    pub client: ClientSettings,
}

impl WorkerSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(WorkerSettings {
            database: DatabaseSettings::from_env(env)?,
            crypto: CryptoSettings::from_env(env)?,
            log: LogSettings::from_env(env)?,
            rabbitmq_url: required(env, "RABBITMQ_URL")?,
            queue: QueueConfig::from_lookup(env)?,
            consumer: ConsumerConfig::from_lookup(env)?,
            client: ClientSettings::from_env(env)?,
        })
    }
}
