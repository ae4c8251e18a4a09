//! Hotels, room types and physical rooms (the `hotels`, `room_types`, `hotel_room_types` and
//! `hotel_rooms` resources).

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

/// A hotel (`htl_branch_info`).
#[derive(Debug, Clone, PartialEq)]
pub struct Hotel {
    pub id: u32,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub city: String,
    pub state_name: String,
    pub country_name: String,
    pub zipcode: String,
    pub id_country: u32,
    pub id_state: u32,
    pub id_category: u32,
    pub rating: u32,
    pub check_in: String,
    pub check_out: String,
    pub active: bool,
    pub short_description: String,
    pub description: String,
    pub policies: String,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

/// A room type (a QloApps `product` with `booking_product=1`, plus its `htl_room_type` row).
#[derive(Debug, Clone, PartialEq)]
pub struct RoomType {
    pub id: u32,
    pub id_hotel: u32,
    pub name: String,
    /// Base nightly price excluding tax, default currency.
    pub price: Decimal,
    pub adults: u32,
    pub children: u32,
    pub max_adults: u32,
    pub max_children: u32,
    pub max_guests: u32,
    pub min_los: u32,
    pub max_los: u32,
    pub active: bool,
    pub id_tax_rules_group: u32,
    pub link_rewrite: String,
    pub description_short: String,
    pub description: String,
    /// Auto-added services per night, counted in `hotel_ari` prices only.
    pub auto_services_per_night: Decimal,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

/// Room status of `htl_room_information.id_status`.
pub const ROOM_ACTIVE: u32 = 1;
pub const ROOM_INACTIVE: u32 = 2;
pub const ROOM_TEMPORARILY_INACTIVE: u32 = 3;

/// A physical room (`htl_room_information`).
#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    pub id: u32,
    pub id_room_type: u32,
    pub id_hotel: u32,
    pub room_num: String,
    /// 1 active, 2 inactive, 3 temporarily inactive (treated as inactive for every date,
    /// because the disable-date ranges are not part of the webservice).
    pub id_status: u32,
    pub floor: String,
    pub comment: String,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

impl Room {
    /// Whether the room can be sold at all.
    pub fn is_active(&self) -> bool {
        self.id_status == ROOM_ACTIVE
    }
}
