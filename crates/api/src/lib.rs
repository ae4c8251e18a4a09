//! qlosync's REST API: the PMS resources (properties, room types, guests, reservations,
//! availability, rates), the QloApps settings (configs, room-type mappings, channel
//! managers, test connection) and sync operations (manual sync, state, log), under `/api/v1`.
//!
//! A library with a thin `main.rs`, so tests and the end-to-end harness can build the router
//! (`app`) or the whole server (`Application`) in-process.

pub mod auth;
pub mod cli;
pub mod config;
pub mod constraints;
pub mod demo;
pub mod dlq_cli;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod openapi;
pub mod queue_samples;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod trace_context;
pub mod validate;

pub use startup::{app, Application};
pub use state::AppState;
