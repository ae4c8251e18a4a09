//! The QloApps booking an inventory hold is.

use chrono::NaiveDate;
use qlo_client::{
    BookingAssociations, BookingCreated, BookingRequest, BookingStatus, CustomerDetail,
    PaymentDetail, PaymentStatus, RoomRequest, RoomTypeRequest,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::domain::order_source::hold_source;
use crate::domain::ConfigId;

/// The one QloApps customer all holds of a config are booked for (QloApps matches customers
/// by email, so the address makes it one customer per config).
pub fn hold_customer(config_id: ConfigId) -> CustomerDetail {
    CustomerDetail {
        id_customer: None,
        firstname: "qlosync".into(),
        lastname: "Inventory Hold".into(),
        email: format!("hold-{}@qlosync.invalid", config_id.0.simple()),
        phone: Some("0000000000".into()),
        ..CustomerDetail::default()
    }
}

/// What to book for a hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldBooking {
    pub id: Uuid,
    pub hotel_id: u64,
    pub currency: String,
    pub qlo_room_type: u64,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub rooms: u32,
}

/// A zero-priced, paid booking of `rooms` rooms, so a hold shows no revenue and no balance.
pub fn hold_request(config_id: ConfigId, hold: &HoldBooking) -> BookingRequest {
    let room = RoomRequest {
        id_room: None,
        adults: 1,
        child: 0,
        child_ages: Vec::new(),
        unit_price_without_tax: Some(Decimal::ZERO),
        id_tax_rules_group: None,
    };
    BookingRequest {
        id: None,
        id_property: hold.hotel_id,
        currency: hold.currency.clone(),
        booking_status: Some(BookingStatus::New),
        payment_status: Some(PaymentStatus::Completed),
        source: hold_source(hold.id),
        booking_date: None,
        remark: Some(
            "qlosync inventory hold: keeps QloApps from selling more rooms than the PMS allows. \
             qlosync cancels it when the PMS allows more; do not change it by hand."
                .into(),
        ),
        id_language: None,
        associations: BookingAssociations {
            customer_detail: hold_customer(config_id),
            price_details: None,
            payment_detail: Some(PaymentDetail {
                payment_type: Some("pay at hotel".into()),
                payment_method: Some("qlosync inventory hold".into()),
                transaction_id: None,
            }),
            room_types: vec![RoomTypeRequest {
                id_room_type: hold.qlo_room_type,
                checkin_date: hold.check_in,
                checkout_date: hold.check_out,
                number_of_rooms: hold.rooms,
                rooms: vec![room; hold.rooms as usize],
            }],
        },
    }
}

/// The rooms QloApps gave the hold, when its answer says (not after an adoption).
pub fn booked_rooms(created: &BookingCreated) -> Option<Vec<u64>> {
    let booking = created.booking.as_ref()?;
    let ids: Vec<u64> = booking
        .associations
        .room_types
        .iter()
        .flat_map(|rt| rt.rooms.iter().map(|r| r.id_room))
        .filter(|id| *id > 0)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_is_a_free_booking_with_the_hold_source_for_the_config_customer() {
        let config = ConfigId(Uuid::from_u128(7));
        let hold = HoldBooking {
            id: Uuid::from_u128(9),
            hotel_id: 1,
            currency: "USD".into(),
            qlo_room_type: 2,
            check_in: "2026-12-01".parse().unwrap(),
            check_out: "2026-12-11".parse().unwrap(),
            rooms: 3,
        };
        let req = hold_request(config, &hold);
        use crate::domain::order_source::OrderSource;
        assert_eq!(OrderSource::parse(&req.source), OrderSource::Hold);
        let line = &req.associations.room_types[0];
        assert_eq!(
            (line.id_room_type, line.number_of_rooms, line.rooms.len()),
            (2, 3, 3)
        );
        assert!(line
            .rooms
            .iter()
            .all(|r| r.unit_price_without_tax == Some(Decimal::ZERO)));
        assert_eq!(
            req.associations.customer_detail.email,
            hold_customer(config).email
        );
    }
}
