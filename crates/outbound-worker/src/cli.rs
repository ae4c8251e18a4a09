//! `outbound-worker`'s command line (`qlosync_service::cli::process`): `outbound-worker [run]` runs (the
//! default), `outbound-worker check-config` (or `--check-config`) validates the configuration and
//! prints it with secrets redacted. Every setting is a flag and an environment variable.

use qlosync_service::cli::process::ProcessSpec;
use qlosync_service::cli::settings::{self as table, Setting};

pub const SPEC: ProcessSpec = ProcessSpec {
    name: "outbound-worker",
    about: "qlosync outbound-worker: consumes qloapps.outbound and pushes each change to QloApps",
    settings,
    validate,
};

/// Every setting this process reads.
pub fn settings() -> Vec<Setting> {
    table::collect(&[
        table::COMMON,
        table::BROKER,
        table::CONSUMER,
        table::CLIENT,
        table::OUTBOUND,
        &[table::ops_listen("127.0.0.1:9101")],
        table::HTTP_LIMITS,
    ])
}

/// The whole configuration as `check-config` validates it: every setting and the keys.
pub fn validate() -> Result<(), String> {
    let config = crate::WorkerConfig::from_env().map_err(|e| e.to_string())?;
    sync_core::crypto::KeyRing::from_settings(&config.common.crypto).map_err(|e| e.to_string())?;
    Ok(())
}
