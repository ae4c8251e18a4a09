//! The pairing and comparison rules of `compare`, on hand-made sides.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use qlo_client::{Customer, Order, OrderStates, RoomBookingLine};
use uuid::Uuid;

use super::compare::{compare, same_guest, Catalog, PmsBooking, QloOrder};
use super::report::BookingDriftKind as Kind;
use crate::domain::{
    ConfigId, Guest, GuestId, PropertyId, Reservation, ReservationId, ReservationMapping,
    ReservationSource, ReservationStatus, RoomTypeId,
};

const HOTEL: u64 = 1;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn states() -> OrderStates {
    OrderStates::INSTALL_DEFAULTS
}

fn room_type() -> RoomTypeId {
    RoomTypeId(Uuid::from_u128(11))
}

fn guest() -> Guest {
    Guest {
        id: GuestId(Uuid::from_u128(21)),
        property_id: PropertyId(Uuid::from_u128(1)),
        first_name: "Anna".into(),
        last_name: "Keller".into(),
        email: Some("anna.keller@example.com".into()),
        phone: None,
        phone_normalized: None,
        possible_duplicate: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn customer(first: &str, last: &str, email: &str) -> Customer {
    Customer {
        id: 5,
        firstname: first.into(),
        lastname: last.into(),
        email: email.into(),
        ..Customer::default()
    }
}

fn reservation(n: u128, from: &str, to: &str, status: ReservationStatus) -> Reservation {
    Reservation {
        id: ReservationId(Uuid::from_u128(n)),
        property_id: PropertyId(Uuid::from_u128(1)),
        room_type_id: room_type(),
        guest_id: guest().id,
        check_in: date(from),
        check_out: date(to),
        number_of_rooms: 1,
        adults: 2,
        children: 0,
        total_price: "300".parse().expect("price"),
        currency: "USD".into(),
        cancelled_at: (status == ReservationStatus::Cancelled).then(Utc::now),
        status,
        source: ReservationSource::Pms,
        notes: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn mapping(r: &Reservation, order: u64, key: &str) -> ReservationMapping {
    ReservationMapping {
        id: Uuid::new_v4(),
        config_id: ConfigId(Uuid::from_u128(2)),
        property_id: r.property_id,
        local_reservation_id: r.id,
        qloapps_booking_id: crate::domain::QloOrderId(order),
        qloapps_line_key: key.into(),
        last_pushed_hash: None,
        last_synced_at: None,
        replacing_order_id: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn booking(r: Reservation, m: Option<ReservationMapping>) -> PmsBooking {
    PmsBooking {
        reservation: r,
        guest: Some(guest()),
        mapping: m,
    }
}

fn order(id: u64, source: &str, state: u32, stays: &[(&str, &str)]) -> QloOrder {
    QloOrder {
        order: Order {
            id,
            source: source.into(),
            current_state: state,
            id_customer: 5,
            ..Order::default()
        },
        lines: stays
            .iter()
            .enumerate()
            .map(|(i, (from, to))| RoomBookingLine {
                id: id * 10 + u64::try_from(i).expect("index"),
                id_order: id,
                id_product: 1,
                id_hotel: HOTEL,
                date_from: Some(date(from)),
                date_to: Some(date(to)),
                adults: 2,
                ..RoomBookingLine::default()
            })
            .collect(),
        customer: Some(customer("Anna", "Keller", "anna.keller@example.com")),
    }
}

fn kinds_of(
    pms: &[PmsBooking],
    orders: Vec<QloOrder>,
) -> Vec<(Option<u128>, Option<u64>, Vec<Kind>)> {
    let states = states();
    let to_pms = HashMap::from([(1, room_type())]);
    let cat = Catalog {
        hotel_id: HOTEL,
        states: &states,
        to_pms: &to_pms,
    };
    let orders: BTreeMap<u64, QloOrder> = orders.into_iter().map(|o| (o.order.id, o)).collect();
    compare(pms, &orders, &cat)
        .into_iter()
        .map(|d| {
            (
                d.reservation_id.map(|r| r.0.as_u128()),
                d.qloapps_order_id,
                d.kinds,
            )
        })
        .collect()
}

#[test]
fn a_pushed_order_agrees_until_its_stay_or_state_differs() {
    let r = reservation(1, "2027-03-01", "2027-03-03", ReservationStatus::Confirmed);
    let source = format!("pms:{}", r.id.0);
    let pms = [booking(r.clone(), Some(mapping(&r, 9, "")))];
    let same = order(9, &source, 1, &[("2027-03-01", "2027-03-03")]);
    assert!(kinds_of(&pms, vec![same]).is_empty());
    let moved = order(9, &source, 1, &[("2027-03-02", "2027-03-03")]);
    assert_eq!(
        kinds_of(&pms, vec![moved]),
        [(Some(1), Some(9), vec![Kind::Dates])]
    );
    let cancelled = order(9, &source, 4, &[("2027-03-01", "2027-03-03")]);
    assert_eq!(
        kinds_of(&pms, vec![cancelled]),
        [(Some(1), Some(9), vec![Kind::Status])]
    );
    // without its mapping (a push that stopped before storing it), the source still pairs them
    let pms = [booking(r, None)];
    let same = order(9, &source, 1, &[("2027-03-01", "2027-03-03")]);
    assert!(kinds_of(&pms, vec![same]).is_empty());
}

#[test]
fn both_sides_cancelled_agree_whatever_else_differs() {
    let r = reservation(1, "2027-03-01", "2027-03-03", ReservationStatus::Cancelled);
    let source = format!("pms:{}", r.id.0);
    let pms = [booking(r.clone(), Some(mapping(&r, 9, "")))];
    let other_stay = order(9, &source, 4, &[("2027-04-01", "2027-04-09")]);
    assert!(kinds_of(&pms, vec![other_stay]).is_empty());
}

#[test]
fn a_side_alone_is_missing_unless_it_is_cancelled() {
    let confirmed = reservation(1, "2027-03-01", "2027-03-03", ReservationStatus::Confirmed);
    let cancelled = reservation(2, "2027-03-01", "2027-03-03", ReservationStatus::Cancelled);
    let pms = [booking(confirmed, None), booking(cancelled, None)];
    let booked = order(7, "website", 2, &[("2027-03-05", "2027-03-07")]);
    let gone = order(8, "website", 4, &[("2027-03-05", "2027-03-07")]);
    let hold = order(10, "qlosync-hold:x", 2, &[("2027-03-05", "2027-03-07")]);
    assert_eq!(
        kinds_of(&pms, vec![booked, gone, hold]),
        [
            (Some(1), None, vec![Kind::MissingInQloapps]),
            (None, Some(7), vec![Kind::MissingInPms]),
        ]
    );
}

#[test]
fn a_pulled_group_whose_stay_moved_is_a_date_mismatch_not_a_missing_pair() {
    let r = reservation(1, "2027-03-01", "2027-03-03", ReservationStatus::Confirmed);
    let pms = [booking(
        r.clone(),
        Some(mapping(&r, 7, "1:2027-03-01:2027-03-03")),
    )];
    let moved = order(7, "website", 2, &[("2027-03-02", "2027-03-04")]);
    assert_eq!(
        kinds_of(&pms, vec![moved]),
        [(Some(1), Some(7), vec![Kind::Dates])]
    );
    // a second stay added to the order is a booking the PMS lacks
    let grown = order(
        7,
        "website",
        2,
        &[("2027-03-01", "2027-03-03"), ("2027-05-01", "2027-05-02")],
    );
    assert_eq!(
        kinds_of(&pms, vec![grown]),
        [(None, Some(7), vec![Kind::MissingInPms])]
    );
}

#[test]
fn the_guest_is_the_customer_by_email_or_by_name() {
    let g = guest();
    assert!(same_guest(
        &g,
        &customer("A", "K", "ANNA.Keller@example.com ")
    ));
    assert!(same_guest(
        &g,
        &customer("Änna", "KELLER", "other@example.com")
    ));
    assert!(!same_guest(
        &g,
        &customer("Bruno", "Zeller", "bruno@example.com")
    ));
    let without_email = Guest {
        email: None,
        first_name: "X".into(),
        ..guest()
    };
    let synthetic = format!("guest-{}@no-email.invalid", without_email.id.0);
    assert!(same_guest(
        &without_email,
        &customer("Anna", "Keller", &synthetic)
    ));
}
