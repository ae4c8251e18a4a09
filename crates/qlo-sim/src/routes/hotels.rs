//! `hotels` (`HotelBranchInformation`) and `hotel_room_types` (`HotelRoomType`).

use serde_json::{json, Map, Value};

use crate::listing::{i18n, plain, FieldDef, Listing};
use crate::state::{Hotel, RoomType, Shop};
use crate::values::{datetime_value, flag};

pub struct Hotels;

const HOTEL_FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("phone"),
    plain("address"),
    plain("id_country"),
    plain("id_state"),
    plain("city"),
    plain("zipcode"),
    plain("id_default_image"),
    plain("use_global_max_order_date"),
    plain("max_order_date"),
    plain("use_global_preparation_time"),
    plain("preparation_time"),
    plain("id_category"),
    plain("email"),
    plain("rating"),
    plain("check_in"),
    plain("check_out"),
    plain("active"),
    plain("latitude"),
    plain("longitude"),
    plain("map_formated_address"),
    plain("map_input_text"),
    plain("active_refund"),
    plain("date_add"),
    plain("date_upd"),
    i18n("policies"),
    i18n("hotel_name"),
    i18n("description"),
    i18n("short_description"),
];

impl Listing for Hotels {
    type Row<'a> = &'a Hotel;
    const SINGULAR: &'static str = "hotel";
    const PLURAL: &'static str = "hotels";
    const FIELDS: &'static [FieldDef] = HOTEL_FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.hotels.keys().copied())
    }

    fn row(shop: &Shop, id: u32) -> Option<&Hotel> {
        shop.hotels.get(&id)
    }

    fn value(_shop: &Shop, h: &&Hotel, field: &str) -> Value {
        match field {
            "id" => json!(h.id),
            "phone" => json!(h.phone),
            "address" => json!(h.address),
            "id_country" => json!(h.id_country),
            "id_state" => json!(h.id_state),
            "city" => json!(h.city),
            "zipcode" => json!(h.zipcode),
            "id_default_image" => json!(false),
            "use_global_max_order_date" | "use_global_preparation_time" => json!(1),
            "max_order_date" | "preparation_time" => json!("0000-00-00"),
            "id_category" => json!(h.id_category),
            "email" => json!(h.email),
            "rating" => json!(h.rating),
            "check_in" => json!(h.check_in),
            "check_out" => json!(h.check_out),
            "active" => flag(h.active),
            "latitude" | "longitude" => json!("0.00000000"),
            "map_formated_address" | "map_input_text" => json!(""),
            "active_refund" => json!(0),
            "date_add" => datetime_value(h.date_add),
            "date_upd" => datetime_value(h.date_upd),
            "policies" => json!(h.policies),
            "hotel_name" => json!(h.name),
            "description" => json!(h.description),
            "short_description" => json!(h.short_description),
            _ => Value::Null,
        }
    }

    fn associations(shop: &Shop, h: &&Hotel) -> Map<String, Value> {
        let mut map = Map::new();
        let room_types: Vec<Value> = shop
            .room_types_of_hotel(h.id)
            .map(|rt| json!({ "id": rt.id }))
            .collect();
        if !room_types.is_empty() {
            map.insert("room_types".into(), Value::Array(room_types));
        }
        // The hotel_features association carries string ids in the real answer.
        let features: Vec<Value> = [
            "1", "11", "12", "14", "16", "17", "18", "2", "21", "4", "7", "8", "9",
        ]
        .iter()
        .map(|id| json!({ "id": id }))
        .collect();
        map.insert("hotel_features".into(), Value::Array(features));
        map
    }
}

pub struct HotelRoomTypes;

const HRT_FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_product"),
    plain("id_hotel"),
    plain("adults"),
    plain("children"),
    plain("max_adults"),
    plain("max_children"),
    plain("max_guests"),
    plain("min_los"),
    plain("max_los"),
    plain("date_add"),
    plain("date_upd"),
];

impl Listing for HotelRoomTypes {
    type Row<'a> = &'a RoomType;
    const SINGULAR: &'static str = "hotel_room_type";
    const PLURAL: &'static str = "hotel_room_types";
    const FIELDS: &'static [FieldDef] = HRT_FIELDS;

    // One htl_room_type row per room type; its id equals the room type id here.
    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.room_types.keys().copied())
    }

    fn row(shop: &Shop, id: u32) -> Option<&RoomType> {
        shop.room_types.get(&id)
    }

    fn value(_shop: &Shop, rt: &&RoomType, field: &str) -> Value {
        match field {
            "id" | "id_product" => json!(rt.id),
            "id_hotel" => json!(rt.id_hotel),
            "adults" => json!(rt.adults),
            "children" => json!(rt.children),
            "max_adults" => json!(rt.max_adults),
            "max_children" => json!(rt.max_children),
            "max_guests" => json!(rt.max_guests),
            "min_los" => json!(rt.min_los),
            "max_los" => json!(rt.max_los),
            "date_add" => datetime_value(rt.date_add),
            "date_upd" => datetime_value(rt.date_upd),
            _ => Value::Null,
        }
    }

    fn associations(shop: &Shop, rt: &&RoomType) -> Map<String, Value> {
        let mut map = Map::new();
        let rooms: Vec<Value> = shop
            .rooms_of_type(rt.id)
            .map(|r| json!({ "id": r.id }))
            .collect();
        if !rooms.is_empty() {
            map.insert("hotel_rooms".into(), Value::Array(rooms));
        }
        map
    }
}
