//! Writing orders: placing an order with its room lines, moving its state (and freeing rooms
//! like `hookActionOrderStatusPostUpdate`), keeping totals in step with the lines.

use chrono::{NaiveDate, NaiveDateTime};
use rand::Rng;
use rust_decimal::Decimal;

use crate::pricing::tax_of;
use crate::state::{GuestDetail, Order, RoomLine, Shop};

/// One room of a new or changed booking, with its room already chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLine {
    pub id_room_type: u32,
    pub id_room: u32,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub adults: u32,
    pub children: u32,
    pub child_ages: Vec<u32>,
    /// Whole-stay price excluding tax.
    pub price_excl: Decimal,
}

/// A new order.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub id_customer: u32,
    pub id_hotel: u32,
    pub id_currency: u32,
    pub id_lang: u32,
    pub source: String,
    pub payment: String,
    pub payment_type: u32,
    pub transaction_id: Option<String>,
    pub remarks: Vec<String>,
    pub guest: GuestDetail,
    pub lines: Vec<NewLine>,
    /// Amount paid.
    pub total_paid: Decimal,
    /// The state the order ends in (it is first validated as awaiting payment).
    pub state: u32,
    /// `booking_date`, overriding `date_add`.
    pub date_add: Option<NaiveDateTime>,
}

/// Lower-case hex of `n` random nibbles (a `secure_key`, an md5-looking hash).
pub fn random_hex(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// An order reference: 9 upper-case letters.
pub fn random_reference() -> String {
    let mut rng = rand::thread_rng();
    (0..9)
        .map(|_| char::from(rng.gen_range(b'A'..=b'Z')))
        .collect()
}

/// Builds the room line for a chosen room.
pub fn build_line(shop: &Shop, order: &Order, new: &NewLine, now: NaiveDateTime) -> RoomLine {
    let room = shop.rooms.get(&new.id_room);
    let room_type = shop.room_types.get(&new.id_room_type);
    let hotel = room_type.and_then(|rt| shop.hotels.get(&rt.id_hotel));
    let incl = new.price_excl + tax_of(new.price_excl);
    RoomLine {
        id: 0,
        id_order: order.id,
        id_order_detail: order.id,
        id_cart: order.id_cart,
        id_room_type: new.id_room_type,
        id_hotel: room_type.map(|rt| rt.id_hotel).unwrap_or(order.id_hotel),
        id_room: new.id_room,
        id_customer: order.id_customer,
        date_from: new.date_from,
        date_to: new.date_to,
        total_price_tax_excl: new.price_excl,
        total_price_tax_incl: incl,
        total_paid_amount: incl,
        adults: new.adults,
        children: new.children,
        child_ages: new.child_ages.clone(),
        is_cancelled: false,
        is_refunded: false,
        room_num: room.map(|r| r.room_num.clone()).unwrap_or_default(),
        room_type_name: room_type.map(|rt| rt.name.clone()).unwrap_or_default(),
        hotel_name: hotel.map(|h| h.name.clone()).unwrap_or_default(),
        booking_type: 1,
        id_status: 1,
        comment: String::new(),
        date_add: now,
        date_upd: now,
    }
}

/// Places an order with its lines; returns the order id.
pub fn place_order(shop: &mut Shop, new: NewOrder) -> u32 {
    let now = shop.now();
    let id = shop.orders.next_order_id();
    let secure_key = shop
        .customers
        .get(new.id_customer)
        .map(|c| c.secure_key.clone())
        .unwrap_or_else(|| random_hex(32));
    let awaiting = shop.config_id("PS_OS_AWAITING_PAYMENT", 1);
    let order = Order {
        id,
        reference: random_reference(),
        id_customer: new.id_customer,
        id_cart: id,
        id_currency: new.id_currency,
        id_lang: new.id_lang,
        id_hotel: new.id_hotel,
        current_state: awaiting,
        module: "wsorder".to_owned(),
        payment: new.payment,
        payment_type: new.payment_type,
        transaction_id: new.transaction_id,
        source: new.source,
        secure_key,
        total_paid_tax_excl: Decimal::ZERO,
        total_paid_tax_incl: Decimal::ZERO,
        total_paid_real: new.total_paid,
        valid: false,
        remarks: new.remarks,
        guest: new.guest,
        date_add: new.date_add.unwrap_or(now),
        date_upd: now,
    };
    for line in &new.lines {
        let built = build_line(shop, &order, line, now);
        shop.orders.insert_line(built);
    }
    shop.orders.insert_order(order);
    refresh_totals(shop, id);
    shop.orders.add_history(id, awaiting, now);
    if new.state != awaiting {
        set_order_state(shop, id, new.state);
    }
    id
}

/// Recomputes the order totals from its lines.
pub fn refresh_totals(shop: &mut Shop, id_order: u32) {
    let (excl, incl) = shop
        .orders
        .lines_of_order(id_order)
        .fold((Decimal::ZERO, Decimal::ZERO), |(e, i), l| {
            (e + l.total_price_tax_excl, i + l.total_price_tax_incl)
        });
    shop.orders.update_order(id_order, |o| {
        o.total_paid_tax_excl = excl;
        o.total_paid_tax_incl = incl;
    });
}

/// Moves an order to a state (`OrderHistory::changeIdOrderState`): bumps `date_upd`, adds a
/// history row, and for Canceled / Refund / Error frees the rooms by flagging the lines
/// (`is_refunded`, plus `is_cancelled` for Canceled). Returns the history id.
pub fn set_order_state(shop: &mut Shop, id_order: u32, state: u32) -> Option<u32> {
    shop.orders.order(id_order)?;
    let now = shop.now();
    let logable = shop.order_state(state).is_some_and(|s| s.logable);
    shop.orders.update_order(id_order, |o| {
        o.current_state = state;
        o.valid = logable;
        o.date_upd = now;
    });
    let [canceled, refund, error] = shop.freeing_states();
    if [canceled, refund, error].contains(&state) {
        for line_id in shop.orders.line_ids_of_order(id_order) {
            shop.orders.update_line(line_id, |l| {
                l.is_refunded = true;
                l.is_cancelled = l.is_cancelled || state == canceled;
                l.date_upd = now;
            });
        }
    }
    Some(shop.orders.add_history(id_order, state, now))
}
