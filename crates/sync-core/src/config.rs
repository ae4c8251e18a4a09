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
    /// anywhere (`otlp`; the exporter is `qlosync_service::otlp`).
    pub otlp: Option<OtlpSettings>,
}

impl LogSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let format = parse_or(env, "LOG_FORMAT", LogFormat::Pretty)?;
        let filter = env("RUST_LOG").unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&filter)
            .map_err(|e| ConfigError::new("RUST_LOG", format!("invalid filter: {e}")))?;
        let otlp = OtlpSettings::from_env(env, &otlp::binary_name())?;
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

pub use otlp::OtlpSettings;

/// Where spans are exported over OTLP, if anywhere: the standard `OTEL_*` variables.
pub mod otlp {
    use super::ConfigError;

    /// The general endpoint (`/v1/traces` is appended).
    pub const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
    /// The traces endpoint, a full URL (wins over [`ENDPOINT`]).
    pub const TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    /// The `service.name` of the exported spans (default: the binary's name).
    pub const SERVICE_NAME: &str = "OTEL_SERVICE_NAME";

    /// Where and as what the spans go.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OtlpSettings {
        /// The traces URL, `.../v1/traces`.
        pub traces_url: String,
        pub service_name: String,
    }

    impl OtlpSettings {
        /// `None` when neither endpoint variable is set (no export). `default_service` names the
        /// process when `OTEL_SERVICE_NAME` is unset.
        pub fn from_env(
            env: &impl Fn(&str) -> Option<String>,
            default_service: &str,
        ) -> Result<Option<OtlpSettings>, ConfigError> {
            let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
            let (var, traces_url) = match (set(TRACES_ENDPOINT), set(ENDPOINT)) {
                (Some(url), _) => (TRACES_ENDPOINT, url.trim().to_owned()),
                (None, Some(base)) => (
                    ENDPOINT,
                    format!("{}/v1/traces", base.trim().trim_end_matches('/')),
                ),
                (None, None) => return Ok(None),
            };
            let parsed = reqwest::Url::parse(&traces_url)
                .map_err(|e| ConfigError::new(var, format!("not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ConfigError::new(var, "must be an http:// or https:// URL"));
            }
            let service_name = set(SERVICE_NAME).unwrap_or_else(|| default_service.to_owned());
            Ok(Some(OtlpSettings {
                traces_url,
                service_name,
            }))
        }
    }

    /// The name of the running binary (`api`, `outbound-worker`, ...), the default service name.
    pub fn binary_name() -> String {
        std::env::args_os()
            .next()
            .map(std::path::PathBuf::from)
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "qlosync".to_owned())
    }

    #[cfg(test)]
    mod tests {
        use std::collections::HashMap;

        use super::*;

        fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
            let map: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            move |k| map.get(k).cloned()
        }

        #[test]
        fn without_an_endpoint_there_is_no_exporter() {
            assert_eq!(OtlpSettings::from_env(&env_of(&[]), "api").ok(), Some(None));
            let blank = env_of(&[(ENDPOINT, " "), (SERVICE_NAME, "x")]);
            assert_eq!(OtlpSettings::from_env(&blank, "api").ok(), Some(None));
        }

        #[test]
        fn the_endpoint_gets_the_traces_path_and_the_service_defaults_to_the_binary() {
            let settings =
                OtlpSettings::from_env(&env_of(&[(ENDPOINT, "http://127.0.0.1:4318/")]), "api")
                    .ok()
                    .flatten();
            assert_eq!(
                settings,
                Some(OtlpSettings {
                    traces_url: "http://127.0.0.1:4318/v1/traces".to_owned(),
                    service_name: "api".to_owned(),
                })
            );
            let env = env_of(&[
                (ENDPOINT, "http://127.0.0.1:4318"),
                (TRACES_ENDPOINT, "http://127.0.0.1:9/t"),
                (SERVICE_NAME, "pms-api"),
            ]);
            let settings = OtlpSettings::from_env(&env, "api").ok().flatten();
            assert_eq!(
                settings.map(|s| (s.traces_url, s.service_name)),
                Some(("http://127.0.0.1:9/t".to_owned(), "pms-api".to_owned()))
            );
            let bad = OtlpSettings::from_env(&env_of(&[(ENDPOINT, "127.0.0.1:4318")]), "api");
            assert_eq!(bad.err().map(|e| e.var), Some(ENDPOINT));
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
