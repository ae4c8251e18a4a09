//! Command line: `api [serve]`, `api migrate`, `api gen-key`, `api dlq list|replay|discard`.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "api", version, about = "qlosync REST API")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the REST API (the default). Does not migrate: run `api migrate` first.
    Serve,
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
    pub fn command(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
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
        assert!(Cli::try_parse_from(["api", "explode"]).is_err());
    }
}
