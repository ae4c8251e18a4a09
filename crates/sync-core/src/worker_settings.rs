//! The settings every queue worker reads from the environment (see `.env.example`); each
//! worker adds its own beside them.

use crate::config::{required, ConfigError, CryptoSettings, DatabaseSettings, LogSettings};
use crate::qlo_clients::ClientSettings;
use crate::queue::{validate_broker_urls, ConsumerConfig, QueueConfig};

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub database: DatabaseSettings,
    pub crypto: CryptoSettings,
    pub log: LogSettings,
    /// `RABBITMQ_URL`: one broker URL, or several nodes of one cluster comma-separated
    /// (tried in turn on every (re)connect).
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
            rabbitmq_url: broker_urls(env)?,
            queue: QueueConfig::from_lookup(env)?,
            consumer: ConsumerConfig::from_lookup(env)?,
            client: ClientSettings::from_env(env)?,
        })
    }
}

/// `RABBITMQ_URL`, required, checked to be a list of `amqp://` URLs (the problem never quotes
/// it: it holds the password).
pub fn broker_urls(env: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let raw = required(env, "RABBITMQ_URL")?;
    validate_broker_urls(&raw).map_err(|problem| ConfigError::new("RABBITMQ_URL", problem))?;
    Ok(raw)
}
