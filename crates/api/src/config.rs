//! Settings of the `api` process, from the environment (see `.env.example`).

use std::net::SocketAddr;
use std::path::PathBuf;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use sync_core::config::{parse_or, required, ConfigError, DatabaseSettings, LogSettings};
use sync_core::crypto::CryptoSettings;
use sync_core::qlo_clients::ClientSettings;
use sync_queue::queue::QueueConfig;
use sync_queue::relay::RelayConfig;

/// Minimum length of an API bearer token.
pub const MIN_TOKEN_LEN: usize = 16;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub crypto: CryptoSettings,
    pub log: LogSettings,
    pub http: HttpSettings,
    /// `RABBITMQ_URL`: where the outbox relay publishes. Without it the api only writes the
    /// outbox, and another api instance (or a later start) relays it.
    pub rabbitmq_url: Option<SecretString>,
    /// Queue names and limits (`QLOSYNC_QUEUE_*`), shared with the workers.
    pub queue: QueueConfig,
    /// Outbox relay batch size, poll and backoff (`QLOSYNC_RELAY_*`).
    pub relay: RelayConfig,
    /// `QLOAPPS_SYNC_INTERVAL_MS` (default 300000): read by the scheduler; validated here too.
    pub sync_interval_ms: u64,
    /// `QLOAPPS_*` client settings (timeouts, retries, rate limit, breaker), read once: the
    /// reconcile and connection-test routes call QloApps with them.
    pub qloapps: ClientSettings,
    /// `QLO_API_URL` / `QLO_API_KEY` (see `.env.example`): an optional bootstrap config for the demo.
    pub qlo_bootstrap: Option<QloBootstrap>,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `API_LISTEN_ADDR` (default 127.0.0.1:8080).
    pub listen_addr: SocketAddr,
    /// `API_TOKENS`: comma-separated bearer tokens, each at least 16 characters.
    pub tokens: Vec<SecretString>,
    /// `API_READONLY_TOKENS`: comma-separated tokens that may only send GET requests
    /// (default none).
    pub readonly_tokens: Vec<SecretString>,
    /// `API_CONSOLE_DIR` (default `web/dist`): the built console served at `/`.
    pub console_dir: PathBuf,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins of the settings page (default none).
    pub cors_allowed_origins: Vec<HeaderValue>,
    /// `API_BODY_LIMIT_BYTES` (default 65536).
    pub body_limit_bytes: usize,
    /// `QLOAPPS_TEST_TIMEOUT_MS` (default 10000): time limit of a test-connection call.
    pub test_connection_timeout_ms: u64,
    /// `HTTP_HEADER_READ_TIMEOUT_MS` (default 10000), `HTTP_MAX_CONNECTIONS` (default 512).
    pub limits: qlosync_service::http_server::ServerLimits,
}

#[derive(Debug, Clone)]
pub struct QloBootstrap {
    pub api_url: String,
    pub api_key: SecretString,
}

impl Settings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let qlo_bootstrap = match (env("QLO_API_URL"), env("QLO_API_KEY")) {
            (Some(api_url), Some(key)) => Some(QloBootstrap {
                api_url,
                api_key: SecretString::from(key),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "QLO_API_KEY",
                    "is required when QLO_API_URL is set",
                ))
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "QLO_API_URL",
                    "is required when QLO_API_KEY is set",
                ))
            }
        };
        Ok(Settings {
            database: DatabaseSettings::from_env(env)?,
            crypto: CryptoSettings::from_env(env)?,
            log: LogSettings::from_env(env)?,
            http: HttpSettings::from_env(env)?,
            rabbitmq_url: match env("RABBITMQ_URL") {
                Some(_) => Some(SecretString::from(
                    sync_queue::worker_settings::rabbitmq_url(env)?,
                )),
                None => None,
            },
            queue: QueueConfig::from_lookup(env)?,
            relay: RelayConfig::from_lookup(env)?,
            sync_interval_ms: parse_or(env, "QLOAPPS_SYNC_INTERVAL_MS", 300_000u64)?,
            qloapps: ClientSettings::from_env(env)?,
            qlo_bootstrap,
        })
    }
}

impl HttpSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let listen_addr = parse_or(
            env,
            "API_LISTEN_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
        )?;
        let tokens = parse_tokens("API_TOKENS", &required(env, "API_TOKENS")?)?;
        let readonly_tokens = match env("API_READONLY_TOKENS") {
            Some(list) if !list.trim().is_empty() => parse_tokens("API_READONLY_TOKENS", &list)?,
            _ => Vec::new(),
        };
        let console_dir = env("API_CONSOLE_DIR")
            .filter(|d| !d.trim().is_empty())
            .map_or_else(|| PathBuf::from("web/dist"), PathBuf::from);
        let cors_allowed_origins = match env("CORS_ALLOWED_ORIGINS") {
            None => Vec::new(),
            Some(list) => parse_origins(&list)?,
        };
        let body_limit_bytes = parse_or(env, "API_BODY_LIMIT_BYTES", 65_536usize)?;
        if body_limit_bytes < 1024 {
            return Err(ConfigError::new(
                "API_BODY_LIMIT_BYTES",
                "must be at least 1024",
            ));
        }
        let test_connection_timeout_ms = parse_or(env, "QLOAPPS_TEST_TIMEOUT_MS", 10_000u64)?;
        Ok(HttpSettings {
            listen_addr,
            tokens,
            readonly_tokens,
            console_dir,
            cors_allowed_origins,
            body_limit_bytes,
            test_connection_timeout_ms,
            limits: qlosync_service::http_server::ServerLimits::from_env(env)?,
        })
    }
}

