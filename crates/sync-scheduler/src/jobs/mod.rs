//! The scheduler's jobs, each with a `run_once` the loop (and tests) call.

pub mod pull;
pub mod reconcile;
