//! Edits an employee makes to any order in QloApps' back office (AdminOrders: change the stay
//! of a room, its occupancy or price, the order status), which the webservice cannot always
//! express: every line and the order get a new `date_upd` in the shop's zone, as the back
//! office's `ObjectModel::update` writes it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::Shop;
use crate::booking::{refresh_totals, set_order_state};
use crate::pricing::tax_of;

/// What to change on every room line of an order (`None`: left as it is). Rooms stay where
/// they are and availability is not checked (the back office lets an employee overbook).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrderEdit {
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub adults: Option<u32>,
    pub children: Option<u32>,
    /// Whole-stay price of each room, tax excluded.
    pub price: Option<Decimal>,
    /// A new order state (an order history is added).
    pub id_order_state: Option<u32>,
    /// Another room type for every line (AdminOrders' room reallocation): each line moves to
    /// the first room of that type in its hotel.
    pub id_room_type: Option<u32>,
    /// The order's customer edited (Customers › Edit): their name and email change, on the
    /// customer and on the order's guest details.
    pub customer: Option<CustomerEdit>,
}

/// What to change on the order's customer (`None`: left as it is).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustomerEdit {
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
}

impl Shop {
    /// Applies a back-office edit to order `id_order`.
    pub fn edit_order(&mut self, id_order: u32, edit: &OrderEdit) -> Result<(), String> {
        if self.orders.order(id_order).is_none() {
            return Err(format!("no order {id_order}"));
        }
        let lines: Vec<u32> = self.orders.lines_of_order(id_order).map(|l| l.id).collect();
        for id in &lines {
            let Some(line) = self.orders.line(*id) else {
                continue;
            };
            let from = edit.date_from.unwrap_or(line.date_from);
            let to = edit.date_to.unwrap_or(line.date_to);
            if to <= from {
                return Err(format!(
                    "line {id}: check-out {to} is not after check-in {from}"
                ));
            }
        }
        let room = match edit.id_room_type {
            Some(room_type) => Some(self.first_room_of(id_order, room_type)?),
            None => None,
        };
        let now = self.now();
        for id in lines {
            self.orders.update_line(id, |l| {
                l.date_from = edit.date_from.unwrap_or(l.date_from);
                l.date_to = edit.date_to.unwrap_or(l.date_to);
                l.adults = edit.adults.unwrap_or(l.adults);
                l.children = edit.children.unwrap_or(l.children);
                if let Some(price) = edit.price {
                    l.total_price_tax_excl = price;
                    l.total_price_tax_incl = price + tax_of(price);
                }
                if let (Some(room_type), Some((id_room, room_num))) = (edit.id_room_type, &room) {
                    l.id_room_type = room_type;
                    l.id_room = *id_room;
                    l.room_num.clone_from(room_num);
                }
                l.date_upd = now;
            });
        }
        if let Some(customer) = &edit.customer {
            self.edit_customer_of(id_order, customer, now);
        }
        refresh_totals(self, id_order);
        self.orders.update_order(id_order, |o| o.date_upd = now);
        if let Some(state) = edit.id_order_state {
            set_order_state(self, id_order, state);
        }
        Ok(())
    }
}

impl Shop {
    /// The first room of `room_type` in the order's hotel, as (id, number).
    fn first_room_of(&self, id_order: u32, room_type: u32) -> Result<(u32, String), String> {
        let hotel = self.orders.order(id_order).map(|o| o.id_hotel).unwrap_or(0);
        self.rooms_of_type(room_type)
            .filter(|r| r.id_hotel == hotel)
            .min_by_key(|r| r.id)
            .map(|r| (r.id, r.room_num.clone()))
            .ok_or_else(|| format!("hotel {hotel} has no room of room type {room_type}"))
    }

    fn edit_customer_of(&mut self, id_order: u32, edit: &CustomerEdit, now: chrono::NaiveDateTime) {
        let Some(order) = self.orders.order(id_order) else {
            return;
        };
        let id_customer = order.id_customer;
        if let Some(mut customer) = self.customers.get(id_customer).cloned() {
            if let Some(v) = &edit.firstname {
                customer.firstname.clone_from(v);
            }
            if let Some(v) = &edit.lastname {
                customer.lastname.clone_from(v);
            }
            if let Some(v) = &edit.email {
                customer.email.clone_from(v);
            }
            customer.date_upd = now;
            self.customers.insert(customer);
        }
        self.orders.update_order(id_order, |o| {
            if let Some(v) = &edit.firstname {
                o.guest.firstname.clone_from(v);
            }
            if let Some(v) = &edit.lastname {
                o.guest.lastname.clone_from(v);
            }
            if let Some(v) = &edit.email {
                o.guest.email.clone_from(v);
            }
        });
    }
}
