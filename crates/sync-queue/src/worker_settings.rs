//! The settings every queue worker reads from the environment (see `.env.example`); each
//! worker adds its own beside them.

use crate::queue::{validate_broker_urls, ConsumerConfig, QueueConfig};
use sync_core::config::{required, ConfigError, DatabaseSettings, LogSettings};
use sync_core::crypto::CryptoSettings;
use sync_core::qlo_clients::ClientSettings;

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
            rabbitmq_url: rabbitmq_url(env)?,
            queue: QueueConfig::from_lookup(env)?,
            consumer: ConsumerConfig::from_lookup(env)?,
            client: ClientSettings::from_env(env)?,
        })
    }
}

/// `RABBITMQ_URL`, required, checked to be a list of `amqp://` URLs (the problem never quotes
/// it: it holds the password).
pub fn rabbitmq_url(env: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let raw = required(env, "RABBITMQ_URL")?;
    validate_broker_urls(&raw).map_err(|problem| ConfigError::new("RABBITMQ_URL", problem))?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broker_url_list_is_checked_entry_by_entry_without_quoting_it() {
        let with = |url: &'static str| {
            rabbitmq_url(&move |k: &str| (k == "RABBITMQ_URL").then(|| url.into()))
        };
        assert!(with("amqp://u:p@mq1:5672/%2f,amqp://u:p@mq2:5672/%2f").is_ok());
        let err = with("amqp://u:hunter2@mq1/%2f,mq2:5672")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("RABBITMQ_URL") && err.contains("entry 2 of 2"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
        assert!(rabbitmq_url(&|_: &str| None).is_err());
    }
}
