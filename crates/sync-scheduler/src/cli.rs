//! `sync-scheduler`'s command line (`qlosync_service::cli::process`): `sync-scheduler [run]` runs (the
//! default), `sync-scheduler check-config` (or `--check-config`) validates the configuration and
//! prints it with secrets redacted. Every setting is a flag and an environment variable.

use qlosync_service::cli::process::ProcessSpec;
use qlosync_service::cli::settings::{self as table, Setting};

pub const SPEC: ProcessSpec = ProcessSpec {
    name: "sync-scheduler",
    about:
        "qlosync sync-scheduler: pulls every enabled QloApps config every QLOAPPS_SYNC_INTERVAL_MS",
    settings,
    validate,
};

/// Every setting this process reads.
pub fn settings() -> Vec<Setting> {
    table::collect(&[
        table::COMMON,
        table::CLIENT,
        table::PULL,
        table::SCHEDULER,
        &[table::ops_listen("127.0.0.1:9103")],
        table::HTTP_LIMITS,
    ])
}

/// The whole configuration as `check-config` validates it: every setting and the keys.
pub fn validate() -> Result<(), String> {
    let config = crate::SchedulerConfig::from_env().map_err(|e| e.to_string())?;
    sync_core::crypto::KeyRing::from_settings(&config.crypto).map_err(|e| e.to_string())?;
    sync_core::reconcile::ReconcileSettings::from_env(&sync_core::config::process_env)
        .map_err(|e| e.to_string())?;
    Ok(())
}
