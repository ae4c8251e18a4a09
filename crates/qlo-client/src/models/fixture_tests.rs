//! Every sample in `crates/qlo-sim/tests/fixtures/{real,derived}` (captured from a stock
//! QloApps 1.6.1 on PHP 8.2, or derived from its source) parses into the typed models, and
//! every error sample is classified as the error it is.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use http::HeaderMap;
use quick_xml::events::Event;
use rust_decimal::Decimal;

use super::ari::{AriEnvelope, AriRequest};
use super::bookings::{Booking, BookingRequest, BookingStatus, PaymentStatus};
use super::connection::REQUIRED_RESOURCES;
use super::customers::Customer;
use super::feature_prices::FeaturePrice;
use super::orders::{Order, RoomBookingLine};
use super::room_types::{Hotel, HotelRoom, HotelRoomType, RoomType};
use super::IdRef;
use crate::error::Error;
use crate::transport::{classify, Request, Response};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../qlo-sim/tests/fixtures")
}

fn response(status: u16, body: &[u8]) -> Response {
    Response {
        status,
        headers: HeaderMap::new(),
        body: body.to_vec(),
        latency: Duration::ZERO,
    }
}

fn error_of(status: u16, resource: &'static str, body: &[u8]) -> Error {
    classify(&Request::get(resource), response(status, body)).expect_err("an error status")
}

/// Element names of an XML document.
fn element_names(xml: &[u8]) -> BTreeSet<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut names = BTreeSet::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                names.insert(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    names
}

/// Keys of a JSON document, at every depth.
fn json_keys(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                json_keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_keys(i, out)),
        _ => {}
    }
}

fn full_booking_request() -> BookingRequest {
    let body = std::fs::read(fixtures().join("derived/bookings-post-request.json")).unwrap();
    let mut req: BookingRequest = response(200, &body).single("bookings", "booking").unwrap();
    req.id = Some(7);
    req
}

