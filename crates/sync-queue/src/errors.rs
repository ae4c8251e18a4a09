//! How the core's errors become the queue's: a failed sync step's disposition decides where its
//! message goes next, and queue settings errors name their variable like every other setting.

use sync_core::config::ConfigError;
use sync_core::sync_error::{Disposition, SyncError};

use crate::queue::{HandleError, QueueError};

/// Queue settings errors already name their variable.
impl From<QueueError> for ConfigError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::Config { name, reason } => ConfigError::new(name, reason),
            other => ConfigError::new("QLOSYNC_QUEUE_*", other.to_string()),
        }
    }
}

/// Where a message whose processing failed goes next.
impl From<SyncError> for HandleError {
    fn from(error: SyncError) -> Self {
        let reason = error.to_string();
        match error.disposition() {
            Disposition::Fail => Self::Permanent(reason),
            Disposition::Retry => Self::Transient(reason),
            Disposition::Defer => Self::Deferred { reason },
        }
    }
}

/// The `outcome` label of a handled message: `ok`, or how it failed.
pub fn handle_outcome(result: &Result<(), HandleError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(HandleError::Transient(_)) => "retry",
        Err(HandleError::Deferred { .. }) => "deferred",
        Err(HandleError::Permanent(_)) => "failed",
    }
}
