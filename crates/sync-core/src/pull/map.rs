//! QloApps order → PMS reservations, as pure functions.
//!
//! **The mapping rule.** A QloApps order has one room line per room and stay
//! (`room_bookings`). Its lines in this config's hotel are grouped by
//! (room type, date_from, date_to); each group is one PMS reservation, identified in
//! `qloapps_reservation_mappings` by the line key `"<id_product>:<date_from>:<date_to>"`:
//! - `number_of_rooms` = the group's active lines (neither `is_cancelled` nor `is_refunded`);
//! - adults, children and the tax-excluded price = sums over the active lines (over all lines
//!   once none is active, so a cancelled reservation keeps its last figures);
//! - the group is cancelled when the order is in a state that frees rooms (Canceled, Refund,
//!   Error, resolved through `configurations`) or when none of its lines is active.
//!
//! A change to one line therefore changes only its group's reservation. When an order's stay
//! moves (QloApps replaces the lines, so the key changes), the reservation whose key vanished
//! is re-keyed to the new group of the same room type rather than cancelled and re-created.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use qlo_client::{Order, OrderStates, RoomBookingLine};
use rust_decimal::Decimal;
use serde::Serialize;

/// One PMS reservation's worth of an order: its lines of one room type and stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub key: String,
    pub qlo_room_type: u64,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub rooms: i32,
    pub adults: i32,
    pub children: i32,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    pub cancelled: bool,
    /// Latest `date_upd` of the order and the group's lines (shop-local time).
    #[serde(skip)]
    pub changed_at: NaiveDateTime,
}

pub fn line_key(room_type: u64, from: NaiveDate, to: NaiveDate) -> String {
    format!("{room_type}:{from}:{to}")
}

/// Groups an order's lines (already restricted to this config's hotel) into reservations.
/// Fails, naming the line, when a line has no valid stay.
pub fn groups(
    order: &Order,
    lines: &[&RoomBookingLine],
    states: &OrderStates,
) -> Result<Vec<Group>, String> {
    let order_cancelled = states.frees_rooms(order.current_state);
    let mut by_key: BTreeMap<(u64, NaiveDate, NaiveDate), Vec<&RoomBookingLine>> = BTreeMap::new();
    for line in lines {
        let (Some(from), Some(to)) = (line.date_from, line.date_to) else {
            return Err(format!("room line {} has no stay dates", line.id));
        };
        if to <= from {
            return Err(format!(
                "room line {} checks out ({to}) before it checks in ({from})",
                line.id
            ));
        }
        by_key
            .entry((line.id_product, from, to))
            .or_default()
            .push(line);
    }
    let order_changed = order.date_upd.unwrap_or_default();
    Ok(by_key
        .into_iter()
        .map(|((room_type, from, to), lines)| {
            let active: Vec<&&RoomBookingLine> = lines.iter().filter(|l| l.is_active()).collect();
            let counted: Vec<&&RoomBookingLine> = if active.is_empty() {
                lines.iter().collect()
            } else {
                active.clone()
            };
            let sum = |f: fn(&RoomBookingLine) -> u32| -> i32 {
                let total: u64 = counted.iter().map(|l| u64::from(f(l))).sum();
                i32::try_from(total).unwrap_or(i32::MAX)
            };
            let changed_at = lines
                .iter()
                .filter_map(|l| l.date_upd)
                .chain(std::iter::once(order_changed))
                .max()
                .unwrap_or(order_changed);
            Group {
                key: line_key(room_type, from, to),
                qlo_room_type: room_type,
                check_in: from,
                check_out: to,
                rooms: i32::try_from(counted.len()).unwrap_or(i32::MAX),
                adults: sum(|l| l.adults).max(1),
                children: sum(|l| l.children),
                price: counted
                    .iter()
                    .map(|l| l.total_price_tax_excl)
                    .sum::<Decimal>()
                    .round_dp(2),
                cancelled: order_cancelled || active.is_empty(),
                changed_at,
            }
        })
        .collect())
}

