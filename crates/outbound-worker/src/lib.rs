//! The outbound worker: the consumer base around [`handler::OutboundHandler`].

mod config;
mod handler;
mod startup;

pub use config::WorkerConfig;
pub use handler::OutboundHandler;
pub use startup::OutboundWorker;
