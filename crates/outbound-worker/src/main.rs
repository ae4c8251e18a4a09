//! `outbound-worker`: consumes qloapps.outbound and pushes each change to QloApps.

use std::process::ExitCode;

use outbound_worker::cli::{self, Cli, Command};

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse_with_settings();
    match cli.command() {
        Command::CheckConfig => Ok(qlosync_service::cli::check::run(
            "outbound-worker",
            qlosync_build_info::long_version(),
            &cli::settings(),
            cli::validate,
        )),
        Command::Run => {
            tokio::runtime::Runtime::new()?.block_on(outbound_worker::startup::run_from_env())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
