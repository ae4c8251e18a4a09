//! Command line: `sync-scheduler [run]` schedules (the default); `sync-scheduler check-config` (or
//! `--check-config`) validates the configuration and prints it with secrets redacted.
//! Every setting is a flag and an environment variable (`--help`, `.env.example`).

use clap::{Parser, Subcommand};
use qlosync_service::cli::settings::{self as table, Setting};

#[derive(Debug, Parser)]
#[command(
    name = "sync-scheduler",
    version = qlosync_build_info::long_version(),
    about = "qlosync sync-scheduler: pulls every enabled QloApps config every QLOAPPS_SYNC_INTERVAL_MS"
)]
pub struct Cli {
    /// Validate the configuration, print its effective values (secrets redacted) and exit:
    /// 0 when valid, 2 when not. The same as the `check-config` command.
    #[arg(long)]
    pub check_config: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Schedule pulls and reconciliations until SIGTERM (the default).
    Run,
    /// Validate the configuration, print its effective values (secrets redacted) and exit:
    /// 0 when valid, 2 when not.
    CheckConfig,
}

impl Cli {
    /// Parses the command line (the settings as flags too) and exports the flags given.
    pub fn parse_with_settings() -> Cli {
        table::parse(&settings())
    }

    pub fn command(&self) -> Command {
        if self.check_config {
            return Command::CheckConfig;
        }
        self.command.unwrap_or(Command::Run)
    }
}

/// Every setting this process reads.
pub fn settings() -> Vec<Setting> {
    table::collect(&[
        table::COMMON,
        table::CLIENT,
        table::PULL,
        table::SCHEDULER,
        &[table::ops_listen("127.0.0.1:9103")],
        table::HTTP_LIMITS,
    ])
}

/// The whole configuration as `check-config` validates it: every setting and the keys.
pub fn validate() -> Result<(), String> {
    let config = crate::SchedulerConfig::from_env().map_err(|e| e.to_string())?;
    sync_core::crypto::KeyRing::from_settings(&config.crypto).map_err(|e| e.to_string())?;
    sync_core::reconcile::ReconcileSettings::from_env(&sync_core::config::process_env)
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn run_is_the_default_and_check_config_is_a_command_and_a_flag() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).expect("parses").command();
        assert_eq!(parse(&["sync-scheduler"]), Command::Run);
        assert_eq!(
            parse(&["sync-scheduler", "check-config"]),
            Command::CheckConfig
        );
        assert_eq!(
            parse(&["sync-scheduler", "--check-config"]),
            Command::CheckConfig
        );
        <Cli as CommandFactory>::command()
            .args(table::args(&settings()))
            .debug_assert();
    }
}
