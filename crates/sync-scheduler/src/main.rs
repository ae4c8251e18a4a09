//! `sync-scheduler`: pulls every enabled QloApps config every `QLOAPPS_SYNC_INTERVAL_MS`.

use std::process::ExitCode;

use sync_scheduler::cli::{self, Cli, Command};

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse_with_settings();
    match cli.command() {
        Command::CheckConfig => Ok(qlosync_service::cli::check::run(
            "sync-scheduler",
            qlosync_build_info::long_version(),
            &cli::settings(),
            cli::validate,
        )),
        Command::Run => {
            tokio::runtime::Runtime::new()?.block_on(sync_scheduler::startup::run_from_env())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
