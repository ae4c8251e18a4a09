//! The sync scheduler (docs/architecture.md, "Processes" and "Pull: QloApps bookings reaching the PMS"): every
//! interval, for each enabled config, an incremental pull under the config's pull lock, with
//! per-config jitter, bounded concurrency and exponential backoff after errors.
//!
//! - [`schedule`]: when each config is due (pure, tested without a clock).
//! - [`jobs::pull::run_once`]: one pull of one config, as the loop runs it.
//! - [`scheduler::Scheduler`]: the loop, until shutdown.

pub mod cli;
mod config;
pub mod gauges;
pub mod jobs;
pub mod schedule;
pub mod scheduler;
pub mod startup;

pub use config::SchedulerConfig;
pub use startup::SyncScheduler;
