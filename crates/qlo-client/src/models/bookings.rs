//! The `bookings` resource (docs/qloapps-api.md, "Bookings"): request and response bodies.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lenient;

/// `booking_status` on POST / PUT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum BookingStatus {
    #[default]
    New,
    Completed,
    Cancelled,
    Refunded,
}

impl From<BookingStatus> for u8 {
    fn from(s: BookingStatus) -> u8 {
        match s {
            BookingStatus::New => 1,
            BookingStatus::Completed => 2,
            BookingStatus::Cancelled => 3,
            BookingStatus::Refunded => 4,
        }
    }
}

impl TryFrom<u8> for BookingStatus {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        match v {
            1 => Ok(Self::New),
            2 => Ok(Self::Completed),
            3 => Ok(Self::Cancelled),
            4 => Ok(Self::Refunded),
            other => Err(format!("unknown booking_status {other}")),
        }
    }
}

/// `payment_status` on POST / PUT (used when the status is NEW and nothing was paid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum PaymentStatus {
    Completed,
    Partial,
    Awaiting,
}

impl From<PaymentStatus> for u8 {
    fn from(s: PaymentStatus) -> u8 {
        match s {
            PaymentStatus::Completed => 1,
            PaymentStatus::Partial => 2,
            PaymentStatus::Awaiting => 3,
        }
    }
}

impl TryFrom<u8> for PaymentStatus {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        match v {
            1 => Ok(Self::Completed),
            2 => Ok(Self::Partial),
            3 => Ok(Self::Awaiting),
            other => Err(format!("unknown payment_status {other}")),
        }
    }
}

/// Body of `POST bookings` / `PUT bookings` (sent as `{"booking":{...}}`).
///
/// `id` and `source` are set by the client: `create_booking` writes its idempotency source,
/// `update_booking` writes the order id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BookingRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Hotel id.
    pub id_property: u64,
    /// ISO code, e.g. `EUR`.
    pub currency: String,
    /// On PUT, an order state to move to; `None` leaves the state QloApps (and the hotel's
    /// payments) gave the order: a PUT with `booking_status` 1 sends it back to "Awaiting
    /// payment" whatever was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_status: Option<BookingStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<PaymentStatus>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Overrides `orders.date_add` (`YYYY-MM-DD HH:MM:SS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_language: Option<u32>,
    pub associations: BookingAssociations,
}

/// The nested part of a booking request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BookingAssociations {
    pub customer_detail: CustomerDetail,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_details: Option<PriceDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_detail: Option<PaymentDetail>,
    pub room_types: Vec<RoomTypeRequest>,
}

/// `customer_detail`: the guest; matched by `id_customer`, then by email, otherwise created.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CustomerDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_customer: Option<u64>,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    /// Required when `PS_ONE_PHONE_AT_LEAST=1` (the install default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

/// `price_details`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PriceDetails {
    /// The amount already paid.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "lenient::ser_opt_decimal",
        deserialize_with = "lenient::opt_decimal"
    )]
    pub total_paid: Option<Decimal>,
    /// A target order total (a discount or a "Created By API" service closes the gap).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "lenient::ser_opt_decimal",
        deserialize_with = "lenient::opt_decimal"
    )]
    pub total_price_with_tax: Option<Decimal>,
}

/// `payment_detail`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PaymentDetail {
    /// `online` | `remote` | `pay at hotel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// Becomes `orders.payment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// One room-type line of a booking request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomTypeRequest {
    pub id_room_type: u64,
    /// First night.
    pub checkin_date: NaiveDate,
    /// Departure day, exclusive.
    pub checkout_date: NaiveDate,
    pub number_of_rooms: u32,
    /// Empty, or exactly `number_of_rooms` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<RoomRequest>,
}

/// One room of a room-type line.
///
/// Serialised with both `adult` (what QloApps 1.6.1 reads) and `adults` (what it documents).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(from = "RoomRequestWire")]
pub struct RoomRequest {
    pub id_room: Option<u64>,
    pub adults: u32,
    pub child: u32,
    /// Without ages QloApps forces `child` to 0, so ages are always sent.
    pub child_ages: Vec<u32>,
    /// Whole-stay price of this room excluding tax (not a nightly price).
    pub unit_price_without_tax: Option<Decimal>,
    pub id_tax_rules_group: Option<u64>,
}

