//! The built `sync-scheduler` as an operator runs it: `--help`, `--version`, `check-config`
//! (the command and the flag), and no secret in any output (`qlosync_service::cli::contract`).

use std::path::Path;

use qlosync_service::cli::contract::check_binary;

const BIN: &str = env!("CARGO_BIN_EXE_sync-scheduler");

#[test]
fn help_version_and_check_config_keep_their_promises() {
    let settings = sync_scheduler::cli::settings();
    check_binary(
        Path::new(BIN),
        "sync-scheduler",
        &settings,
        &["check-config"],
    );
    check_binary(
        Path::new(BIN),
        "sync-scheduler",
        &settings,
        &["--check-config"],
    );
}
