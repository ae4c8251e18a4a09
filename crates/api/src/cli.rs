//! Command line: `api [serve]`, `api migrate`, `api gen-key`.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "api", version, about = "qlosync REST API")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the REST API (the default). Does not migrate: run `api migrate` first.
    Serve,
    /// Apply pending database migrations and exit. Safe to start twice at once: sqlx holds a
    /// PostgreSQL advisory lock while migrating.
    Migrate,
    /// Print a new random encryption key (base64, 32 bytes) for QLOSYNC_ENCRYPTION_KEY.
    GenKey,
}

impl Cli {
    pub fn command(&self) -> Command {
        self.command.unwrap_or(Command::Serve)
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
        assert!(Cli::try_parse_from(["api", "explode"]).is_err());
    }
}
