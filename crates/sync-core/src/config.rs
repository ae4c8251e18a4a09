//! Settings shared by every qlosync process: database and logging (the encryption keys are
//! `crypto::settings`).
//!
//! Each binary reads its own settings in its `config.rs` and reuses these sections. Values
//! come from environment variables (names as in `.env.example`); an empty variable counts as
//! unset. Loaders take a lookup function so tests can pass a map instead of the process
//! environment.

use std::str::FromStr;

use secrecy::SecretString;

/// A setting that is missing or invalid; names the variable, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(var: &'static str, problem: impl Into<String>) -> Self {
        ConfigError {
            var,
            problem: problem.into(),
        }
    }
}

/// Reads the process environment; an empty value counts as unset. When `NAME` is unset and
/// `NAME_FILE` names a file, the file's trimmed content is the value (the Docker / systemd
/// credentials convention, so secrets need not sit in the environment).
pub fn process_env(name: &str) -> Option<String> {
    let direct = std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    direct.or_else(|| {
        let path = std::env::var(format!("{name}_FILE"))
            .ok()
            .filter(|p| !p.trim().is_empty())?;
        match std::fs::read_to_string(&path) {
            Ok(content) => Some(content.trim().to_owned()).filter(|v| !v.is_empty()),
            Err(error) => {
                // logging may not be set up yet: this is read while loading the configuration
                eprintln!("{name}_FILE={path} cannot be read ({error}); {name} counts as unset");
                None
            }
        }
    })
}

/// Parses an optional variable, falling back to `default`.
pub fn parse_or<T: FromStr>(
    env: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match env(var) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e| ConfigError::new(var, format!("invalid value: {e}"))),
    }
}

pub fn required(
    env: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<String, ConfigError> {
    env(var).ok_or_else(|| ConfigError::new(var, "is required"))
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`; may hold a password, hence secret.
    pub url: SecretString,
    /// `DATABASE_MAX_CONNECTIONS`, default 10.
    pub max_connections: u32,
}

impl DatabaseSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url = required(env, "DATABASE_URL")?;
        sqlx::postgres::PgConnectOptions::from_str(&url)
            .map_err(|_| ConfigError::new("DATABASE_URL", "is not a valid postgres:// URL"))?;
        let max_connections = parse_or(env, "DATABASE_MAX_CONNECTIONS", 10u32)?;
        if max_connections == 0 {
            return Err(ConfigError::new(
                "DATABASE_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        Ok(DatabaseSettings {
            url: SecretString::from(url),
            max_connections,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "pretty" => Ok(LogFormat::Pretty),
            other => Err(format!("expected json or pretty, got {other:?}")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogSettings {
    /// `LOG_FORMAT`: json | pretty (default pretty).
    pub format: LogFormat,
    /// `RUST_LOG` filter directives (default "info").
    pub filter: String,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_SERVICE_NAME`: where spans are exported, if
    /// anywhere (`crate::telemetry::otlp`).
    pub otlp: Option<crate::telemetry::otlp::OtlpSettings>,
}

impl LogSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let format = parse_or(env, "LOG_FORMAT", LogFormat::Pretty)?;
        let filter = env("RUST_LOG").unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&filter)
            .map_err(|e| ConfigError::new("RUST_LOG", format!("invalid filter: {e}")))?;
        let otlp = crate::telemetry::otlp::OtlpSettings::from_env(
            env,
            &crate::telemetry::otlp::binary_name(),
        )?;
        Ok(LogSettings {
            format,
            filter,
            otlp,
        })
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: LogFormat::Pretty,
            filter: "info".to_owned(),
            otlp: None,
        }
    }
}

/// Queue settings errors already name their variable.
impl From<crate::queue::QueueError> for ConfigError {
    fn from(e: crate::queue::QueueError) -> Self {
        match e {
            crate::queue::QueueError::Config { name, reason } => ConfigError::new(name, reason),
            other => ConfigError::new("QLOSYNC_QUEUE_*", other.to_string()),
        }
    }
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
    fn a_variable_can_be_read_from_the_file_named_by_its_file_variant() {
        let path = std::env::temp_dir().join(format!("qlosync-config-{}", std::process::id()));
        std::fs::write(&path, "s3cret-from-file\n").unwrap();
        std::env::set_var("QLOSYNC_TEST_ONLY_SECRET_FILE", &path);
        assert_eq!(
            process_env("QLOSYNC_TEST_ONLY_SECRET").as_deref(),
            Some("s3cret-from-file")
        );
        std::env::set_var("QLOSYNC_TEST_ONLY_SECRET", "direct");
        assert_eq!(
            process_env("QLOSYNC_TEST_ONLY_SECRET").as_deref(),
            Some("direct"),
            "the variable wins"
        );
        std::env::set_var("QLOSYNC_TEST_ONLY_MISSING_FILE", "/nonexistent/qlosync");
        assert_eq!(process_env("QLOSYNC_TEST_ONLY_MISSING"), None);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn database_settings_default_to_ten_connections_and_require_a_url() {
        let s =
            DatabaseSettings::from_env(&env_of(&[("DATABASE_URL", "postgres://u@h/db")])).unwrap();
        assert_eq!(s.max_connections, 10);
        let err = DatabaseSettings::from_env(&env_of(&[])).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        let err = DatabaseSettings::from_env(&env_of(&[
            ("DATABASE_URL", "postgres://u@h/db"),
            ("DATABASE_MAX_CONNECTIONS", "many"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "DATABASE_MAX_CONNECTIONS");
    }

    #[test]
    fn log_settings_reject_unknown_formats() {
        assert_eq!(
            LogSettings::from_env(&env_of(&[])).unwrap().format,
            LogFormat::Pretty
        );
        let s = LogSettings::from_env(&env_of(&[("LOG_FORMAT", "JSON")])).unwrap();
        assert_eq!(s.format, LogFormat::Json);
        assert_eq!(
            LogSettings::from_env(&env_of(&[("LOG_FORMAT", "xml")]))
                .unwrap_err()
                .var,
            "LOG_FORMAT"
        );
    }
}
