//! qlosync's shared library: everything the four binaries have in common.

pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod guest_match;
pub mod locks;
pub mod messages;
pub mod metrics_catalog;
pub mod nightly;
pub mod outbox;
pub mod pull;
pub mod push;
pub mod qlo_clients;
pub mod reconcile;
pub mod shared;
pub mod shop_state;
pub mod sync_error;
#[cfg(feature = "test-support")]
pub mod testing;
