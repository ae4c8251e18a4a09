//! PMS reservation → QloApps booking request (docs/qloapps-api.md, "Bookings").
//!
//! The rule: one PMS reservation is one QloApps order with one room-type line
//! (`number_of_rooms` rooms, check-out exclusive). Guests are spread over the rooms as evenly
//! as QloApps allows (every room gets at least one adult), and the whole-stay price excluding
//! tax is split over the rooms to the cent, the remainder on the first room, because
//! `unit_price_without_tax` is the whole-stay price of one room.

use qlo_client::{
    BookingAssociations, BookingRequest, BookingStatus, CustomerDetail, PaymentDetail,
    PaymentStatus, RoomRequest, RoomTypeRequest,
};
use rust_decimal::Decimal;

use crate::domain::order_source::push_source;
use crate::domain::{Guest, Reservation};

/// QloApps needs ages for children (without them it counts none); the PMS keeps only a count.
pub const DEFAULT_CHILD_AGE: u32 = 8;
/// QloApps requires an email per customer; a PMS guest may have none.
const NO_EMAIL_DOMAIN: &str = "no-email.invalid";
/// QloApps requires a phone (`PS_ONE_PHONE_AT_LEAST=1`, the install default).
const NO_PHONE: &str = "0000000000";

/// Builds the booking body for `reservation` in QloApps hotel `hotel_id`, room type
/// `qlo_room_type_id`. The status is always NEW: cancellation goes through `order_histories`.
pub fn booking_request(
    reservation: &Reservation,
    guest: &Guest,
    hotel_id: u64,
    qlo_room_type_id: u64,
) -> Result<BookingRequest, String> {
    let rooms = u32::try_from(reservation.number_of_rooms)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            format!(
                "number of rooms {} is not positive",
                reservation.number_of_rooms
            )
        })?;
    let adults = u32::try_from(reservation.adults).map_err(|_| "adults is negative".to_owned())?;
    let children =
        u32::try_from(reservation.children).map_err(|_| "children is negative".to_owned())?;
    if adults < rooms {
        return Err(format!(
            "{adults} adult(s) cannot occupy {rooms} room(s): QloApps needs one adult per room"
        ));
    }
    let prices = split_price(reservation.total_price, rooms);
    let room_requests = (0..rooms)
        .map(|i| {
            let child = share(children, rooms, i);
            RoomRequest {
                id_room: None,
                adults: share(adults, rooms, i),
                child,
                child_ages: vec![DEFAULT_CHILD_AGE; child as usize],
                unit_price_without_tax: Some(prices[i as usize]),
                id_tax_rules_group: None,
            }
        })
        .collect();
    let remark = match &reservation.notes {
        Some(notes) => format!("PMS reservation {}: {notes}", reservation.id.0),
        None => format!("PMS reservation {}", reservation.id.0),
    };
    Ok(BookingRequest {
        id: None,
        id_property: hotel_id,
        currency: reservation.currency.clone(),
        booking_status: Some(BookingStatus::New),
        payment_status: Some(PaymentStatus::Awaiting),
        source: push_source(reservation.id),
        booking_date: None,
        remark: Some(remark),
        id_language: None,
        associations: BookingAssociations {
            customer_detail: customer_detail(guest),
            price_details: None,
            payment_detail: Some(PaymentDetail {
                payment_type: Some("pay at hotel".into()),
                payment_method: Some("PMS".into()),
                transaction_id: Some(reservation.id.0.to_string()),
            }),
            room_types: vec![RoomTypeRequest {
                id_room_type: qlo_room_type_id,
                checkin_date: reservation.check_in,
                checkout_date: reservation.check_out,
                number_of_rooms: rooms,
                rooms: room_requests,
            }],
        },
    })
}

/// The email QloApps knows the guest by: theirs, or a synthetic one for a guest without one.
pub fn customer_email(guest: &Guest) -> String {
    guest
        .email
        .clone()
        .unwrap_or_else(|| format!("guest-{}@{NO_EMAIL_DOMAIN}", guest.id.0))
}

fn customer_detail(guest: &Guest) -> CustomerDetail {
    CustomerDetail {
        id_customer: None,
        firstname: guest.first_name.clone(),
        lastname: guest.last_name.clone(),
        email: customer_email(guest),
        phone: Some(guest.phone.clone().unwrap_or_else(|| NO_PHONE.to_owned())),
        ..CustomerDetail::default()
    }
}

/// Room `i`'s share of `total` people over `rooms` rooms: the first rooms take the remainder.
fn share(total: u32, rooms: u32, i: u32) -> u32 {
    total / rooms + u32::from(i < total % rooms)
}

/// Splits a price over `rooms` to the cent; the first room carries the remainder.
fn split_price(total: Decimal, rooms: u32) -> Vec<Decimal> {
    let cents = (total.round_dp(2) * Decimal::from(100)).trunc();
    let each = (cents / Decimal::from(rooms)).trunc();
    let remainder = cents - each * Decimal::from(rooms);
    (0..rooms)
        .map(|i| {
            let c = if i == 0 { each + remainder } else { each };
            (c / Decimal::from(100)).round_dp(2)
        })
        .collect()
}

