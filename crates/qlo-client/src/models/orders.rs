//! `orders`, `room_bookings` and `configurations` (docs/qloapps-api.md, "Orders, room lines and time zones").

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lenient;
use super::IdRef;

/// The fields asked for in every `orders` read (`display=[...]`). Never `secure_key`.
pub const ORDER_FIELDS: &[&str] = &[
    "id",
    "id_customer",
    "id_currency",
    "id_lang",
    "current_state",
    "module",
    "payment",
    "source",
    "reference",
    "total_paid",
    "total_paid_real",
    "total_paid_tax_incl",
    "total_paid_tax_excl",
    "valid",
    "date_add",
    "date_upd",
];

/// One QloApps order (the booking id of the `bookings` resource is this order id).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Order {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_customer: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_currency: u64,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub id_lang: u32,
    /// Order state id; map it with [`OrderStates`], never with hard-coded numbers.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub current_state: u32,
    #[serde(default, deserialize_with = "lenient::string")]
    pub module: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub payment: String,
    /// `orders.source`: qlosync stores its idempotency key here (`pms:<uuid>`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub source: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub reference: String,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_paid: Decimal,
    /// The amount actually paid.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_paid_real: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_paid_tax_incl: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_paid_tax_excl: Decimal,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub valid: bool,
    /// Shop-local time.
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_add: Option<NaiveDateTime>,
    /// Shop-local time, second resolution: several orders can share one value.
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
    #[serde(default)]
    pub associations: OrderAssociations,
}

/// `orders.associations`: only present when non-empty.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct OrderAssociations {
    /// `htl_booking_detail` ids (= `room_bookings` ids), not order ids.
    #[serde(default, deserialize_with = "lenient::vec")]
    pub bookings: Vec<IdRef>,
}

/// One room line of an order (`room_bookings`, JSON node `bookings`/`booking`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct RoomBookingLine {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_order: u64,
    /// Room type id.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_product: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_room: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_hotel: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_customer: u64,
    /// 1 allotted, 2 checked in, 3 checked out.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub id_status: u32,
    /// Check-in night (the time part is always 00:00:00).
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub date_from: Option<NaiveDate>,
    /// Check-out day (exclusive).
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub date_to: Option<NaiveDate>,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub adults: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub children: u32,
    #[serde(default, deserialize_with = "lenient::child_ages")]
    pub child_ages: Vec<u32>,
    /// Whole-stay price of this room, excluding tax.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_price_tax_excl: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_price_tax_incl: Decimal,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_cancelled: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_refunded: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_back_order: bool,
    #[serde(default, deserialize_with = "lenient::string")]
    pub room_num: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub room_type_name: String,
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
}

impl RoomBookingLine {
    /// True when the room still holds inventory (neither cancelled nor refunded).
    pub fn is_active(&self) -> bool {
        !self.is_cancelled && !self.is_refunded
    }
}

/// The fields asked for in every `room_bookings` read.
pub const ROOM_BOOKING_FIELDS: &[&str] = &[
    "id",
    "id_order",
    "id_product",
    "id_room",
    "id_hotel",
    "id_customer",
    "id_status",
    "date_from",
    "date_to",
    "adults",
    "children",
    "child_ages",
    "total_price_tax_excl",
    "total_price_tax_incl",
    "is_cancelled",
    "is_refunded",
    "is_back_order",
    "room_num",
    "room_type_name",
    "date_upd",
];

/// The order state ids of this shop (`PS_OS_*` configuration values; a fresh install has
/// [`OrderStates::INSTALL_DEFAULTS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderStates {
    pub canceled: u32,
    pub refund: u32,
    pub payment_accepted: u32,
    pub awaiting_payment: u32,
    pub partial_payment_accepted: u32,
    pub error: u32,
}

impl OrderStates {
    /// The ids a fresh QloApps 1.6.1 install has.
    pub const INSTALL_DEFAULTS: OrderStates = OrderStates {
        canceled: 4,
        refund: 5,
        payment_accepted: 2,
        awaiting_payment: 1,
        partial_payment_accepted: 8,
        error: 6,
    };

    /// States in which QloApps frees the rooms (the booking counts as cancelled).
    pub fn frees_rooms(&self, state: u32) -> bool {
        state != 0 && (state == self.canceled || state == self.refund || state == self.error)
    }
}

/// What the client reads from `configurations` in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopConfiguration {
    pub order_states: OrderStates,
    /// `PS_TIMEZONE`, e.g. `Europe/Zurich`: every QloApps timestamp is in this zone.
    pub timezone: String,
}

/// One `configurations` row.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ConfigurationValue {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub value: String,
}

/// The configuration names read by [`crate::QloClient::shop_configuration`].
pub const CONFIGURATION_NAMES: &[&str] = &[
    "PS_OS_CANCELED",
    "PS_OS_REFUND",
    "PS_OS_PAYMENT_ACCEPTED",
    "PS_OS_AWAITING_PAYMENT",
    "PS_OS_PARTIAL_PAYMENT_ACCEPTED",
    "PS_OS_ERROR",
    "PS_TIMEZONE",
];
