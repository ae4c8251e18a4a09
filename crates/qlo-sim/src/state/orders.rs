//! Orders, their room lines (`htl_booking_detail`, the `room_bookings` resource) and order
//! histories, kept indexed so that 100,000 orders stay fast to page and look up.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

/// An order (`ps_orders`). The bookings API's booking id is the order id.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u32,
    pub reference: String,
    pub id_customer: u32,
    pub id_cart: u32,
    pub id_currency: u32,
    pub id_lang: u32,
    pub id_hotel: u32,
    pub current_state: u32,
    pub module: String,
    /// `orders.payment`, the payment method's name.
    pub payment: String,
    /// 1 online, 2 pay at hotel, 3 remote.
    pub payment_type: u32,
    pub transaction_id: Option<String>,
    pub source: String,
    pub secure_key: String,
    pub total_paid_tax_excl: Decimal,
    pub total_paid_tax_incl: Decimal,
    /// The amount actually paid.
    pub total_paid_real: Decimal,
    pub valid: bool,
    pub remarks: Vec<String>,
    /// The guest as the booking named them (`cart_customer_guest_detail`).
    pub guest: GuestDetail,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

/// The guest details a booking was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestDetail {
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    pub phone: String,
}

/// One room for one stay (`htl_booking_detail`).
#[derive(Debug, Clone, PartialEq)]
pub struct RoomLine {
    pub id: u32,
    pub id_order: u32,
    pub id_order_detail: u32,
    pub id_cart: u32,
    pub id_room_type: u32,
    pub id_hotel: u32,
    pub id_room: u32,
    pub id_customer: u32,
    /// Check-in day.
    pub date_from: NaiveDate,
    /// Check-out day (exclusive: the room is busy the nights `date_from..date_to`).
    pub date_to: NaiveDate,
    pub total_price_tax_excl: Decimal,
    pub total_price_tax_incl: Decimal,
    pub total_paid_amount: Decimal,
    pub adults: u32,
    pub children: u32,
    pub child_ages: Vec<u32>,
    pub is_cancelled: bool,
    pub is_refunded: bool,
    pub room_num: String,
    pub room_type_name: String,
    pub hotel_name: String,
    pub booking_type: u32,
    pub id_status: u32,
    pub comment: String,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

impl RoomLine {
    /// Number of nights of the stay.
    pub fn nights(&self) -> i64 {
        (self.date_to - self.date_from).num_days()
    }

    /// Whether the line holds its room on `night` (ignoring order state; see `OrderBook::holds_room`).
    pub fn covers(&self, night: NaiveDate) -> bool {
        self.date_from <= night && night < self.date_to
    }
}

/// A status change of an order (`ps_order_history`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderHistory {
    pub id: u32,
    pub id_order: u32,
    pub id_order_state: u32,
    pub id_employee: u32,
    pub date_add: NaiveDateTime,
}

/// Orders, room lines and histories with their indexes. Mutate through the methods so the
/// indexes stay right.
#[derive(Debug, Default, Clone)]
pub struct OrderBook {
    orders: BTreeMap<u32, Order>,
    by_date_upd: BTreeSet<(NaiveDateTime, u32)>,
    by_source: HashMap<String, BTreeSet<u32>>,
    lines: BTreeMap<u32, RoomLine>,
    lines_by_order: HashMap<u32, BTreeSet<u32>>,
    lines_by_room: HashMap<u32, BTreeSet<u32>>,
    line_date_upd: BTreeSet<(NaiveDateTime, u32)>,
    histories: BTreeMap<u32, OrderHistory>,
    next_order: u32,
    next_line: u32,
    next_history: u32,
}

impl OrderBook {
    pub fn order(&self, id: u32) -> Option<&Order> {
        self.orders.get(&id)
    }

    pub fn orders(&self) -> impl DoubleEndedIterator<Item = &Order> {
        self.orders.values()
    }

