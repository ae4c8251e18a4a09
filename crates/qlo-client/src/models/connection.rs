//! The "test connection" report (`GET /`, docs/qloapps-api.md "Test connection and permissions").

use std::time::Duration;

use serde::Serialize;

/// Resources the sync key needs (README "Running it in production"; docs/qloapps-api.md "Test connection and permissions"). The JSON list only
/// names resources, not methods, so this is checked by name.
pub const REQUIRED_RESOURCES: &[&str] = &[
    "bookings",
    "configurations",
    "customers",
    "feature_prices",
    "hotel_ari",
    "hotel_room_types",
    "hotel_rooms",
    "hotels",
    "order_histories",
    "order_states",
    "orders",
    "room_bookings",
    "room_types",
];

/// What `test_connection` learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionReport {
    /// Resources the key may use, as QloApps listed them.
    pub resources: Vec<String>,
    /// Required resources absent from `resources`; empty when the key is fit for the sync.
    pub missing: Vec<String>,
    /// The `PSWS-Version` header (PrestaShop core version, e.g. `1.6.1.23`).
    pub version: Option<String>,
    /// Round trip of the successful attempt.
    pub latency: Duration,
}
