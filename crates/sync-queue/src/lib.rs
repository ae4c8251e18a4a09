//! qlosync's messaging: the RabbitMQ topology and consumers (`queue`), the outbox relay that
//! publishes what the api wrote (`relay`), the dead-letter tools (`dlq`) and the workers'
//! settings (`worker_settings`). The sync services it carries messages for live in `sync-core`,
//! which knows nothing of the broker.

pub mod dlq;
mod errors;
pub mod queue;
pub mod relay;
pub mod worker_settings;

pub use errors::handle_outcome;
