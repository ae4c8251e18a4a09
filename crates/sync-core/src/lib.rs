//! qlosync's shared library: everything the four binaries have in common.

pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod keyed_lock;
pub mod messages;
pub mod ops_server;
pub mod outbox;
pub mod push;
pub mod qlo_clients;
pub mod queue;
pub mod relay;
pub mod shared_breaker;
pub mod shared_limiter;
pub mod shared_resilience;
pub mod shutdown;
pub mod sync_error;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod test_support;
