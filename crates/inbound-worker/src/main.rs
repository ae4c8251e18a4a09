//! `inbound-worker`: consumes qloapps.inbound and pulls QloApps bookings into the PMS.

use std::process::ExitCode;

fn main() -> anyhow::Result<ExitCode> {
    qlosync_service::cli::process::main(
        &inbound_worker::cli::SPEC,
        inbound_worker::startup::run_from_env,
    )
}
