//! The built `api` as an operator runs it: `--help`, `--version`, `api check-config`, and no
//! secret in any output (`qlosync_service::cli::contract`).

use std::path::Path;

use qlosync_service::cli::contract::check_binary;

#[test]
fn help_version_and_check_config_keep_their_promises() {
    let settings = api::cli::settings();
    check_binary(
        Path::new(env!("CARGO_BIN_EXE_api")),
        "api",
        &settings,
        &["check-config"],
    );
}
