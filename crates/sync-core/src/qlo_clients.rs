//! One `QloClient` per QloApps config, built from the stored (encrypted) key and the
//! process-wide client settings, cached until the config row changes.
//!
//! The limiter and breaker come from a [`ResilienceFactory`]: the workers plug in the
//! PostgreSQL-backed ones so the limit and the breaker hold across every process
//! (docs/architecture.md, "Resilience"); tests and tools may keep the client's in-memory defaults.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use qlo_client::{
    BreakerConfig, CircuitBreaker, ClientConfig, QloClient, RateLimitConfig, RateLimiter,
    RetryConfig,
};
use tokio::sync::Mutex;

use crate::config::{parse_or, ConfigError};
use crate::crypto::KeyRing;
use crate::domain::{ConfigId, QloappsConfig};
use crate::sync_error::SyncError;

/// Client settings shared by every config of a process (`QLOAPPS_*` variables).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientSettings {
    pub timeout: Duration,
    pub rate_limit: RateLimitConfig,
    pub breaker: BreakerConfig,
    pub retry: RetryConfig,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            timeout: Duration::from_secs(30),
            rate_limit: RateLimitConfig::default(),
            breaker: BreakerConfig::default(),
            retry: RetryConfig::default(),
        }
    }
}

impl ClientSettings {
    /// Reads the `QLOAPPS_*` client variables (`.env.example`); unset ones keep the defaults.
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = ClientSettings::default();
        let ms = |var: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            let v: u64 = parse_or(
                env,
                var,
                u64::try_from(default.as_millis()).unwrap_or(u64::MAX),
            )?;
            Ok(Duration::from_millis(v))
        };
        let settings = ClientSettings {
            timeout: ms("QLOAPPS_TIMEOUT_MS", d.timeout)?,
            rate_limit: rate_limit(env, &ms)?,
            breaker: BreakerConfig {
                failure_threshold: parse_or(
                    env,
                    "QLOAPPS_BREAKER_FAILURES",
                    d.breaker.failure_threshold,
                )?,
                cool_down: ms("QLOAPPS_BREAKER_COOLDOWN_MS", d.breaker.cool_down)?,
                half_open_probes: d.breaker.half_open_probes,
            },
            retry: RetryConfig {
                max_retries: parse_or(env, "QLOAPPS_HTTP_RETRIES", d.retry.max_retries)?,
                initial_delay: ms("QLOAPPS_HTTP_RETRY_DELAY_MS", d.retry.initial_delay)?,
                ..d.retry
            },
        };
        Ok(settings)
    }
}

/// `QLOAPPS_RATE_LIMIT` calls per `QLOAPPS_RATE_WINDOW_MS`, bursts of `QLOAPPS_RATE_BURST`
/// (default: a tenth of the limit), calls spaced for a window `QLOAPPS_RATE_GUARD_MS` wider
/// (default: 1 % of it) to absorb in-flight delay.
fn rate_limit(
    env: &impl Fn(&str) -> Option<String>,
    ms: &impl Fn(&'static str, Duration) -> Result<Duration, ConfigError>,
) -> Result<RateLimitConfig, ConfigError> {
    let d = RateLimitConfig::default();
    let limit = RateLimitConfig::new(
        parse_or(env, "QLOAPPS_RATE_LIMIT", d.capacity)?,
        ms("QLOAPPS_RATE_WINDOW_MS", d.period)?,
    );
    let burst = parse_or(env, "QLOAPPS_RATE_BURST", limit.burst)?;
    if burst == 0 || burst > limit.capacity {
        return Err(ConfigError::new(
            "QLOAPPS_RATE_BURST",
            format!(
                "must be between 1 and QLOAPPS_RATE_LIMIT ({}), not {burst}",
                limit.capacity
            ),
        ));
    }
    let guard = ms("QLOAPPS_RATE_GUARD_MS", limit.guard)?;
    Ok(RateLimitConfig {
        burst,
        guard,
        ..limit
    })
}

/// The limiter and breaker one config's client should use (`None` keeps the in-memory one).
#[derive(Default)]
pub struct Resilience {
    pub limiter: Option<Arc<dyn RateLimiter>>,
    pub breaker: Option<Arc<dyn CircuitBreaker>>,
}

pub type ResilienceFactory =
    Arc<dyn Fn(&QloappsConfig, &ClientSettings) -> Resilience + Send + Sync>;

pub struct QloClients {
    keys: Arc<KeyRing>,
    settings: ClientSettings,
    resilience: Option<ResilienceFactory>,
    cache: Mutex<HashMap<ConfigId, (DateTime<Utc>, QloClient)>>,
}

impl QloClients {
    pub fn new(
        keys: Arc<KeyRing>,
        settings: ClientSettings,
        resilience: Option<ResilienceFactory>,
    ) -> Self {
        QloClients {
            keys,
            settings,
            resilience,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The `QLOAPPS_*` settings every client is built with.
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// The client of `config`, rebuilt when the row was updated since it was cached.
    pub async fn client(&self, config: &QloappsConfig) -> Result<QloClient, SyncError> {
        let mut cache = self.cache.lock().await;
        if let Some((version, client)) = cache.get(&config.id) {
            if *version == config.updated_at {
                return Ok(client.clone());
            }
        }
        let client = self.build(config)?;
        cache.insert(config.id, (config.updated_at, client.clone()));
        Ok(client)
    }

    fn build(&self, config: &QloappsConfig) -> Result<QloClient, SyncError> {
        let key = config
            .decrypt_api_key(&self.keys)?
            .ok_or(SyncError::NoApiKey(config.id))?;
        let bad = |problem: String| SyncError::BadConfig {
            config: config.id,
            problem,
        };
        let hotel_id = config
            .qloapps_hotel_id
            .as_u32()
            .ok_or_else(|| bad("hotel id out of range".into()))?;
        let language_id = u32::try_from(config.language_id)
            .map_err(|_| bad("language id out of range".into()))?;
        let mut client_config = ClientConfig::new(config.base_url.clone(), "", hotel_id);
        client_config.api_key = key;
        client_config.language_id = language_id;
        client_config.timeout = self.settings.timeout;
        client_config.rate_limit = self.settings.rate_limit;
        client_config.breaker = self.settings.breaker;
        client_config.retry = self.settings.retry;
        let mut builder = QloClient::builder(client_config);
        if let Some(factory) = &self.resilience {
            let resilience = factory(config, &self.settings);
            if let Some(limiter) = resilience.limiter {
                builder = builder.rate_limiter(limiter);
            }
            if let Some(breaker) = resilience.breaker {
                builder = builder.circuit_breaker(breaker);
            }
        }
        builder.build().map_err(|e| bad(e.to_string()))
    }
}