    pub fn order_ids(&self) -> impl DoubleEndedIterator<Item = u32> + '_ {
        self.orders.keys().copied()
    }

    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Orders by `(date_upd, id)`, ascending.
    pub fn orders_by_date_upd(&self) -> &BTreeSet<(NaiveDateTime, u32)> {
        &self.by_date_upd
    }

    /// Ids of the orders whose `source` is exactly `source`.
    pub fn orders_with_source(&self, source: &str) -> impl Iterator<Item = u32> + '_ {
        self.by_source
            .get(source)
            .into_iter()
            .flat_map(|ids| ids.iter().copied())
    }

    pub fn next_order_id(&self) -> u32 {
        self.next_order.max(1)
    }

    /// Inserts an order; `order.id == 0` assigns the next id.
    pub fn insert_order(&mut self, mut order: Order) -> u32 {
        if order.id == 0 {
            order.id = self.next_order_id();
        }
        self.remove_order_indexes(order.id);
        let id = order.id;
        self.next_order = self.next_order.max(id + 1);
        self.by_date_upd.insert((order.date_upd, id));
        self.by_source
            .entry(order.source.clone())
            .or_default()
            .insert(id);
        self.orders.insert(id, order);
        id
    }

    /// Changes an order through `change`, keeping the indexes right. Returns false if absent.
    pub fn update_order(&mut self, id: u32, change: impl FnOnce(&mut Order)) -> bool {
        let Some(mut order) = self.orders.get(&id).cloned() else {
            return false;
        };
        change(&mut order);
        order.id = id;
        self.insert_order(order);
        true
    }

    fn remove_order_indexes(&mut self, id: u32) {
        if let Some(old) = self.orders.get(&id) {
            self.by_date_upd.remove(&(old.date_upd, id));
            if let Some(set) = self.by_source.get_mut(&old.source) {
                set.remove(&id);
                if set.is_empty() {
                    self.by_source.remove(&old.source);
                }
            }
        }
    }

    pub fn line(&self, id: u32) -> Option<&RoomLine> {
        self.lines.get(&id)
    }

    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &RoomLine> {
        self.lines.values()
    }

    pub fn line_ids(&self) -> impl DoubleEndedIterator<Item = u32> + '_ {
        self.lines.keys().copied()
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Room lines by `(date_upd, id)`, ascending.
    pub fn lines_by_date_upd(&self) -> &BTreeSet<(NaiveDateTime, u32)> {
        &self.line_date_upd
    }

    /// The room line ids of an order, ascending.
    pub fn line_ids_of_order(&self, id_order: u32) -> Vec<u32> {
        self.lines_by_order
            .get(&id_order)
            .map(|ids| ids.iter().copied().collect())
            .unwrap_or_default()
    }

    pub fn lines_of_order(&self, id_order: u32) -> impl Iterator<Item = &RoomLine> {
        self.lines_by_order
            .get(&id_order)
            .into_iter()
            .flat_map(|ids| ids.iter().filter_map(|id| self.lines.get(id)))
    }

    pub fn lines_of_room(&self, id_room: u32) -> impl Iterator<Item = &RoomLine> {
        self.lines_by_room
            .get(&id_room)
            .into_iter()
            .flat_map(|ids| ids.iter().filter_map(|id| self.lines.get(id)))
    }

    pub fn next_line_id(&self) -> u32 {
        self.next_line.max(1)
    }

    /// Inserts (or replaces) a room line; `line.id == 0` assigns the next id.
    pub fn insert_line(&mut self, mut line: RoomLine) -> u32 {
        if line.id == 0 {
            line.id = self.next_line_id();
        }
        self.remove_line(line.id);
        let id = line.id;
        self.next_line = self.next_line.max(id + 1);
        self.lines_by_order
            .entry(line.id_order)
            .or_default()
            .insert(id);
        self.lines_by_room
            .entry(line.id_room)
            .or_default()
            .insert(id);
        self.line_date_upd.insert((line.date_upd, id));
        self.lines.insert(id, line);
        id
    }

    /// Changes a room line through `change`, keeping the indexes right.
    pub fn update_line(&mut self, id: u32, change: impl FnOnce(&mut RoomLine)) -> bool {
        let Some(mut line) = self.lines.get(&id).cloned() else {
            return false;
        };
        change(&mut line);
        line.id = id;
        self.insert_line(line);
        true
    }

    /// Deletes a room line (as PUT bookings does for lines left out of the request).
    pub fn remove_line(&mut self, id: u32) -> Option<RoomLine> {
        let line = self.lines.remove(&id)?;
        if let Some(set) = self.lines_by_order.get_mut(&line.id_order) {
            set.remove(&id);
        }
        if let Some(set) = self.lines_by_room.get_mut(&line.id_room) {
            set.remove(&id);
        }
        self.line_date_upd.remove(&(line.date_upd, id));
        Some(line)
    }

    pub fn history(&self, id: u32) -> Option<&OrderHistory> {
        self.histories.get(&id)
    }

    pub fn histories(&self) -> impl DoubleEndedIterator<Item = &OrderHistory> {
        self.histories.values()
    }

    pub fn history_ids(&self) -> impl DoubleEndedIterator<Item = u32> + '_ {
        self.histories.keys().copied()
    }

    /// Appends a history row and returns its id.
    pub fn add_history(&mut self, id_order: u32, id_order_state: u32, at: NaiveDateTime) -> u32 {
        let id = self.next_history.max(1);
        self.next_history = id + 1;
        self.histories.insert(
            id,
            OrderHistory {
                id,
                id_order,
                id_order_state,
                id_employee: 0,
                date_add: at,
            },
        );
        id
    }
}
