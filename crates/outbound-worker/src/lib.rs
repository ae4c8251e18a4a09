//! The outbound worker: the consumer base around [`handler::OutboundHandler`].

pub mod cli;
mod config;
mod handler;
pub mod startup;

pub use config::WorkerConfig;
pub use handler::OutboundHandler;
pub use startup::OutboundWorker;
