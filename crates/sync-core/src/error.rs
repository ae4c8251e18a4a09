//! sync-core's error type for the PMS side: persistence, crypto and configuration.
//!
//! Queue and QloApps errors live with their modules (`queue::error`, `qlo_client::Error`).

use crate::config::ConfigError;
use crate::crypto::CryptoError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database error")]
    Db(#[from] sqlx::Error),
}

impl Error {
    /// Whether retrying the same operation later may succeed (lost connection, pool timeout).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Db(e) => crate::db::is_transient(e),
            _ => false,
        }
    }
}
