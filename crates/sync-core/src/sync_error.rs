//! Why a sync step failed, and what the queue should do about it.

use crate::crypto::CryptoError;
use crate::domain::{ConfigId, ReservationId, RoomTypeId};

/// What a consumer does with a message whose processing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Retrying cannot help (bad data, missing mapping, refused by QloApps): dead-letter now.
    Fail,
    /// Might work later (network, 5xx, database hiccup): retry with backoff.
    Retry,
    /// QloApps is known to be down (circuit open) or the database is away (a restart, a
    /// failover): wait without using up retries.
    Defer,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("QloApps config {0} does not exist")]
    ConfigNotFound(ConfigId),
    #[error("QloApps config {0} has sync disabled")]
    SyncDisabled(ConfigId),
    #[error("QloApps config {0} has no API key")]
    NoApiKey(ConfigId),
    #[error("QloApps config {config}: {problem}")]
    BadConfig { config: ConfigId, problem: String },
    #[error("reservation {0} does not exist")]
    ReservationNotFound(ReservationId),
    #[error("room type {room_type} is not mapped to a QloApps room type in config {config}")]
    UnmappedRoomType {
        config: ConfigId,
        room_type: RoomTypeId,
    },
    #[error("reservation {reservation} cannot be sent to QloApps: {problem}")]
    Unpushable {
        reservation: ReservationId,
        problem: String,
    },
    /// Cancel-and-recreate (`push::recreate`) cancelled the old order and QloApps refused the
    /// new one: nothing in QloApps holds the reservation until a push goes through.
    #[error("QloApps refused the new order that replaces order {old_order}, which was cancelled to make room for it: {reason}; no active QloApps order holds this reservation until a push goes through")]
    ReplacementRefused { old_order: u64, reason: String },
    #[error("QloApps config {0}: its property's channel manager is not QloApps")]
    ChannelManagerOff(ConfigId),
    /// Another pull of the config holds its pull lock (`locks::pull`).
    #[error("a pull is already running for QloApps config {0}")]
    PullBusy(ConfigId),
    /// The pull stopped part-way (shutdown, orders changing faster than they can be read);
    /// its progress is kept and the next pull resumes from it.
    #[error("pull of QloApps config {config} stopped before the end: {reason}")]
    PullIncomplete { config: ConfigId, reason: String },
    #[error("stored API key cannot be decrypted: {0}")]
    Crypto(#[from] CryptoError),
    #[error("QloApps: {0}")]
    Qlo(#[from] qlo_client::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl SyncError {
    pub fn disposition(&self) -> Disposition {
        match self {
            SyncError::Qlo(qlo_client::Error::CircuitOpen { .. }) => Disposition::Defer,
            SyncError::Qlo(e) if e.is_transient() => Disposition::Retry,
            SyncError::Db(e) if crate::db::is_unavailable(e) => Disposition::Defer,
            SyncError::Db(e) if crate::db::is_transient(e) => Disposition::Retry,
            SyncError::PullBusy(_) | SyncError::PullIncomplete { .. } => Disposition::Retry,
            _ => Disposition::Fail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_is_away_defers_and_a_lost_race_retries() {
        for away in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            assert_eq!(SyncError::Db(away).disposition(), Disposition::Defer);
        }
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            SyncError::Db(sqlx::Error::Io(refused)).disposition(),
            Disposition::Defer
        );
        assert_eq!(
            SyncError::Db(sqlx::Error::RowNotFound).disposition(),
            Disposition::Fail
        );
    }
}
