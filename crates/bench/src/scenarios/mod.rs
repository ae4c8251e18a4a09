//! One module per scenario; each returns its figures or fails.

pub mod api;
pub mod call_budget;
pub mod client_overhead;
pub mod isolation;
pub mod pull;
mod push_common;
pub mod push_latency;
pub mod push_throughput;
