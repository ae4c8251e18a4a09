//! What every order of a pull run is applied with, and why one could not be (shared by
//! `apply`, `group`, `echo` and `conflict`, so none of them depends on another for it).

use std::collections::HashMap;

use chrono_tz::Tz;
use qlo_client::OrderStates;
use uuid::Uuid;

use crate::db;
use crate::domain::{ConfigId, PropertyId, RoomTypeId};

/// What every order of a run is applied with.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    /// Reservations are kept in the property's currency.
    pub currency: String,
    pub hotel_id: u64,
    pub states: OrderStates,
    pub zone: Tz,
    /// Active room-type mappings: QloApps room type → PMS room type.
    pub room_types: HashMap<u64, RoomTypeId>,
    pub run_id: Uuid,
}

/// Why an order could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// This booking cannot be applied (unmapped room type, bad data): logged, the run goes on.
    #[error("{0}")]
    Booking(String),
    /// The database is unreachable: the run stops.
    #[error("database: {0}")]
    Db(#[source] sqlx::Error),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        if db::is_transient(&e) {
            ApplyError::Db(e)
        } else {
            ApplyError::Booking(format!("the database refused the change: {e}"))
        }
    }
}
