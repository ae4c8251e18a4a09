//! Reservations against QloApps orders, as a pure function of what was read.
//!
//! Pairing follows the pull's rules: an order qlosync pushed (`source` `pms:<id>`) stands for
//! that reservation; a booking made in QloApps is one reservation per line group (room type
//! and stay, `pull::map`), paired with its mappings as the pull pairs them (`pull::pair`).
//! Two sides that are both cancelled agree, whatever else differs.

use std::collections::{BTreeMap, HashMap, HashSet};

use qlo_client::{Customer, Order, OrderStates, RoomBookingLine};

use super::report::{BookingDrift, BookingDriftKind as Kind, BookingSide};
use crate::db::qloapps_reservation_mappings::PulledMapping;
use crate::domain::order_source::OrderSource;
use crate::domain::{Guest, Reservation, ReservationMapping, ReservationStatus, RoomTypeId};
use crate::guest_match::fold_name;
use crate::pull::map::{self, Group};
use crate::pull::pair::pair;

/// A QloApps order with all its room lines and its customer.
#[derive(Debug, Clone)]
pub struct QloOrder {
    pub order: Order,
    pub lines: Vec<RoomBookingLine>,
    pub customer: Option<Customer>,
}

/// A reservation with its guest and its mapping to a QloApps order of this config.
#[derive(Debug, Clone)]
pub struct PmsBooking {
    pub reservation: Reservation,
    pub guest: Option<Guest>,
    pub mapping: Option<ReservationMapping>,
}

/// What comparing needs of the config.
pub struct Catalog<'a> {
    pub hotel_id: u64,
    pub states: &'a OrderStates,
    /// Active room-type mappings: QloApps → PMS.
    pub to_pms: &'a HashMap<u64, RoomTypeId>,
}

impl Catalog<'_> {
    fn to_qlo(&self, room_type: RoomTypeId) -> Option<u64> {
        self.to_pms
            .iter()
            .find(|(_, pms)| **pms == room_type)
            .map(|(qlo, _)| *qlo)
    }

    fn groups(&self, o: &QloOrder) -> Vec<Group> {
        let ours: Vec<&RoomBookingLine> = o
            .lines
            .iter()
            .filter(|l| l.id_hotel == self.hotel_id)
            .collect();
        // a line without a valid stay: the pull keeps the order as a failure; nothing to pair
        map::groups(&o.order, &ours, self.states).unwrap_or_default()
    }
}

/// Every booking that differs, reservations first (in the order given), then QloApps orders
/// no reservation stands for (by order id).
pub fn compare(
    pms: &[PmsBooking],
    orders: &BTreeMap<u64, QloOrder>,
    cat: &Catalog<'_>,
) -> Vec<BookingDrift> {
    let mut drift = Vec::new();
    // (order, line key) pairs some reservation accounts for
    let mut matched: HashSet<(u64, String)> = HashSet::new();
    let pushed: HashMap<uuid::Uuid, u64> = orders
        .values()
        .filter_map(|o| {
            let reservation = OrderSource::parse(&o.order.source).reservation()?;
            Some((reservation.0, o.order.id))
        })
        .collect();
    let mut by_order: HashMap<u64, Vec<&PmsBooking>> = HashMap::new();
    for b in pms {
        let order_id = match &b.mapping {
            Some(m) => Some(m.qloapps_booking_id.get()),
            None => pushed.get(&b.reservation.id.0).copied(),
        };
        match order_id.and_then(|id| orders.get(&id)) {
            None => {
                if b.reservation.status == ReservationStatus::Confirmed {
                    drift.push(entry(
                        vec![Kind::MissingInQloapps],
                        Some(b),
                        None,
                        None,
                        cat,
                    ));
                }
            }
            Some(o) => by_order.entry(o.order.id).or_default().push(b),
        }
    }
    for (order_id, bookings) in &by_order {
        let o = &orders[order_id];
        let groups = cat.groups(o);
        let pulled = bookings.iter().any(|b| {
            b.mapping
                .as_ref()
                .is_some_and(|m| !m.qloapps_line_key.is_empty())
        });
        if !pulled {
            // an order qlosync pushed: one reservation, all its lines in this hotel
            for b in bookings {
                let group = groups.first();
                if let Some(g) = group {
                    matched.insert((*order_id, g.key.clone()));
                }
                let mut kinds = differences(b, o, group, cat);
                if groups.len() > 1 {
                    kinds.push(Kind::Rooms);
                    kinds.sort();
                    kinds.dedup();
                }
                if !kinds.is_empty() {
                    drift.push(entry(kinds, Some(b), Some(o), group, cat));
                }
            }
            continue;
        }
        let mappings: Vec<PulledMapping> = bookings
            .iter()
            .filter_map(|b| b.mapping.as_ref())
            .map(|m| PulledMapping {
                id: m.id,
                local_reservation_id: m.local_reservation_id,
                qloapps_line_key: m.qloapps_line_key.clone(),
                last_pulled_hash: None,
                last_synced_at: m.last_synced_at,
            })
            .collect();
        let booking_of = |m: &PulledMapping| {
            bookings
                .iter()
                .find(|b| b.reservation.id == m.local_reservation_id)
                .copied()
        };
        let (pairs, orphans) = pair(&groups, mappings);
        for (g, mapping) in pairs {
            let Some(b) = mapping.as_ref().and_then(|(m, _)| booking_of(m)) else {
                continue; // a group no reservation stands for: the order pass reports it
            };
            matched.insert((*order_id, g.key.clone()));
            let kinds = differences(b, o, Some(g), cat);
            if !kinds.is_empty() {
                drift.push(entry(kinds, Some(b), Some(o), Some(g), cat));
            }
        }
        for m in orphans {
            // QloApps has no lines for this reservation any more (the pull cancels it)
            if let Some(b) = booking_of(&m) {
                if b.reservation.status == ReservationStatus::Confirmed {
                    drift.push(entry(vec![Kind::Status], Some(b), Some(o), None, cat));
                }
            }
        }
    }
    for o in orders.values() {
        if OrderSource::parse(&o.order.source) != OrderSource::QloApps {
            continue; // holds are not bookings; a pushed order's reservation was compared above
        }
        for g in cat.groups(o) {
            if !g.cancelled && !matched.contains(&(o.order.id, g.key.clone())) {
                drift.push(entry(
                    vec![Kind::MissingInPms],
                    None,
                    Some(o),
                    Some(&g),
                    cat,
                ));
            }
        }
    }
    drift
}

