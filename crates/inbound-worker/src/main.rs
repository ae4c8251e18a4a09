//! `inbound-worker`: consumes qloapps.inbound and pulls QloApps bookings into the PMS.

use std::process::ExitCode;

use inbound_worker::cli::{self, Cli, Command};

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse_with_settings();
    match cli.command() {
        Command::CheckConfig => Ok(qlosync_service::cli::check::run(
            "inbound-worker",
            qlosync_build_info::long_version(),
            &cli::settings(),
            cli::validate,
        )),
        Command::Run => {
            tokio::runtime::Runtime::new()?.block_on(inbound_worker::startup::run_from_env())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