/// What a room looks like on the wire, with both spellings of the adult count.
#[derive(Deserialize)]
struct RoomRequestWire {
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    id_room: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    adult: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    adults: Option<u32>,
    #[serde(default, deserialize_with = "lenient::u32")]
    child: u32,
    #[serde(default, deserialize_with = "lenient::child_ages")]
    child_ages: Vec<u32>,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    unit_price_without_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    id_tax_rules_group: Option<u64>,
}

impl From<RoomRequestWire> for RoomRequest {
    fn from(w: RoomRequestWire) -> Self {
        RoomRequest {
            id_room: w.id_room,
            adults: w.adult.or(w.adults).unwrap_or_default(),
            child: w.child,
            child_ages: w.child_ages,
            unit_price_without_tax: w.unit_price_without_tax,
            id_tax_rules_group: w.id_tax_rules_group,
        }
    }
}

impl Serialize for RoomRequest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        if let Some(id) = self.id_room {
            m.serialize_entry("id_room", &id)?;
        }
        // `formatOccupancyInRequestData` reads `adult`; the schema documents `adults`.
        m.serialize_entry("adult", &self.adults)?;
        m.serialize_entry("adults", &self.adults)?;
        m.serialize_entry("child", &self.child)?;
        m.serialize_entry("child_ages", &self.child_ages)?;
        if let Some(price) = self.unit_price_without_tax {
            m.serialize_entry("unit_price_without_tax", &Amount(price))?;
        }
        if let Some(group) = self.id_tax_rules_group {
            m.serialize_entry("id_tax_rules_group", &group)?;
        }
        m.end()
    }
}

/// Serialises a decimal as a JSON number.
struct Amount(Decimal);

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        lenient::ser_decimal(&self.0, s)
    }
}

/// The booking as QloApps returns it (POST / PUT response, `GET bookings/{id}`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Booking {
    /// The order id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_property: u64,
    #[serde(default, deserialize_with = "lenient::string")]
    pub currency: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub source: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub booking_date: String,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub id_language: u32,
    #[serde(default)]
    pub associations: BookingDetails,
}

/// `associations` of a returned booking.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct BookingDetails {
    #[serde(default)]
    pub customer_detail: BookedCustomer,
    #[serde(default)]
    pub price_details: BookedPrices,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub remarks: Vec<String>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub room_types: Vec<BookedRoomType>,
}

/// `customer_detail` of a returned booking.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct BookedCustomer {
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_customer: u64,
    #[serde(default, deserialize_with = "lenient::string")]
    pub firstname: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub lastname: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone: String,
}

/// `price_details` of a returned booking.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct BookedPrices {
    /// What was actually paid.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_paid: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_price_without_tax: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
}

/// A room-type line of a returned booking.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct BookedRoomType {
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_room_type: u64,
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub checkin_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub checkout_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub number_of_rooms: u32,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub rooms: Vec<BookedRoom>,
}

/// A room of a returned booking.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct BookedRoom {
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_room: u64,
    /// The `room_bookings` id.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_hotel_booking: u64,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub adults: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub child: u32,
    /// Whole-stay price, excluding tax.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub unit_price_without_tax: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_tax: Decimal,
}

/// How the client knows a booking write took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteConfirmation {
    /// QloApps answered with success.
    Response,
    /// The outcome was unknown (timeout, dropped connection, 5xx); an order carrying the
    /// idempotency source already existed and was adopted instead of creating a second one.
    Adopted,
    /// The outcome was unknown; reading the generic resources back showed the change applied.
    Verified,
}

/// Result of [`crate::QloClient::create_booking`].
#[derive(Debug, Clone, PartialEq)]
pub struct BookingCreated {
    /// The order id (= booking id).
    pub order_id: u64,
    pub confirmation: WriteConfirmation,
    /// The response body when QloApps sent one (not after an adoption).
    pub booking: Option<Booking>,
}

/// Result of [`crate::QloClient::update_booking`] and [`crate::QloClient::cancel_booking`].
#[derive(Debug, Clone, PartialEq)]
pub struct BookingUpdated {
    pub order_id: u64,
    pub confirmation: WriteConfirmation,
    /// The response body when QloApps sent one.
    pub booking: Option<Booking>,
}
