//! Which rooms are free: a room is busy on the nights `date_from..date_to` (checkout
//! exclusive) of every room line that still holds it. Lines of cancelled or refunded
//! bookings, and lines of orders in a Canceled / Refund / Error state, free their rooms.

use chrono::NaiveDate;

use crate::state::{RoomLine, Shop};

/// Whether a line still holds its room.
pub fn holds_room(shop: &Shop, line: &RoomLine) -> bool {
    if line.is_cancelled || line.is_refunded {
        return false;
    }
    match shop.orders.order(line.id_order) {
        Some(order) => !shop.freeing_states().contains(&order.current_state),
        None => true,
    }
}

/// Lines holding `id_room` on any night of `from..to`.
pub fn blocking_lines<'a>(
    shop: &'a Shop,
    id_room: u32,
    from: NaiveDate,
    to: NaiveDate,
) -> impl Iterator<Item = &'a RoomLine> + 'a {
    shop.orders
        .lines_of_room(id_room)
        .filter(move |l| l.date_from < to && from < l.date_to && holds_room(shop, l))
}

/// Whether a room is active and free for every night of `from..to`.
pub fn room_is_free(shop: &Shop, id_room: u32, from: NaiveDate, to: NaiveDate) -> bool {
    shop.rooms.get(&id_room).is_some_and(|r| r.is_active())
        && blocking_lines(shop, id_room, from, to).next().is_none()
}

/// Whether a room is free on one night.
pub fn free_on(shop: &Shop, id_room: u32, night: NaiveDate) -> bool {
    let next = night.succ_opt().unwrap_or(night);
    room_is_free(shop, id_room, night, next)
}