fn parse_tokens(var: &'static str, list: &str) -> Result<Vec<SecretString>, ConfigError> {
    let tokens: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return Err(ConfigError::new(var, "must list at least one token"));
    }
    for (i, token) in tokens.iter().enumerate() {
        if token.len() < MIN_TOKEN_LEN || !token.chars().all(|c| c.is_ascii_graphic()) {
            let problem = format!(
                "token {} must be at least {MIN_TOKEN_LEN} visible ASCII characters",
                i + 1
            );
            return Err(ConfigError::new(var, problem));
        }
    }
    Ok(tokens
        .into_iter()
        .map(|t| SecretString::from(t.to_owned()))
        .collect())
}

fn parse_origins(list: &str) -> Result<Vec<HeaderValue>, ConfigError> {
    let mut origins = Vec::new();
    for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let parsed = url::Url::parse(origin).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https") && u.path() == "/" && u.query().is_none()
        });
        let value = parsed.and_then(|_| HeaderValue::from_str(origin.trim_end_matches('/')).ok());
        let value = value.ok_or_else(|| {
            ConfigError::new(
                "CORS_ALLOWED_ORIGINS",
                format!("{origin:?} is not an origin like https://pms.example.com"),
            )
        })?;
        origins.push(value);
    }
    Ok(origins)
}

/// Tokens exposed for comparison; kept here so every use of the secrets is in one place.
pub fn token_bytes(tokens: &[SecretString]) -> Vec<Vec<u8>> {
    tokens
        .iter()
        .map(|t| t.expose_secret().as_bytes().to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn http_settings_have_documented_defaults() {
        let s = HttpSettings::from_env(&env_of(&[("API_TOKENS", "0123456789abcdef")])).unwrap();
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.tokens.len(), 1);
        assert!(s.cors_allowed_origins.is_empty());
        assert_eq!(s.body_limit_bytes, 65_536);
        assert!(s.readonly_tokens.is_empty());
        assert_eq!(s.console_dir, PathBuf::from("web/dist"));
    }

    #[test]
    fn read_only_tokens_are_checked_like_the_others() {
        let ok = env_of(&[
            ("API_TOKENS", "0123456789abcdef"),
            (
                "API_READONLY_TOKENS",
                "reader-0123456789, reader-9876543210",
            ),
            ("API_CONSOLE_DIR", "/srv/console"),
        ]);
        let s = HttpSettings::from_env(&ok).unwrap();
        assert_eq!(s.readonly_tokens.len(), 2);
        assert_eq!(s.console_dir, PathBuf::from("/srv/console"));
        let bad = env_of(&[
            ("API_TOKENS", "0123456789abcdef"),
            ("API_READONLY_TOKENS", "short"),
        ]);
        assert_eq!(
            HttpSettings::from_env(&bad).unwrap_err().var,
            "API_READONLY_TOKENS"
        );
    }

    #[test]
    fn tokens_are_required_and_must_be_long_enough() {
        assert_eq!(
            HttpSettings::from_env(&env_of(&[])).unwrap_err().var,
            "API_TOKENS"
        );
        let err = HttpSettings::from_env(&env_of(&[("API_TOKENS", "0123456789abcdef,short")]))
            .unwrap_err();
        assert_eq!(err.var, "API_TOKENS");
        assert!(
            !err.problem.contains("short"),
            "a token must not be echoed: {err}"
        );
    }

    #[test]
    fn cors_origins_must_be_bare_origins() {
        let ok = env_of(&[
            ("API_TOKENS", "0123456789abcdef"),
            (
                "CORS_ALLOWED_ORIGINS",
                "https://pms.example.com, http://localhost:5173",
            ),
        ]);
        assert_eq!(
            HttpSettings::from_env(&ok)
                .unwrap()
                .cors_allowed_origins
                .len(),
            2
        );
        let bad = env_of(&[
            ("API_TOKENS", "0123456789abcdef"),
            ("CORS_ALLOWED_ORIGINS", "https://pms.example.com/settings"),
        ]);
        assert_eq!(
            HttpSettings::from_env(&bad).unwrap_err().var,
            "CORS_ALLOWED_ORIGINS"
        );
    }

    #[test]
    fn bootstrap_needs_both_url_and_key() {
        let key = sync_core::crypto::generate_key();
        let base = [
            ("DATABASE_URL", "postgres://u@h/db"),
            ("API_TOKENS", "0123456789abcdef"),
            ("QLOSYNC_ENCRYPTION_KEY", key.as_str()),
        ];
        let mut pairs = base.to_vec();
        pairs.push(("QLO_API_URL", "http://localhost:8080/api"));
        assert_eq!(
            Settings::from_env(&env_of(&pairs)).unwrap_err().var,
            "QLO_API_KEY"
        );
        let s = Settings::from_env(&env_of(&base)).unwrap();
        assert!(s.qlo_bootstrap.is_none());
        assert_eq!(s.sync_interval_ms, 300_000);
        assert_eq!(s.queue.prefix, "");
    }
}
