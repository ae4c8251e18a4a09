//! `room_types`, `hotel_room_types`, `hotels` and `hotel_rooms` (docs/qloapps-api.md, "Resources used").

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lenient;
use super::IdRef;

/// A room type (a QloApps product with `booking_product=1`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct RoomType {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_hotel: u64,
    /// Base occupancy.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub adults: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub children: u32,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_tax_rules_group: u64,
    /// Base nightly price excluding tax, default currency.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub price: Decimal,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub active: bool,
    #[serde(default, deserialize_with = "lenient::i18n")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
    #[serde(default)]
    pub associations: RoomTypeAssociations,
}

/// `room_types.associations` (only the parts the sync uses).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct RoomTypeAssociations {
    /// Physical rooms of this type.
    #[serde(default, deserialize_with = "lenient::vec")]
    pub hotel_rooms: Vec<IdRef>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub feature_prices: Vec<IdRef>,
}

/// Hotel membership and occupancy limits of a room type (`hotel_room_types`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct HotelRoomType {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// The room type id.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_product: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_hotel: u64,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub adults: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub children: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub max_adults: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub max_children: u32,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub max_guests: u32,
    /// Minimum length of stay (nights).
    #[serde(default, deserialize_with = "lenient::u32")]
    pub min_los: u32,
    /// Maximum length of stay; 0 means none.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub max_los: u32,
    #[serde(default)]
    pub associations: HotelRoomTypeAssociations,
}

/// `hotel_room_types.associations`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct HotelRoomTypeAssociations {
    #[serde(default, deserialize_with = "lenient::vec")]
    pub hotel_rooms: Vec<IdRef>,
}

/// A hotel (`hotels`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Hotel {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient::i18n")]
    pub hotel_name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub city: String,
    /// Check-in time `HH:MM`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub check_in: String,
    /// Check-out time `HH:MM`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub check_out: String,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub active: bool,
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
}

/// A physical room (`hotel_rooms`, JSON node `rooms`/`room`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct HotelRoom {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Room type id.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_product: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_hotel: u64,
    #[serde(default, deserialize_with = "lenient::string")]
    pub room_num: String,
    /// 1 active, 2 inactive, 3 temporarily inactive.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub id_status: u32,
    #[serde(default, deserialize_with = "lenient::string")]
    pub floor: String,
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
}
