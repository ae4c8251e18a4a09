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
                l.date_upd = now;
            });
        }
        refresh_totals(self, id_order);
        self.orders.update_order(id_order, |o| o.date_upd = now);
        if let Some(state) = edit.id_order_state {
            set_order_state(self, id_order, state);
        }
        Ok(())
    }
}