fn check(kind: &str, name: &str, body: &[u8]) {
    let ok = |r| response(200, r);
    match (kind, name) {
        ("real", "bookings_schema_blank.xml") => {
            // Every key the client sends in a booking is one QloApps knows (plus `adult`,
            // which 1.6.1 reads although its schema says `adults`).
            let schema = element_names(body);
            let mut sent = BTreeSet::new();
            json_keys(
                &serde_json::to_value(full_booking_request()).unwrap(),
                &mut sent,
            );
            let unknown: Vec<_> = sent
                .iter()
                .filter(|k| !schema.contains(*k) && k.as_str() != "adult")
                .collect();
            assert!(
                unknown.is_empty(),
                "keys QloApps does not know: {unknown:?}"
            );
        }
        ("real", "get_bookings.json") => {
            let ids: Vec<IdRef> = ok(body).list("bookings", "bookings").unwrap();
            assert_eq!(ids, vec![IdRef { id: 1 }]);
        }
        ("real", "get_bookings_ID.json") | ("real", "post_booking_response.json") => {
            let b: Booking = ok(body).single("bookings", "booking").unwrap();
            assert_eq!((b.id, b.id_property, b.source.as_str()), (1, 1, "api-test"));
            assert_eq!(
                b.associations.customer_detail.email,
                "jane.tester@example.com"
            );
            let rt = &b.associations.room_types[0];
            assert_eq!(rt.checkin_date, NaiveDate::from_ymd_opt(2026, 12, 21));
            assert_eq!(rt.checkout_date, NaiveDate::from_ymd_opt(2026, 12, 23));
            assert_eq!(rt.rooms[0].unit_price_without_tax, Decimal::from(2000));
            assert_eq!(b.associations.price_details.total_tax, Decimal::from(80));
        }
        ("real", "get_bookings_ID_STRICTKEY.json")
        | ("real", "post_booking_response_STRICTKEY.json") => {
            match error_of(500, "bookings", body) {
                Error::PhpError {
                    status: 500,
                    messages,
                } => {
                    assert!(messages.len() >= 2);
                    assert!(messages
                        .iter()
                        .all(|m| m.code == 3 && m.message.starts_with("[PHP Warning #2]")));
                }
                other => panic!("{other:?}"),
            }
        }
        ("real", "get_customers_display_some.json") => {
            let c: Vec<Customer> = ok(body).list("customers", "customers").unwrap();
            assert_eq!((c[0].id, c[0].email.as_str()), (1, "pub@qloapps.com"));
        }
        ("real", "get_hotel_room_types_display_full.json") => {
            let t: Vec<HotelRoomType> = ok(body)
                .list("hotel_room_types", "hotel_room_types")
                .unwrap();
            assert_eq!(t.len(), 4);
            assert_eq!((t[1].id_product, t[1].max_guests, t[1].min_los), (2, 4, 1));
            assert_eq!(t[1].associations.hotel_rooms.len(), 5);
        }
        ("real", "get_hotel_rooms_display_full.json") => {
            let r: Vec<HotelRoom> = ok(body).list("hotel_rooms", "rooms").unwrap();
            assert_eq!(r.len(), 20);
            assert_eq!((r[0].room_num.as_str(), r[0].id_status), ("GR-101", 1));
        }
        ("real", "get_hotels_1.json") => {
            let h: Hotel = ok(body).single("hotels", "hotel").unwrap();
            assert_eq!(
                (h.id, h.hotel_name.as_str(), h.check_in.as_str()),
                (1, "The Hotel Prime", "12:00")
            );
        }
        ("real", "get_nonexistent_resource.json") => match error_of(400, "nonexistent", body) {
            Error::Validation { messages, .. } => assert_eq!(messages[0].code, 27),
            other => panic!("{other:?}"),
        },
        ("real", "get_orders_ID.json") => {
            let o: Order = ok(body).single("orders", "order").unwrap();
            assert_eq!(
                (o.id, o.current_state, o.source.as_str()),
                (1, 1, "api-test")
            );
            assert_eq!(o.total_paid_tax_excl, Decimal::from(2000));
            assert_eq!(o.associations.bookings, vec![IdRef { id: 1 }]);
        }
        ("real", "get_room_bookings_display_full.json") => {
            let l: Vec<RoomBookingLine> = ok(body).list("room_bookings", "bookings").unwrap();
            assert_eq!((l[0].id_order, l[0].id_product, l[0].adults), (1, 1, 2));
            assert_eq!(l[0].date_to, NaiveDate::from_ymd_opt(2026, 12, 23));
            assert!(l[0].is_active() && l[0].child_ages.is_empty());
        }
        ("real", "get_room_types_1.json") => {
            let t: RoomType = ok(body).single("room_types", "room_type").unwrap();
            assert_eq!(
                (t.id, t.name.as_str(), t.price),
                (1, "General Rooms", Decimal::from(1000))
            );
            assert_eq!(t.associations.hotel_rooms.len(), 5);
        }
        ("real", "get_room_types_display_full.json") | ("derived", "room-types-list.json") => {
            let t: Vec<RoomType> = ok(body).list("room_types", "room_types").unwrap();
            assert!(t.len() >= 2 && t.iter().all(|t| t.active && t.price > Decimal::ZERO));
        }
        ("real", "get_without_key.txt") => match error_of(401, "orders", body) {
            Error::Unauthorized { message } => assert_eq!(message, "401 Unauthorized"),
            other => panic!("{other:?}"),
        },
        ("real", "hotel_ari_schema_blank.xml") | ("real", "post_hotel_ari_request.xml") => {
            let mut req = AriRequest::new(
                NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 23).unwrap(),
            );
            req.id_room_type = Some(2);
            req.occupancies = vec![(2, 0)];
            let ours = element_names(&crate::ops::ari_body(&req, 1, false).unwrap().bytes);
            let theirs = element_names(body);
            let unknown: Vec<_> = ours.difference(&theirs).collect();
            if name.contains("schema") {
                assert!(
                    unknown.is_empty(),
                    "elements QloApps does not know: {unknown:?}"
                );
            } else {
                let missing: Vec<_> = theirs.difference(&ours).collect();
                assert!(
                    missing.is_empty(),
                    "real request elements we do not send: {missing:?}"
                );
            }
        }
        ("real", "post_booking_request.json") | ("derived", "bookings-post-request.json") => {
            let r: BookingRequest = ok(body).single("bookings", "booking").unwrap();
            assert_eq!(r.id_property, 1);
            assert_eq!(r.booking_status, Some(BookingStatus::New));
            assert_eq!(r.payment_status, Some(PaymentStatus::Awaiting));
            assert_eq!(r.associations.room_types[0].rooms[0].adults, 2);
            // What we would send back carries both `adult` and `adults`.
            let again = serde_json::to_value(&r).unwrap();
            let room = &again["associations"]["room_types"][0]["rooms"][0];
            assert_eq!(
                (room["adult"].as_u64(), room["adults"].as_u64()),
                (Some(2), Some(2))
            );
        }
        ("real", "post_hotel_ari_response.json") | ("derived", "hotel-ari-response.json") => {
            let a: AriEnvelope = ok(body).json("hotel_ari").unwrap();
            let a = a.hotel_ari;
            assert_eq!(a.id_hotel, 1);
            assert!(!a.room_types.is_empty());
            let listed: usize = a.room_types.iter().map(|t| t.rooms.available.len()).sum();
            assert_eq!(Some(listed as u32), a.total_available_rooms);
            assert!(a
                .room_types
                .iter()
                .all(|t| t.total_price > Decimal::ZERO && t.id_room_type > 0));
        }
        ("real", "resources_list.json") => {
            let list: Vec<String> = ok(body).json("/").unwrap();
            for r in REQUIRED_RESOURCES {
                assert!(list.iter().any(|l| l == r), "{r}");
            }
        }
        ("derived", "bookings-get-response.json") => {
            let b: Booking = ok(body).single("bookings", "booking").unwrap();
            assert_eq!(b.id, 42);
            assert_eq!(b.associations.room_types[0].rooms[0].child, 1);
        }
        ("derived", "bookings-schema-blank.json") => {
            let mut schema = BTreeSet::new();
            json_keys(&serde_json::from_slice(body).unwrap(), &mut schema);
            let mut sent = BTreeSet::new();
            json_keys(
                &serde_json::to_value(full_booking_request()).unwrap(),
                &mut sent,
            );
            let unknown: Vec<_> = sent
                .iter()
                .filter(|k| !schema.contains(*k) && !["adult", "id"].contains(&k.as_str()))
                .collect();
            assert!(unknown.is_empty(), "{unknown:?}");
        }
        ("real", "put_booking_unknown_customer_STRICTKEY.json") => {
            let e = error_of(400, "bookings", body);
            assert!(
                matches!(&e, Error::Validation { messages, .. } if messages[0].message == "Customer not found."),
                "QloApps' answer first: {e}"
            );
            assert!(!e.is_transient());
        }
        ("real", "put_booking_extension_refused_STRICTKEY.json") => {
            let e = error_of(400, "bookings", body);
            assert!(
                e.to_string()
                    .starts_with("QloApps has no rooms available for the request: [404] Requested room(s) not available; [3] [PHP"),
                "{e}"
            );
        }
        ("derived", "error-response.json") => {
            assert!(matches!(
                error_of(400, "bookings", body),
                Error::RoomsUnavailable { .. }
            ));
        }
        ("derived", "feature-price-created.json") => {
            let f: FeaturePrice = ok(body).single("feature_prices", "feature_price").unwrap();
            assert_eq!(
                (f.id, f.id_product, f.impact_way, f.impact_type),
                (57, 2, 3, 2)
            );
            assert_eq!(f.impact_value, Decimal::new(12000, 2));
            assert_eq!(f.associations.groups.len(), 3);
            assert_eq!(f.id_cart, 0);
        }
        ("derived", "orders-modified-since.json") => {
            let o: Vec<Order> = ok(body).list("orders", "orders").unwrap();
            assert_eq!(
                o.iter().map(|o| o.current_state).collect::<Vec<_>>(),
                vec![2, 1, 4]
            );
        }
        _ => panic!("no parser for fixture {kind}/{name}: add one to models/fixture_tests.rs"),
    }
}

#[test]
fn every_sample_parses_into_the_typed_models() {
    let mut seen = 0;
    for kind in ["real", "derived"] {
        let dir = fixtures().join(kind);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read(&path).unwrap();
            check(kind, &name, &body);
            seen += 1;
        }
    }
    assert!(seen >= 29, "only {seen} fixtures found");
}