/// A fingerprint of what the PMS takes from a group (not `changed_at`): equal hashes mean
/// QloApps has nothing new for the reservation. FNV-1a, stable across builds.
pub fn group_hash(group: &Group) -> String {
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        group.qlo_room_type,
        group.check_in,
        group.check_out,
        group.rooms,
        group.adults,
        group.children,
        group.price,
        group.cancelled
    );
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("pull:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn line(
        id: u64,
        room_type: u64,
        from: &str,
        to: &str,
        adults: u32,
        price: &str,
    ) -> RoomBookingLine {
        RoomBookingLine {
            id,
            id_order: 7,
            id_product: room_type,
            date_from: Some(date(from)),
            date_to: Some(date(to)),
            adults,
            children: 1,
            total_price_tax_excl: price.parse().unwrap(),
            ..RoomBookingLine::default()
        }
    }

    fn states() -> OrderStates {
        OrderStates::INSTALL_DEFAULTS
    }

    fn order(state: u32) -> Order {
        Order {
            id: 7,
            current_state: state,
            ..Order::default()
        }
    }

    #[test]
    fn lines_of_one_room_type_and_stay_form_one_reservation() {
        let a = line(1, 2, "2026-12-21", "2026-12-23", 2, "100.00");
        let b = line(2, 2, "2026-12-21", "2026-12-23", 1, "90.50");
        let c = line(3, 3, "2026-12-21", "2026-12-24", 2, "300.00");
        let groups = groups(&order(2), &[&a, &b, &c], &states()).unwrap();
        assert_eq!(groups.len(), 2);
        let g = &groups[0];
        assert_eq!(g.key, "2:2026-12-21:2026-12-23");
        assert_eq!((g.rooms, g.adults, g.children), (2, 3, 2));
        assert_eq!(g.price, "190.50".parse().unwrap());
        assert!(!g.cancelled);
        assert_eq!(groups[1].key, "3:2026-12-21:2026-12-24");
    }

    #[test]
    fn cancelled_lines_reduce_the_rooms_and_all_cancelled_cancels_the_group() {
        let a = line(1, 2, "2026-12-21", "2026-12-23", 2, "100.00");
        let mut b = line(2, 2, "2026-12-21", "2026-12-23", 2, "100.00");
        b.is_cancelled = true;
        let g = &groups(&order(2), &[&a, &b], &states()).unwrap()[0];
        assert_eq!(
            (g.rooms, g.adults, g.price, g.cancelled),
            (1, 2, "100.00".parse().unwrap(), false)
        );
        let mut a2 = a.clone();
        a2.is_refunded = true;
        let g = &groups(&order(2), &[&a2, &b], &states()).unwrap()[0];
        assert_eq!(
            (g.rooms, g.adults, g.cancelled),
            (2, 4, true),
            "figures of the last active state kept"
        );
        let g = &groups(&order(4), &[&a], &states()).unwrap()[0];
        assert!(g.cancelled, "a cancelled order cancels every group");
    }

    #[test]
    fn a_line_without_a_valid_stay_fails_the_order() {
        let mut a = line(1, 2, "2026-12-21", "2026-12-23", 2, "1");
        a.date_to = Some(date("2026-12-21"));
        assert!(groups(&order(2), &[&a], &states())
            .unwrap_err()
            .contains("line 1"));
    }

    #[test]
    fn the_hash_changes_with_what_the_pms_takes_only() {
        let a = line(1, 2, "2026-12-21", "2026-12-23", 2, "100.00");
        let g = groups(&order(2), &[&a], &states()).unwrap().remove(0);
        let mut later = g.clone();
        later.changed_at += chrono::Duration::hours(1);
        assert_eq!(group_hash(&g), group_hash(&later));
        let mut more = g.clone();
        more.rooms = 2;
        assert_ne!(group_hash(&g), group_hash(&more));
    }
}
