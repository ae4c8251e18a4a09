//! `room_types` (`classes/Product.php`, `booking_product=1`). `id_hotel`, `adults` and
//! `children` come from getters, so they cannot be filtered (400 code 34).

use serde_json::{json, Map, Value};

use crate::listing::{getter, i18n, plain, FieldDef, Listing};
use crate::state::{RoomType, Shop};
use crate::values::{datetime_value, flag, money};

pub struct RoomTypes;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    getter("id_hotel"),
    getter("adults"),
    getter("children"),
    plain("id_manufacturer"),
    plain("id_supplier"),
    plain("id_category_default"),
    plain("new"),
    plain("cache_default_attribute"),
    plain("id_default_image"),
    plain("id_tax_rules_group"),
    plain("position_in_category"),
    plain("type"),
    plain("id_shop_default"),
    plain("reference"),
    plain("supplier_reference"),
    plain("location"),
    plain("width"),
    plain("height"),
    plain("depth"),
    plain("weight"),
    plain("quantity_discount"),
    plain("ean13"),
    plain("upc"),
    plain("cache_is_pack"),
    plain("cache_has_attachments"),
    plain("is_virtual"),
    plain("on_sale"),
    plain("online_only"),
    plain("ecotax"),
    plain("minimal_quantity"),
    plain("allow_multiple_quantity"),
    plain("max_quantity"),
    plain("price_calculation_method"),
    plain("price"),
    plain("wholesale_price"),
    plain("unity"),
    plain("unit_price_ratio"),
    plain("additional_shipping_cost"),
    plain("customizable"),
    plain("text_fields"),
    plain("uploadable_files"),
    plain("active"),
    plain("redirect_type"),
    plain("id_product_redirected"),
    plain("available_for_order"),
    plain("available_date"),
    plain("condition"),
    plain("auto_add_to_cart"),
    plain("price_addition_type"),
    plain("show_at_front"),
    plain("show_price"),
    plain("indexed"),
    plain("visibility"),
    plain("advanced_stock_management"),
    plain("date_add"),
    plain("date_upd"),
    plain("pack_stock_type"),
    i18n("meta_description"),
    i18n("meta_keywords"),
    i18n("meta_title"),
    i18n("link_rewrite"),
    i18n("name"),
    i18n("description"),
    i18n("description_short"),
    i18n("available_now"),
    i18n("available_later"),
];

/// Position of a room type among its hotel's room types.
fn position(shop: &Shop, rt: &RoomType) -> usize {
    shop.room_types_of_hotel(rt.id_hotel)
        .take_while(|other| other.id != rt.id)
        .count()
}

fn category(shop: &Shop, rt: &RoomType) -> u32 {
    shop.hotels.get(&rt.id_hotel).map_or(8, |h| h.id_category)
}

impl Listing for RoomTypes {
    type Row<'a> = &'a RoomType;
    const SINGULAR: &'static str = "room_type";
    const PLURAL: &'static str = "room_types";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.room_types.keys().copied())
    }

    fn row(shop: &Shop, id: u32) -> Option<&RoomType> {
        shop.room_types.get(&id)
    }

    fn value(shop: &Shop, rt: &&RoomType, field: &str) -> Value {
        let zero = || money(rust_decimal::Decimal::ZERO);
        match field {
            "id" => json!(rt.id),
            "id_hotel" => json!(rt.id_hotel),
            "adults" => json!(rt.adults),
            "children" => json!(rt.children),
            "id_category_default" => json!(category(shop, rt)),
            "new" => Value::Null,
            "id_default_image" => json!((rt.id - 1) * 4 + 1),
            "id_tax_rules_group" => json!(rt.id_tax_rules_group),
            "position_in_category" => json!(position(shop, rt)),
            "type" => json!("virtual"),
            "id_shop_default"
            | "is_virtual"
            | "minimal_quantity"
            | "available_for_order"
            | "show_at_front"
            | "show_price"
            | "indexed" => json!(1),
            "width" | "height" | "depth" | "weight" | "ecotax" | "wholesale_price"
            | "unit_price_ratio" => zero(),
            "price" => money(rt.price),
            "additional_shipping_cost" => json!("0.00"),
            "active" => flag(rt.active),
            "available_date" => json!("0000-00-00"),
            "condition" => json!("new"),
            "visibility" => json!("both"),
            "date_add" => datetime_value(rt.date_add),
            "date_upd" => datetime_value(rt.date_upd),
            "pack_stock_type" => json!(3),
            "link_rewrite" => json!(rt.link_rewrite),
            "name" => json!(rt.name),
            "description" => json!(rt.description),
            "description_short" => json!(rt.description_short),
            "reference" | "supplier_reference" | "location" | "ean13" | "upc" | "unity"
            | "redirect_type" | "meta_description" | "meta_keywords" | "meta_title"
            | "available_now" | "available_later" => json!(""),
            _ => json!(0),
        }
    }

    fn associations(shop: &Shop, rt: &&RoomType) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert(
            "advance_payments".into(),
            json!([{"id": rt.id, "payment_type": 0, "tax_include": 0, "value": "0.000000", "active": 0, "calculate_from": 0}]),
        );
        let categories: Vec<Value> = [2, 3, 5, 6, 7, category(shop, rt)]
            .iter()
            .map(|id| json!({ "id": id }))
            .collect();
        map.insert("categories".into(), Value::Array(categories));
        let first_image = (rt.id - 1) * 4 + 1;
        let images: Vec<Value> = (first_image..first_image + 4)
            .map(|id| json!({ "id": id }))
            .collect();
        map.insert("images".into(), Value::Array(images));
        map.insert(
            "room_type_features".into(),
            json!([{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]),
        );
        let rooms: Vec<Value> = shop
            .rooms_of_type(rt.id)
            .map(|r| json!({ "id": r.id }))
            .collect();
        if !rooms.is_empty() {
            map.insert("hotel_rooms".into(), Value::Array(rooms));
        }
        let prices: Vec<Value> = shop
            .feature_prices
            .values()
            .filter(|fp| fp.id_product == rt.id)
            .map(|fp| json!({ "id": fp.id }))
            .collect();
        if !prices.is_empty() {
            map.insert("feature_prices".into(), Value::Array(prices));
        }
        let services: Vec<Value> = (5..=10)
            .map(|id| json!({"id": id, "price": null, "id_tax_rules_group": null}))
            .collect();
        map.insert("services".into(), Value::Array(services));
        map
    }
}
