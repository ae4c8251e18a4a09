//! The in-memory shop: one typed model per concern, behind one mutex.
//!
//! Handlers lock the shop for the duration of one request's work (never across an `.await`),
//! which gives every write the atomicity a single MySQL transaction would.

mod back_office;
mod catalog;
mod customers;
mod demo;
mod feature_prices;
mod orders;
mod seed;
mod settings;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub use back_office::{CustomerEdit, OrderEdit};
pub use catalog::{Hotel, Room, RoomType, ROOM_ACTIVE, ROOM_INACTIVE, ROOM_TEMPORARILY_INACTIVE};
pub use customers::{Customer, Customers};
pub use feature_prices::{
    FeaturePrice, DATE_RANGE, IMPACT_AMOUNT, IMPACT_DECREASE, IMPACT_FIXED_PRICE, IMPACT_INCREASE,
    IMPACT_PERCENTAGE, SPECIFIC_DATE,
};
pub use orders::{GuestDetail, Order, OrderBook, OrderHistory, RoomLine};
pub use seed::{SeedReport, SeedSpec};
pub use settings::{Configuration, Currency, CustomerGroup, OrderState};

/// The whole simulated shop.
#[derive(Debug, Clone)]
pub struct Shop {
    pub hotels: BTreeMap<u32, Hotel>,
    pub room_types: BTreeMap<u32, RoomType>,
    pub rooms: BTreeMap<u32, Room>,
    pub customers: Customers,
    pub orders: OrderBook,
    pub feature_prices: BTreeMap<u32, FeaturePrice>,
    pub configurations: Vec<Configuration>,
    pub order_states: Vec<OrderState>,
    pub currencies: Vec<Currency>,
    pub groups: Vec<CustomerGroup>,
    /// See `SimConfig::single_language`.
    pub single_language: bool,
    tz: Tz,
    clock: Clock,
}

/// Where "now" comes from: the system clock shifted by an offset, or a frozen instant, so
/// tests can produce `date_upd` ties or move time on. An instant, not a local time: like PHP
/// under `date_default_timezone_set(PS_TIMEZONE)`, the shop writes it in its zone of the
/// moment, so a `PS_TIMEZONE` change or a DST fall-back moves (or repeats) the local times.
#[derive(Debug, Clone, Default)]
struct Clock {
    frozen: Option<DateTime<Utc>>,
    offset: Duration,
}

impl Shop {
    /// Shop-local now, at second resolution (MySQL `DATETIME`), in the current `PS_TIMEZONE`.
    pub fn now(&self) -> NaiveDateTime {
        self.instant()
            .with_timezone(&self.tz)
            .naive_local()
            .with_nanosecond_zero()
    }

    /// The shop's now as an instant.
    pub fn instant(&self) -> DateTime<Utc> {
        self.clock.frozen.unwrap_or_else(Utc::now) + self.clock.offset
    }

    /// Freezes the clock at a shop-local time (the earlier instant when a DST fall-back makes
    /// it ambiguous; `None` goes back to the system clock).
    pub fn freeze_clock(&mut self, at: Option<NaiveDateTime>) {
        let instant = at.map(|local| {
            self.tz
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&local))
        });
        self.freeze_clock_at(instant);
    }

    /// Freezes the clock at an instant (`None` goes back to the system clock).
    pub fn freeze_clock_at(&mut self, at: Option<DateTime<Utc>>) {
        self.clock.frozen = at;
        self.clock.offset = Duration::zero();
    }

    /// Moves the clock on (or back) by `by`.
    pub fn advance_clock(&mut self, by: Duration) {
        self.clock.offset += by;
    }

    /// The configured `PS_TIMEZONE`.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Changes `PS_TIMEZONE`; fails on an unknown zone name.
    pub fn set_timezone(&mut self, name: &str) -> Result<(), String> {
        let tz: Tz = name
            .parse()
            .map_err(|_| format!("unknown time zone {name:?}"))?;
        self.tz = tz;
        self.set_config("PS_TIMEZONE", name);
        Ok(())
    }

    /// A configuration value by name.
    pub fn config(&self, name: &str) -> Option<&str> {
        self.configurations
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.as_str())
    }

    /// A configuration value parsed as an id, or `default`.
    pub fn config_id(&self, name: &str, default: u32) -> u32 {
        self.config(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// Sets (or adds) a configuration value.
    pub fn set_config(&mut self, name: &str, value: &str) {
        let now = self.now();
        if let Some(c) = self.configurations.iter_mut().find(|c| c.name == name) {
            c.value = value.to_owned();
            c.date_upd = now;
            return;
        }
        let id = self.configurations.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        self.configurations.push(Configuration {
            id,
            name: name.to_owned(),
            value: value.to_owned(),
            date_add: now,
            date_upd: now,
        });
    }

    /// `PS_SHOP_DOMAIN`.
    pub fn shop_domain(&self) -> String {
        self.config("PS_SHOP_DOMAIN")
            .unwrap_or("localhost")
            .to_owned()
    }

    /// The states whose orders free their rooms: Canceled, Refund, Error
    /// (`HotelBookingDetail::getOrderStatusToFreeBookedRoom`).
    pub fn freeing_states(&self) -> [u32; 3] {
        [
            self.config_id("PS_OS_CANCELED", 4),
            self.config_id("PS_OS_REFUND", 5),
            self.config_id("PS_OS_ERROR", 6),
        ]
    }

    pub fn order_state(&self, id: u32) -> Option<&OrderState> {
        self.order_states.iter().find(|s| s.id == id)
    }

    pub fn currency_by_iso(&self, iso: &str) -> Option<&Currency> {
        self.currencies
            .iter()
            .find(|c| c.iso_code.eq_ignore_ascii_case(iso.trim()))
    }

    pub fn currency(&self, id: u32) -> Option<&Currency> {
        self.currencies.iter().find(|c| c.id == id)
    }

    /// Room types of a hotel, by id.
    pub fn room_types_of_hotel(&self, id_hotel: u32) -> impl Iterator<Item = &RoomType> {
        self.room_types
            .values()
            .filter(move |rt| rt.id_hotel == id_hotel)
    }

    /// Rooms of a room type, by id.
    pub fn rooms_of_type(&self, id_room_type: u32) -> impl Iterator<Item = &Room> {
        self.rooms
            .values()
            .filter(move |r| r.id_room_type == id_room_type)
    }

    pub fn next_feature_price_id(&self) -> u32 {
        self.feature_prices.keys().next_back().copied().unwrap_or(0) + 1
    }
}

trait ZeroNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl ZeroNanos for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// A shared handle on the shop. Cloning shares the same shop.
#[derive(Debug, Clone)]
pub struct SimState {
    inner: Arc<Mutex<Shop>>,
}

impl SimState {
    pub(crate) fn new(shop: Shop) -> Self {
        Self {
            inner: Arc::new(Mutex::new(shop)),
        }
    }

    /// Locks the shop. Do not hold the guard across an `.await` in a test that also sends
    /// requests: the simulator's handlers need the same lock.
    pub fn lock(&self) -> MutexGuard<'_, Shop> {
        // A panicking test thread must not wedge the simulator for the others.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the shop through a closure.
    pub fn read<T>(&self, f: impl FnOnce(&Shop) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the shop through a closure.
    pub fn write<T>(&self, f: impl FnOnce(&mut Shop) -> T) -> T {
        f(&mut self.lock())
    }
}
