//! `PUT bookings`: full replacement of the room lines, matched on id_room_type + checkin +
//! checkout (`validatePutRequest`, `handlePutRequest`).

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::input::BookingRequest;
use super::plan::{
    target_state, validate_common, validate_stays, Assigner, NOT_AVAILABLE, NOT_AVAILABLE_ON_PUT,
};
use crate::booking::{build_line, refresh_totals, set_order_state};
use crate::pricing::tax_of;
use crate::render::WsError;
use crate::state::{RoomLine, Shop};

/// Applies the update; returns the order id.
pub fn update(shop: &mut Shop, req: &BookingRequest) -> Result<u32, WsError> {
    let id_order = req
        .id
        .filter(|id| shop.orders.order(*id).is_some())
        .ok_or_else(|| WsError::booking("Invalid booking id (id)."))?;
    let id_hotel = validate_common(shop, req)?;
    let email = req
        .customer
        .as_ref()
        .and_then(|c| c.email.clone())
        .ok_or_else(|| WsError::booking("Invalid customer email (email)."))?;
    let customer = shop
        .customers
        .find_by_email(&email)
        .cloned()
        .ok_or_else(|| WsError::booking("Customer not found."))?;
    let stays = validate_stays(shop, id_hotel, req)?;
    let existing: Vec<RoomLine> = shop.orders.lines_of_order(id_order).cloned().collect();

    // Which existing lines each requested stay keeps; the rest go.
    let mut used: HashSet<u32> = HashSet::new();
    let mut kept: Vec<Vec<u32>> = Vec::new();
    for stay in &stays {
        let wanted = usize::try_from(stay.number_of_rooms).unwrap_or(0);
        let ids: Vec<u32> = existing
            .iter()
            .filter(|l| {
                !used.contains(&l.id)
                    && l.id_room_type == stay.id_room_type
                    && l.date_from == stay.from
                    && l.date_to == stay.to
            })
            .map(|l| l.id)
            .take(wanted)
            .collect();
        used.extend(ids.iter().copied());
        kept.push(ids);
    }
    let removed: Vec<u32> = existing
        .iter()
        .map(|l| l.id)
        .filter(|id| !used.contains(id))
        .collect();
    // New lines are checked while the lines they replace still hold their rooms: the order's own
    // rooms count as taken (`real/put_booking_extension_refused_STRICTKEY.json`).
    let mut assigner = Assigner::default();
    let mut added = Vec::new();
    for (stay, keep) in stays.iter().zip(&kept) {
        let wanted = usize::try_from(stay.number_of_rooms).unwrap_or(0);
        let lines = assigner
            .assign(
                shop,
                stay,
                keep.len(),
                wanted - keep.len(),
                &customer.groups,
            )
            .map_err(|e| e.reworded(NOT_AVAILABLE, NOT_AVAILABLE_ON_PUT))?;
        added.extend(lines);
    }

    // Valid: apply.
    let now = shop.now();
    for id in removed {
        shop.orders.remove_line(id);
    }
    for (stay, keep) in stays.iter().zip(&kept) {
        let rooms = stay.entry.rooms.clone().unwrap_or_default();
        for (i, id) in keep.iter().enumerate() {
            let Some(room) = rooms.get(i) else { continue };
            shop.orders.update_line(*id, |l| {
                if let Some(price) = room.unit_price_without_tax {
                    l.total_price_tax_excl = price;
                    l.total_price_tax_incl = price + tax_of(price);
                    l.total_paid_amount = l.total_price_tax_incl;
                }
                // occupancy of a kept line does not change (`handlePutRequest` updates only
                // prices, taxes, services and facilities)
                l.date_upd = now;
            });
        }
    }
    let order = shop
        .orders
        .order(id_order)
        .cloned()
        .ok_or_else(|| WsError::booking("Invalid booking id (id)."))?;
    for new in &added {
        let line = build_line(shop, &order, new, now);
        shop.orders.insert_line(line);
    }
    refresh_totals(shop, id_order);
    let paid = req
        .total_paid
        .filter(|p| *p > order.total_paid_real)
        .unwrap_or(order.total_paid_real);
    shop.orders.update_order(id_order, |o| {
        o.total_paid_real = paid;
        o.date_upd = now;
        if let Some(source) = &req.source {
            o.source = source.clone();
        }
    });
    if req.booking_status.is_some() {
        let total = shop
            .orders
            .order(id_order)
            .map(|o| o.total_paid_tax_incl)
            .unwrap_or(Decimal::ZERO);
        let state = target_state(shop, req, total, paid);
        if shop
            .orders
            .order(id_order)
            .is_some_and(|o| o.current_state != state)
        {
            set_order_state(shop, id_order, state);
        }
    }
    Ok(id_order)
}
