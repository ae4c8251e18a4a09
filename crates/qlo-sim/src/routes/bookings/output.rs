//! The booking as `GET bookings/{id}` renders it (`getBookingDetails`), native PHP types.

use serde_json::{json, Value};

use crate::state::{RoomLine, Shop};
use crate::values::{date_midnight, datetime, number};

/// `{"booking":{...}}`, or `None` for a missing order.
pub fn booking_json(shop: &Shop, id_order: u32) -> Option<Value> {
    let order = shop.orders.order(id_order)?;
    let lines: Vec<&RoomLine> = shop.orders.lines_of_order(id_order).collect();
    // Lines grouped by room type and dates, in the order they were added.
    let mut groups: Vec<Vec<&RoomLine>> = Vec::new();
    for line in &lines {
        let same = |g: &Vec<&RoomLine>| {
            g.first().is_some_and(|f| {
                f.id_room_type == line.id_room_type
                    && f.date_from == line.date_from
                    && f.date_to == line.date_to
            })
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(line),
            None => groups.push(vec![line]),
        }
    }
    let room_types: Vec<Value> = groups
        .iter()
        .filter_map(|g| g.first().map(|first| (first, g)))
        .map(|(first, g)| {
            let rooms: Vec<Value> = g
                .iter()
                .map(|l| {
                    json!({
                        "id_room": l.id_room,
                        "id_hotel_booking": l.id,
                        "adults": l.adults,
                        "child": l.children,
                        "unit_price_without_tax": number(l.total_price_tax_excl),
                        "total_tax": number(l.total_price_tax_incl - l.total_price_tax_excl),
                    })
                })
                .collect();
            let tax: rust_decimal::Decimal = g
                .iter()
                .map(|l| l.total_price_tax_incl - l.total_price_tax_excl)
                .sum();
            json!({
                "id_room_type": first.id_room_type,
                "checkin_date": date_midnight(first.date_from),
                "checkout_date": date_midnight(first.date_to),
                "total_tax": number(tax),
                "number_of_rooms": g.len(),
                "name": first.room_type_name,
                "rooms": rooms,
            })
        })
        .collect();
    let customer = shop.customers.get(order.id_customer);
    let pick = |guest: &str, stored: Option<&String>| {
        if guest.is_empty() {
            stored.cloned().unwrap_or_default()
        } else {
            guest.to_owned()
        }
    };
    let currency = shop
        .currency(order.id_currency)
        .map(|c| c.iso_code.clone())
        .unwrap_or_default();
    let total_tax = order.total_paid_tax_incl - order.total_paid_tax_excl;
    Some(json!({
        "booking": {
            "id": order.id,
            "id_property": order.id_hotel,
            "currency": currency,
            "source": order.source,
            "booking_date": datetime(order.date_add),
            "id_language": order.id_lang,
            "associations": {
                "customer_detail": {
                    "id_customer": order.id_customer,
                    "firstname": pick(&order.guest.firstname, customer.map(|c| &c.firstname)),
                    "lastname": pick(&order.guest.lastname, customer.map(|c| &c.lastname)),
                    "email": pick(&order.guest.email, customer.map(|c| &c.email)),
                    "phone": pick(&order.guest.phone, customer.map(|c| &c.phone)),
                },
                "price_details": {
                    "total_paid": number(order.total_paid_real),
                    "total_price_without_tax": number(order.total_paid_tax_excl),
                    "total_tax": number(total_tax),
                },
                "cart_rules": [],
                "remarks": order.remarks,
                "room_types": room_types,
            }
        }
    }))
}
