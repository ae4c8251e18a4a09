//! Whether a process's broker link is up, for its `/ready`: the connection, the consumer's
//! channel and the consumer itself, read live from lapin's state rather than remembered.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Mutex,
};

use lapin::{Channel, ChannelStatus, Connection, ConnectionStatus};

/// The connection and channel a consumer consumes on.
#[derive(Clone)]
struct Link {
    connection: ConnectionStatus,
    channel: ChannelStatus,
}

/// Shared state: the consumer sets it while it consumes and clears it when it loses the
/// broker. Starts down: a worker is not ready before its first connection.
#[derive(Clone, Default)]
pub struct BrokerStatus {
    consuming: Arc<AtomicBool>,
    link: Arc<Mutex<Option<Link>>>,
}

impl std::fmt::Debug for BrokerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerStatus")
            .field("report", &self.report())
            .finish()
    }
}

/// `/ready`'s view of the broker link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokerReport {
    pub connection: bool,
    pub channel: bool,
    pub consumer: bool,
}

impl BrokerStatus {
    /// The consumer started (`true`) or stopped (`false`) consuming.
    pub fn set_connected(&self, connected: bool) {
        self.consuming.store(connected, Ordering::SeqCst);
        if !connected {
            *self.link.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }

    /// The connection and channel the consumer consumes on, watched from now on.
    pub fn set_link(&self, connection: &Connection, channel: &Channel) {
        *self.link.lock().unwrap_or_else(|p| p.into_inner()) = Some(Link {
            connection: connection.status().clone(),
            channel: channel.status().clone(),
        });
    }

    pub fn report(&self) -> BrokerReport {
        let link = self.link.lock().unwrap_or_else(|p| p.into_inner()).clone();
        BrokerReport {
            connection: link.as_ref().is_some_and(|l| l.connection.connected()),
            channel: link.as_ref().is_some_and(|l| l.channel.connected()),
            consumer: self.consuming.load(Ordering::SeqCst),
        }
    }

    /// Consuming, on a connection and channel that are open.
    pub fn is_connected(&self) -> bool {
        let r = self.report();
        r.connection && r.channel && r.consumer
    }
}
