//! `outbound-worker`: consumes qloapps.outbound and pushes each change to QloApps.

use std::process::ExitCode;

fn main() -> anyhow::Result<ExitCode> {
    qlosync_service::cli::process::main(
        &outbound_worker::cli::SPEC,
        outbound_worker::startup::run_from_env,
    )
}
