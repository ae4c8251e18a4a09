//! Whether a process's broker link is up, for its `/ready`.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

/// Shared flag: set by the consumer while it is consuming, cleared when it loses the broker.
/// Starts down: a worker is not ready before its first connection.
#[derive(Debug, Clone, Default)]
pub struct BrokerStatus(Arc<AtomicBool>);

impl BrokerStatus {
    pub fn set_connected(&self, connected: bool) {
        self.0.store(connected, Ordering::SeqCst);
    }

    pub fn is_connected(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
