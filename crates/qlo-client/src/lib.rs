//! Client for the QloApps 1.6.1+ webservice (docs/qloapps-api.md), used by qlosync.
//!
//! - Typed operations on the real API: incremental order pull, batched reads of orders, room
//!   lines and customers, booking create / update / cancel, room types, `hotel_ari`
//!   availability and `feature_prices` rates. Parsing is lenient where QloApps is loose.
//! - Every request goes through one policy stack (README "Resilience per QloApps config"), in this order per attempt:
//!   circuit breaker → rate limiter → request with timeout → classify → record; transient
//!   failures of idempotent requests are retried with exponential backoff and jitter,
//!   honouring `Retry-After`. The limiter and the breaker are traits ([`RateLimiter`],
//!   [`CircuitBreaker`]) so shared implementations can replace the in-memory ones.
//! - Writes are never repeated blindly. A booking create carries an idempotency `source`
//!   and, after an unknown outcome, is looked up by it and adopted; updates and cancels are
//!   verified by reading `room_bookings` / `orders` back. This makes the client correct on
//!   stock QloApps 1.6.1 under PHP 8, which answers 500 after every successful booking write.
//! - The API key is a [`secrecy::SecretString`] sent only as the Basic-auth user: it never
//!   appears in a URL, a log line, a `Debug` output or an error.
//!
//! Metrics (through the `metrics` facade): `qlosync_qloapps_requests_total{resource,method,status}`,
//! `qlosync_qloapps_request_duration_seconds{resource,method}`, `qlosync_circuit_state`,
//! `qlosync_circuit_transitions_total{to}`, `qlosync_rate_limiter_waits_total`,
//! `qlosync_rate_limiter_wait_seconds`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use qlo_client::{ClientConfig, QloClient};
//! let config = ClientConfig::new("https://hotel.example/api", "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456", 1);
//! let client = QloClient::new(config)?;
//! let report = client.test_connection().await?;
//! assert!(report.missing.is_empty(), "key lacks {:?}", report.missing);
//! # Ok(()) }
//! ```

pub mod breaker_machine;
mod circuit_breaker;
mod client;
mod config;
mod error;
pub mod metrics_catalog;
pub mod models;
mod ops;
mod rate_limit;
mod retry;
mod transport;
mod xml;

pub use circuit_breaker::{
    BreakerPermit, BreakerState, BreakerTransition, CallOutcome, CircuitBreaker,
    InMemoryCircuitBreaker, TransitionCallback,
};
pub use client::{QloClient, QloClientBuilder};
pub use config::{
    check_base_url, BreakerConfig, ClientConfig, ConfigError, RateLimitConfig, RetryConfig,
};
pub use error::Error;
pub use models::ari::{AriRequest, AriRoom, AriRoomType, AriRooms, Availability};
pub use models::bookings::{
    BookedCustomer, BookedPrices, BookedRoom, BookedRoomType, Booking, BookingAssociations,
    BookingCreated, BookingDetails, BookingRequest, BookingStatus, BookingUpdated, CustomerDetail,
    PaymentDetail, PaymentStatus, PriceDetails, RoomRequest, RoomTypeRequest, WriteConfirmation,
};
pub use models::connection::{ConnectionReport, REQUIRED_RESOURCES};
pub use models::customers::{Customer, NewCustomer};
pub use models::feature_prices::{FeaturePrice, FeaturePriceInput};
pub use models::orders::{Order, OrderStates, RoomBookingLine, ShopConfiguration};
pub use models::room_types::{Hotel, HotelRoom, HotelRoomType, RoomType};
pub use models::{IdRef, QloMessage};
pub use rate_limit::{Gcra, RateLimiter};
pub use retry::{backoff, base_delay, parse_retry_after};
