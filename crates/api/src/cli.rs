//! Command line: `api [serve]`, `api check-config`, `api migrate`, `api gen-key`,
//! `api dlq list|replay|discard`. Every setting is a flag and an environment variable
//! (`--help`, `.env.example`).

use clap::{Parser, Subcommand};
use qlosync_service::cli::settings::{self as table, Setting};

#[derive(Debug, Parser)]
#[command(
    name = "api",
    version = qlosync_build_info::long_version(),
    about = "qlosync REST API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the REST API (the default). Does not migrate: run `api migrate` first.
    Serve,
    /// Validate the whole configuration of `api serve`, print its effective values (secrets
    /// redacted) and exit: 0 when valid, 2 when not.
    CheckConfig,
    /// Apply pending database migrations and exit. Safe to start twice at once: sqlx holds a
    /// PostgreSQL advisory lock while migrating.
    Migrate,
    /// Print the OpenAPI document (what /api/v1/openapi.json serves) and exit; needs no
    /// settings. The console's client is generated from it (`npm run gen:api` in web/).
    Openapi,
    /// Print a new random encryption key (base64, 32 bytes) for QLOSYNC_ENCRYPTION_KEY.
    GenKey,
    /// Create the demo property, its QloApps config and room-type mappings (idempotent).
    /// The QloApps key comes from QLO_API_KEY (or QLO_API_KEY_FILE), never from the command line.
    DemoSetup {
        /// QloApps webservice URL (default: QLO_API_URL).
        #[arg(long, env = "QLO_API_URL")]
        qloapps_url: String,
        /// QloApps hotel id.
        #[arg(long, default_value_t = 1)]
        hotel_id: i32,
        /// The QloApps side is new (the demo starts a fresh simulator): forget what qlosync
        /// knew of the old one (order mappings, owned rules and holds, breaker and limiter).
        #[arg(long)]
        fresh_qloapps: bool,
    },
    /// Inspect, replay or discard dead-lettered messages (needs RABBITMQ_URL, QLOSYNC_QUEUE_*).
    Dlq {
        #[command(subcommand)]
        command: crate::dlq_cli::DlqCommand,
    },
}

impl Cli {
    /// Parses the command line (the settings as flags too) and exports the flags given.
    pub fn parse_with_settings() -> Cli {
        table::parse(&settings())
    }

    pub fn command(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
}

/// Every setting `api serve` reads.
pub fn settings() -> Vec<Setting> {
    table::collect(&[
        table::COMMON,
        table::API,
        table::BROKER,
        table::CLIENT,
        table::HTTP_LIMITS,
    ])
}

/// The whole configuration of `api serve`, as `check-config` validates it.
pub fn validate() -> Result<(), String> {
    let env = &sync_core::config::process_env;
    let settings = crate::config::Settings::from_env(env).map_err(|e| e.to_string())?;
    sync_core::crypto::KeyRing::from_settings(&settings.crypto).map_err(|e| e.to_string())?;
    crate::queue_samples::interval_from_env(env).map_err(|e| e.to_string())?;
    sync_core::qlo_clients::ClientSettings::from_env(env).map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default_command() {
        assert_eq!(Cli::parse_from(["api"]).command(), Command::Serve);
        assert_eq!(
            Cli::parse_from(["api", "migrate"]).command(),
            Command::Migrate
        );
        assert_eq!(
            Cli::parse_from(["api", "gen-key"]).command(),
            Command::GenKey
        );
        assert_eq!(
            Cli::parse_from(["api", "openapi"]).command(),
            Command::Openapi
        );
        assert_eq!(
            Cli::parse_from(["api", "check-config"]).command(),
            Command::CheckConfig
        );
        assert!(Cli::try_parse_from(["api", "explode"]).is_err());
        use clap::CommandFactory;
        <Cli as CommandFactory>::command()
            .args(table::args(&settings()))
            .debug_assert();
    }
}
