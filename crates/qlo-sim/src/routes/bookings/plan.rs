//! Validation and room assignment shared by booking create and update
//! (`validatePostRequest`, `validateRoomType`, `dataForFrontSearch`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::input::{BookingRequest, RoomTypeRequest};
use crate::availability::room_is_free;
use crate::booking::NewLine;
use crate::pricing::stay_price;
use crate::render::WsError;
use crate::state::Shop;
use crate::values::{parse_date, parse_datetime};

/// Stock QloApps refuses what it cannot sell without overbooking.
pub const NOT_AVAILABLE: &str = "Requested room(s) not available.";
/// The same refusal from `handlePutRequest`, without the period.
pub const NOT_AVAILABLE_ON_PUT: &str = "Requested room(s) not available";

/// A room-type entry after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct StayRequest {
    pub id_room_type: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub number_of_rooms: u32,
    pub entry: RoomTypeRequest,
}

/// Checks the top-level fields every write needs.
pub fn validate_common(shop: &Shop, req: &BookingRequest) -> Result<u32, WsError> {
    let id_property = req
        .id_property
        .filter(|id| shop.hotels.contains_key(id))
        .ok_or_else(|| WsError::booking("Invalid property id (id_property)."))?;
    if let Some(status) = req.booking_status {
        if !(1..=4).contains(&status) {
            return Err(WsError::booking("Invalid booking status."));
        }
    }
    if let Some(status) = req.payment_status {
        if !(1..=3).contains(&status) {
            return Err(WsError::booking("Invalid payment status."));
        }
    }
    if let Some(date) = &req.booking_date {
        if parse_datetime(date).is_none() && parse_date(date).is_none() {
            return Err(WsError::booking("Invalid booking date."));
        }
    }
    if req.room_types.is_empty() {
        return Err(WsError::booking("Room types are missing."));
    }
    Ok(id_property)
}

/// Validates every room-type entry against the hotel.
pub fn validate_stays(
    shop: &Shop,
    id_hotel: u32,
    req: &BookingRequest,
) -> Result<Vec<StayRequest>, WsError> {
    let mut out = Vec::new();
    for entry in &req.room_types {
        let id_room_type = entry
            .id_room_type
            .filter(|id| {
                shop.room_types
                    .get(id)
                    .is_some_and(|rt| rt.id_hotel == id_hotel)
            })
            .ok_or_else(|| WsError::booking("Invalid room type id (id_room_type)."))?;
        let from = entry
            .checkin_date
            .as_deref()
            .and_then(parse_date)
            .ok_or_else(|| WsError::booking("Invalid check-in date (checkin_date)."))?;
        let to = entry
            .checkout_date
            .as_deref()
            .and_then(parse_date)
            .ok_or_else(|| WsError::booking("Invalid check-out date (checkout_date)."))?;
        if to <= from {
            return Err(WsError::booking(
                "Check-out date must be after the check-in date.",
            ));
        }
        let number_of_rooms = entry
            .number_of_rooms
            .filter(|n| *n > 0)
            .ok_or_else(|| WsError::booking("Invalid number of rooms (number_of_rooms)."))?;
        if let Some(rooms) = &entry.rooms {
            if rooms.len() != usize::try_from(number_of_rooms).unwrap_or(usize::MAX) {
                return Err(WsError::booking(
                    "The number of rooms does not match number_of_rooms.",
                ));
            }
            let rt = &shop.room_types[&id_room_type];
            for room in rooms {
                if room.adult.is_some_and(|a| a == 0 || a > rt.max_adults)
                    || room.child.is_some_and(|c| c > rt.max_children)
                {
                    return Err(WsError::booking("Invalid occupancy for the room type."));
                }
            }
        }
        out.push(StayRequest {
            id_room_type,
            from,
            to,
            number_of_rooms,
            entry: entry.clone(),
        });
    }
    Ok(out)
}

/// Rooms chosen so far in this request, so two lines never get the same room and night.
#[derive(Debug, Default)]
pub struct Assigner {
    taken: Vec<(u32, NaiveDate, NaiveDate)>,
}

impl Assigner {
    fn free(&self, shop: &Shop, id_room: u32, from: NaiveDate, to: NaiveDate) -> bool {
        room_is_free(shop, id_room, from, to)
            && !self
                .taken
                .iter()
                .any(|(r, f, t)| *r == id_room && *f < to && from < *t)
    }

    /// Chooses rooms and prices `count` new lines of a stay (the first `skip` room entries
    /// of the request are already covered by kept lines).
    pub fn assign(
        &mut self,
        shop: &Shop,
        stay: &StayRequest,
        skip: usize,
        count: usize,
        groups: &[u32],
    ) -> Result<Vec<NewLine>, WsError> {
        let rt = &shop.room_types[&stay.id_room_type];
        let rooms_req = stay.entry.rooms.clone().unwrap_or_default();
        let mut lines = Vec::new();
        for i in skip..skip + count {
            let wanted = rooms_req.get(i).cloned().unwrap_or_default();
            let id_room = match wanted.id_room {
                Some(id) => {
                    let ok = shop.rooms.get(&id).is_some_and(|r| r.id_room_type == rt.id)
                        && self.free(shop, id, stay.from, stay.to);
                    if !ok {
                        return Err(WsError::booking(NOT_AVAILABLE));
                    }
                    id
                }
                None => shop
                    .rooms_of_type(rt.id)
                    .map(|r| r.id)
                    .find(|id| self.free(shop, *id, stay.from, stay.to))
                    .ok_or_else(|| WsError::booking(NOT_AVAILABLE))?,
            };
            self.taken.push((id_room, stay.from, stay.to));
            // `child` counts only with `child_ages` (formatOccupancyInRequestData).
            let child_ages = wanted.child_ages.clone().unwrap_or_default();
            let children = if wanted.child_ages.is_some() {
                wanted.child.unwrap_or(0)
            } else {
                0
            };
            let price_excl = wanted
                .unit_price_without_tax
                .unwrap_or_else(|| stay_price(shop, rt, stay.from, stay.to, groups));
            lines.push(NewLine {
                id_room_type: rt.id,
                id_room,
                date_from: stay.from,
                date_to: stay.to,
                adults: wanted.adult.unwrap_or(rt.adults),
                children,
                child_ages,
                price_excl: price_excl.max(Decimal::ZERO),
            });
        }
        Ok(lines)
    }
}

/// The order state a booking ends in (`handlePostRequest`).
pub fn target_state(shop: &Shop, req: &BookingRequest, total_incl: Decimal, paid: Decimal) -> u32 {
    let id = |name: &str, default: u32| shop.config_id(name, default);
    let accepted = id("PS_OS_PAYMENT_ACCEPTED", 2);
    let partial = id("PS_OS_PARTIAL_PAYMENT_ACCEPTED", 8);
    let awaiting = id("PS_OS_AWAITING_PAYMENT", 1);
    match req.booking_status.unwrap_or(1) {
        3 => id("PS_OS_CANCELED", 4),
        4 => id("PS_OS_REFUND", 5),
        2 if paid > Decimal::ZERO && paid < total_incl => partial,
        2 => accepted,
        _ if paid > Decimal::ZERO && paid >= total_incl => accepted,
        _ if paid > Decimal::ZERO => partial,
        _ => match req.payment_status {
            Some(1) => accepted,
            Some(2) => partial,
            _ => awaiting,
        },
    }
}