/// How a reservation and its order (its line group `g`, if it has lines here) differ.
fn differences(b: &PmsBooking, o: &QloOrder, g: Option<&Group>, cat: &Catalog<'_>) -> Vec<Kind> {
    let r = &b.reservation;
    let pms_cancelled = r.status == ReservationStatus::Cancelled;
    let qlo_cancelled =
        g.map_or_else(|| true, |g| g.cancelled) || cat.states.frees_rooms(o.order.current_state);
    if pms_cancelled && qlo_cancelled {
        return Vec::new();
    }
    if pms_cancelled != qlo_cancelled {
        return vec![Kind::Status];
    }
    let Some(g) = g else {
        return vec![Kind::Status];
    };
    let mut kinds = Vec::new();
    if (g.check_in, g.check_out) != (r.check_in, r.check_out) {
        kinds.push(Kind::Dates);
    }
    if cat.to_pms.get(&g.qlo_room_type) != Some(&r.room_type_id) {
        kinds.push(Kind::RoomType);
    }
    if g.rooms != r.number_of_rooms {
        kinds.push(Kind::Rooms);
    }
    if let (Some(guest), Some(customer)) = (&b.guest, &o.customer) {
        if !same_guest(guest, customer) {
            kinds.push(Kind::Guest);
        }
    }
    kinds
}

/// The customer is the guest when their emails agree (the synthetic one of a guest without an
/// email, `push::customer_email`) or their names do (accents and case aside).
pub fn same_guest(guest: &Guest, customer: &Customer) -> bool {
    let email = crate::push::customer_email(guest).trim().to_lowercase();
    let theirs = customer.email.trim().to_lowercase();
    if !theirs.is_empty() && theirs == email {
        return true;
    }
    let name = |first: &str, last: &str| fold_name(&format!("{first} {last}"));
    let ours = name(&guest.first_name, &guest.last_name);
    !ours.is_empty() && ours == name(&customer.firstname, &customer.lastname)
}

fn entry(
    kinds: Vec<Kind>,
    b: Option<&PmsBooking>,
    o: Option<&QloOrder>,
    g: Option<&Group>,
    cat: &Catalog<'_>,
) -> BookingDrift {
    let pms = b.map(|b| {
        let r = &b.reservation;
        BookingSide {
            check_in: r.check_in,
            check_out: r.check_out,
            room_type_id: Some(r.room_type_id),
            qloapps_room_type_id: cat.to_qlo(r.room_type_id),
            rooms: r.number_of_rooms,
            status: r.status.to_string(),
            guest_name: b
                .guest
                .as_ref()
                .map(|g| format!("{} {}", g.first_name, g.last_name))
                .unwrap_or_default(),
            guest_email: b.guest.as_ref().and_then(|g| g.email.clone()),
        }
    });
    let qloapps = o.zip(g).map(|(o, g)| BookingSide {
        check_in: g.check_in,
        check_out: g.check_out,
        room_type_id: cat.to_pms.get(&g.qlo_room_type).copied(),
        qloapps_room_type_id: Some(g.qlo_room_type),
        rooms: g.rooms,
        status: if g.cancelled {
            "cancelled"
        } else {
            "confirmed"
        }
        .to_owned(),
        guest_name: o
            .customer
            .as_ref()
            .map(|c| format!("{} {}", c.firstname, c.lastname))
            .unwrap_or_default(),
        guest_email: o.customer.as_ref().map(|c| c.email.clone()),
    });
    BookingDrift {
        kinds,
        reservation_id: b.map(|b| b.reservation.id),
        qloapps_order_id: o.map(|o| o.order.id),
        qloapps_line_key: g.map(|g| g.key.clone()),
        pms,
        qloapps,
        fix: None,
    }
}