/// A fingerprint of what would be sent, so an unchanged reservation is not pushed again.
/// FNV-1a over the JSON body: stable across builds, unlike `std`'s hasher.
pub fn payload_hash(request: &BookingRequest) -> String {
    let json = serde_json::to_vec(request).unwrap_or_default();
    let hash = json.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        GuestId, PropertyId, ReservationId, ReservationSource, ReservationStatus, RoomTypeId,
    };
    use chrono::{NaiveDate, Utc};
    use uuid::Uuid;

    fn reservation(rooms: i32, adults: i32, children: i32, total: &str) -> Reservation {
        Reservation {
            id: ReservationId(Uuid::new_v4()),
            property_id: PropertyId(Uuid::new_v4()),
            room_type_id: RoomTypeId(Uuid::new_v4()),
            guest_id: GuestId(Uuid::new_v4()),
            check_in: NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(),
            check_out: NaiveDate::from_ymd_opt(2026, 12, 23).unwrap(),
            number_of_rooms: rooms,
            adults,
            children,
            total_price: total.parse().unwrap(),
            currency: "USD".into(),
            status: ReservationStatus::Confirmed,
            source: ReservationSource::Pms,
            notes: None,
            cancelled_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn guest(email: Option<&str>) -> Guest {
        Guest {
            id: GuestId(Uuid::new_v4()),
            property_id: PropertyId(Uuid::new_v4()),
            first_name: "Anna".into(),
            last_name: "Keller".into(),
            email: email.map(Into::into),
            phone: None,
            phone_normalized: None,
            possible_duplicate: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn one_room_carries_the_whole_stay_price_and_the_guest() {
        let r = reservation(1, 2, 1, "300.00");
        let req = booking_request(&r, &guest(Some("anna@example.com")), 1, 2).unwrap();
        let line = &req.associations.room_types[0];
        assert_eq!((line.id_room_type, line.number_of_rooms), (2, 1));
        assert_eq!(
            line.checkout_date,
            NaiveDate::from_ymd_opt(2026, 12, 23).unwrap()
        );
        assert_eq!(line.rooms[0].adults, 2);
        assert_eq!(line.rooms[0].child_ages, vec![DEFAULT_CHILD_AGE]);
        assert_eq!(
            line.rooms[0].unit_price_without_tax,
            Some("300.00".parse().unwrap())
        );
        assert_eq!(req.source, format!("pms:{}", r.id.0));
        assert_eq!(req.associations.customer_detail.email, "anna@example.com");
        let json = serde_json::to_value(&req).unwrap();
        let room = &json["associations"]["room_types"][0]["rooms"][0];
        assert_eq!(
            room["adult"], room["adults"],
            "QloApps reads `adult`; both must be sent: {room}"
        );
    }

    #[test]
    fn several_rooms_split_people_and_price_to_the_cent() {
        let req = booking_request(&reservation(3, 5, 2, "100.00"), &guest(None), 1, 2).unwrap();
        let rooms = &req.associations.room_types[0].rooms;
        assert_eq!(
            rooms.iter().map(|r| r.adults).collect::<Vec<_>>(),
            vec![2, 2, 1]
        );
        assert_eq!(
            rooms.iter().map(|r| r.child).collect::<Vec<_>>(),
            vec![1, 1, 0]
        );
        let prices: Vec<Decimal> = rooms
            .iter()
            .map(|r| r.unit_price_without_tax.unwrap())
            .collect();
        assert_eq!(
            prices.iter().sum::<Decimal>(),
            "100.00".parse::<Decimal>().unwrap()
        );
        assert_eq!(prices[1], "33.33".parse::<Decimal>().unwrap());
        assert!(req
            .associations
            .customer_detail
            .email
            .ends_with("@no-email.invalid"));
        assert_eq!(
            req.associations.customer_detail.phone.as_deref(),
            Some(NO_PHONE)
        );
    }

    #[test]
    fn fewer_adults_than_rooms_is_refused_with_the_reason() {
        let err = booking_request(&reservation(2, 1, 0, "10"), &guest(None), 1, 2).unwrap_err();
        assert!(err.contains("one adult per room"), "{err}");
    }

    #[test]
    fn the_hash_changes_with_the_payload_only() {
        let r = reservation(1, 2, 0, "300.00");
        let g = guest(Some("a@b.c"));
        let a = payload_hash(&booking_request(&r, &g, 1, 2).unwrap());
        assert_eq!(a, payload_hash(&booking_request(&r, &g, 1, 2).unwrap()));
        let mut changed = r.clone();
        changed.check_out = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        assert_ne!(
            a,
            payload_hash(&booking_request(&changed, &g, 1, 2).unwrap())
        );
    }
}
