//! The inbound worker: the consumer base around [`handler::InboundHandler`], which runs pulls
//! (`sync_core::pull`) for `booking.sync` and `booking.created|updated|cancelled` messages.

pub mod cli;
mod config;
mod handler;
pub mod startup;

pub use config::WorkerConfig;
pub use handler::InboundHandler;
pub use startup::InboundWorker;
