//! `hotel_ari`: availability, rates and inventory (docs/qloapps-api.md, "Availability: hotel_ari").

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lenient;

/// An availability search. `date_to` is the departure day (exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AriRequest {
    /// Defaults to the configured hotel when `None`.
    pub id_hotel: Option<u64>,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub id_room_type: Option<u64>,
    pub get_available_rooms: bool,
    pub get_booked_rooms: bool,
    pub get_partial_available_rooms: bool,
    pub get_unavailable_rooms: bool,
    /// Occupancies `(adults, children)`; they only multiply `total_price` in 1.6.1.
    pub occupancies: Vec<(u32, u32)>,
}

impl AriRequest {
    /// Available and booked rooms for the configured hotel, all room types.
    pub fn new(date_from: NaiveDate, date_to: NaiveDate) -> Self {
        AriRequest {
            id_hotel: None,
            date_from,
            date_to,
            id_room_type: None,
            get_available_rooms: true,
            get_booked_rooms: true,
            get_partial_available_rooms: false,
            get_unavailable_rooms: false,
            occupancies: Vec::new(),
        }
    }
}

/// Availability over a date range (or one night, in the per-night form).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Availability {
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_hotel: u64,
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub date_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub date_to: Option<NaiveDate>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub currency: String,
    #[serde(default, deserialize_with = "lenient::u32")]
    pub total_rooms: u32,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub total_available_rooms: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub total_unavailable_rooms: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub total_partial_available_rooms: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub total_booked_rooms: Option<u32>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub room_types: Vec<AriRoomType>,
}

/// One room type of an availability answer.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AriRoomType {
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_room_type: u64,
    /// Average nightly price, excluding tax.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub base_price: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub base_price_with_tax: Decimal,
    /// Whole range, excluding tax.
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_price: Decimal,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub total_price_with_tax: Decimal,
    #[serde(default, deserialize_with = "lenient::i18n")]
    pub name: String,
    #[serde(default)]
    pub rooms: AriRooms,
}

/// Rooms by category. QloApps sends id-keyed maps, `[]` when empty; here they are lists.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AriRooms {
    #[serde(default, deserialize_with = "lenient::vec")]
    pub available: Vec<AriRoom>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub booked: Vec<AriRoom>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub unavailable: Vec<AriRoom>,
    #[serde(default, deserialize_with = "lenient::vec")]
    pub partially_available: Vec<AriRoom>,
}

/// A physical room in an availability answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AriRoom {
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_room: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_product: u64,
    #[serde(default, deserialize_with = "lenient::string")]
    pub room_num: String,
}

/// Envelope of the non-breakdown answer.
#[derive(Debug, Deserialize)]
pub(crate) struct AriEnvelope {
    pub hotel_ari: Availability,
}

/// Envelope of the per-night answer.
#[derive(Debug, Deserialize)]
pub(crate) struct AriNightsEnvelope {
    #[serde(default, deserialize_with = "lenient::vec")]
    pub hotel_aris: Vec<Availability>,
}
