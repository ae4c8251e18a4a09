//! Progress of a reconciliation (counts done / total), for a background job to publish. The
//! total grows as the work becomes known: room types first, then the bookings read, then the
//! fixes.

use std::sync::Arc;

use tokio::sync::watch;

/// Done and total steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub done: u32,
    pub total: u32,
}

/// A handle the service reports through; [`Progress::none`] when nobody listens.
#[derive(Debug, Clone, Default)]
pub struct Progress(Option<Arc<watch::Sender<Counts>>>);

impl Progress {
    pub fn none() -> Self {
        Progress(None)
    }

    /// A progress and the receiver that sees its counts.
    pub fn channel() -> (Self, watch::Receiver<Counts>) {
        let (tx, rx) = watch::channel(Counts::default());
        (Progress(Some(Arc::new(tx))), rx)
    }

    pub fn add_total(&self, n: u32) {
        if let Some(tx) = &self.0 {
            tx.send_modify(|c| c.total = c.total.saturating_add(n));
        }
    }

    pub fn advance(&self, n: u32) {
        if let Some(tx) = &self.0 {
            tx.send_modify(|c| {
                c.done = c.done.saturating_add(n);
                c.total = c.total.max(c.done);
            });
        }
    }
}
