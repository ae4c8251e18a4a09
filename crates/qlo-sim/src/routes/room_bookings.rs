//! `room_bookings` (`HotelBookingDetail`, JSON nodes `bookings`/`booking`): one row per room
//! and stay, indexed by id and by order.

use serde_json::{json, Value};

use crate::filters::{FilterOp, Query};
use crate::listing::{id_filter, plain, CandidateOrder, Candidates, FieldDef, Listing};
use crate::routes::orders::date_upd_range;
use crate::state::{RoomLine, Shop};
use crate::values::{date_midnight, datetime_value, flag, money};

pub struct RoomBookings;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_product"),
    plain("id_hotel"),
    plain("id_order"),
    plain("id_order_detail"),
    plain("id_cart"),
    plain("id_room"),
    plain("id_customer"),
    plain("booking_type"),
    plain("id_status"),
    plain("comment"),
    plain("check_in"),
    plain("check_out"),
    plain("date_from"),
    plain("date_to"),
    plain("total_price_tax_excl"),
    plain("total_price_tax_incl"),
    plain("total_paid_amount"),
    plain("is_refunded"),
    plain("is_cancelled"),
    plain("is_back_order"),
    plain("room_num"),
    plain("room_type_name"),
    plain("hotel_name"),
    plain("city"),
    plain("state"),
    plain("country"),
    plain("zipcode"),
    plain("phone"),
    plain("email"),
    plain("check_in_time"),
    plain("check_out_time"),
    plain("adults"),
    plain("children"),
    plain("child_ages"),
    plain("date_add"),
    plain("date_upd"),
];

impl Listing for RoomBookings {
    type Row<'a> = &'a RoomLine;
    const SINGULAR: &'static str = "booking";
    const PLURAL: &'static str = "bookings";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.orders.line_ids())
    }

    fn row(shop: &Shop, id: u32) -> Option<&RoomLine> {
        shop.orders.line(id)
    }

    fn value(shop: &Shop, l: &&RoomLine, field: &str) -> Value {
        let hotel = || shop.hotels.get(&l.id_hotel);
        let hotel_text =
            |f: fn(&crate::state::Hotel) -> &str| json!(hotel().map(f).unwrap_or_default());
        match field {
            "id" => json!(l.id),
            "id_product" => json!(l.id_room_type),
            "id_hotel" => json!(l.id_hotel),
            "id_order" => json!(l.id_order),
            "id_order_detail" => json!(l.id_order_detail),
            "id_cart" => json!(l.id_cart),
            "id_room" => json!(l.id_room),
            "id_customer" => json!(l.id_customer),
            "booking_type" => json!(l.booking_type),
            "id_status" => json!(l.id_status),
            "comment" => json!(l.comment),
            "check_in" | "check_out" => json!("0000-00-00 00:00:00"),
            "date_from" => json!(date_midnight(l.date_from)),
            "date_to" => json!(date_midnight(l.date_to)),
            "total_price_tax_excl" => money(l.total_price_tax_excl),
            "total_price_tax_incl" => money(l.total_price_tax_incl),
            "total_paid_amount" => money(l.total_paid_amount),
            "is_refunded" => flag(l.is_refunded),
            "is_cancelled" => flag(l.is_cancelled),
            "is_back_order" => json!(0),
            "room_num" => json!(l.room_num),
            "room_type_name" => json!(l.room_type_name),
            "hotel_name" => json!(l.hotel_name),
            "city" => hotel_text(|h| &h.city),
            "state" => hotel_text(|h| &h.state_name),
            "country" => hotel_text(|h| &h.country_name),
            "zipcode" => hotel_text(|h| &h.zipcode),
            "phone" => hotel_text(|h| &h.phone),
            "email" => hotel_text(|h| &h.email),
            "check_in_time" => hotel_text(|h| &h.check_in),
            "check_out_time" => hotel_text(|h| &h.check_out),
            "adults" => json!(l.adults),
            "children" => json!(l.children),
            "child_ages" => {
                json!(serde_json::to_string(&l.child_ages).unwrap_or_else(|_| "[]".into()))
            }
            "date_add" => datetime_value(l.date_add),
            "date_upd" => datetime_value(l.date_upd),
            _ => Value::Null,
        }
    }

    fn candidates<'a>(shop: &'a Shop, query: &Query) -> Option<Candidates<'a>> {
        if let Some(ids) = id_filter(query) {
            return Some(Candidates {
                ids: Box::new(ids.into_iter()),
                order: CandidateOrder::IdAsc,
            });
        }
        for f in &query.filters {
            if let ("id_order", FilterOp::AnyOf(alts)) = (f.field.as_str(), &f.op) {
                let mut ids: Vec<u32> = alts
                    .iter()
                    .filter_map(|a| a.trim().parse::<u32>().ok())
                    .flat_map(|o| shop.orders.line_ids_of_order(o))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                return Some(Candidates {
                    ids: Box::new(ids.into_iter()),
                    order: CandidateOrder::IdAsc,
                });
            }
        }
        date_upd_range(query).map(|(lo, hi)| Candidates {
            ids: Box::new(
                shop.orders
                    .lines_by_date_upd()
                    .range((lo, hi))
                    .map(|(_, id)| *id),
            ),
            order: CandidateOrder::DateUpdAsc,
        })
    }
}
