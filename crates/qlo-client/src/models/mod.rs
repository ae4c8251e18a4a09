//! Typed request and response bodies. Parsing is lenient in the ways QloApps needs
//! (see [`lenient`]); unknown fields are ignored.

pub mod ari;
pub mod bookings;
pub mod connection;
pub mod customers;
pub mod feature_prices;
pub mod lenient;
pub mod orders;
pub mod room_types;

use serde::{Deserialize, Serialize};

/// `{"id": ...}` as found in `associations` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
pub struct IdRef {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
}

/// One entry of QloApps' `{"errors":[{"code":..,"message":..}]}` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct QloMessage {
    /// QloApps' internal code (not the HTTP status).
    #[serde(default, deserialize_with = "lenient::u32")]
    pub code: u32,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: String,
}

impl std::fmt::Display for QloMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

/// The error envelope.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ErrorEnvelope {
    #[serde(default, deserialize_with = "lenient::vec")]
    pub errors: Vec<QloMessage>,
}

#[cfg(test)]
mod fixture_tests;
