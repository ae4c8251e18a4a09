//! `inbound-worker`'s command line (`qlosync_service::cli::process`): `inbound-worker [run]` runs (the
//! default), `inbound-worker check-config` (or `--check-config`) validates the configuration and
//! prints it with secrets redacted. Every setting is a flag and an environment variable.

use qlosync_service::cli::process::ProcessSpec;
use qlosync_service::cli::settings::{self as table, Setting};

pub const SPEC: ProcessSpec = ProcessSpec {
    name: "inbound-worker",
    about:
        "qlosync inbound-worker: consumes qloapps.inbound and pulls QloApps bookings into the PMS",
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
        table::PULL,
        &[table::ops_listen("127.0.0.1:9102")],
        table::HTTP_LIMITS,
    ])
}

/// The whole configuration as `check-config` validates it: every setting and the keys.
pub fn validate() -> Result<(), String> {
    let config = crate::WorkerConfig::from_env().map_err(|e| e.to_string())?;
    sync_core::crypto::KeyRing::from_settings(&config.common.crypto).map_err(|e| e.to_string())?;
    Ok(())
}
