//! `sync-scheduler`: pulls every enabled QloApps config every `QLOAPPS_SYNC_INTERVAL_MS`.

use std::process::ExitCode;

fn main() -> anyhow::Result<ExitCode> {
    qlosync_service::cli::process::main(
        &sync_scheduler::cli::SPEC,
        sync_scheduler::startup::run_from_env,
    )
}
