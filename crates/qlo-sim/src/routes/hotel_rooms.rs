//! `hotel_rooms` (`HotelRoomInformation`, JSON nodes `rooms`/`room`): read, and XML
//! POST/PUT (`id_hotel` is not writable: 400 code 93; it follows the room type).

use http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::dispatch::Ctx;
use crate::listing::{plain, FieldDef, Listing};
use crate::render::{Reply, WsError};
use crate::request::WsRequest;
use crate::routes::{echo_fields, generic_get, method_not_allowed, put_target, xml_input};
use crate::state::{Room, Shop, ROOM_ACTIVE};
use crate::values::datetime_value;

pub struct HotelRooms;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_product"),
    plain("id_hotel"),
    plain("room_num"),
    plain("id_status"),
    plain("floor"),
    plain("comment"),
    plain("date_add"),
    plain("date_upd"),
];

impl Listing for HotelRooms {
    type Row<'a> = &'a Room;
    const SINGULAR: &'static str = "room";
    const PLURAL: &'static str = "rooms";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.rooms.keys().copied())
    }

    fn row(shop: &Shop, id: u32) -> Option<&Room> {
        shop.rooms.get(&id)
    }

    fn value(_shop: &Shop, r: &&Room, field: &str) -> Value {
        match field {
            "id" => json!(r.id),
            "id_product" => json!(r.id_room_type),
            "id_hotel" => json!(r.id_hotel),
            "room_num" => json!(r.room_num),
            "id_status" => json!(r.id_status),
            "floor" => json!(r.floor),
            "comment" => json!(r.comment),
            "date_add" => datetime_value(r.date_add),
            "date_upd" => datetime_value(r.date_upd),
            _ => Value::Null,
        }
    }
}

pub fn handle(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match ws.method {
        Method::GET | Method::HEAD => generic_get::<HotelRooms>(ctx, ws),
        Method::POST | Method::PUT => write(ctx, ws),
        _ => Err(method_not_allowed(ws)),
    }
}

fn write(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    let doc = xml_input(ws)?;
    let entity = doc.entity().cloned().unwrap_or_default();
    if entity.child("id_hotel").is_some() {
        return Err(WsError::bad_request(
            93,
            "parameter \"id_hotel\" not writable. Please remove this attribute of this XML",
        ));
    }
    let mut shop = ctx.state.lock();
    let existing = if ws.method == Method::PUT {
        Some(put_target(&entity, |id| shop.rooms.contains_key(&id))?)
    } else if entity.child("id").is_some() {
        return Err(WsError::bad_request(
            91,
            "id is forbidden when adding a new resource",
        ));
    } else {
        None
    };
    for name in ["id_product", "room_num"] {
        if entity.field(name).filter(|v| !v.is_empty()).is_none() {
            return Err(WsError::bad_request(
                41,
                format!("parameter \"{name}\" required"),
            ));
        }
    }
    let id_product: u32 = entity
        .field("id_product")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let Some(id_hotel) = shop.room_types.get(&id_product).map(|rt| rt.id_hotel) else {
        return Err(WsError::bad_request(
            85,
            "Validation error: \"Invalid room type\"",
        ));
    };
    let id_status = entity
        .field("id_status")
        .and_then(|v| v.parse().ok())
        .unwrap_or(ROOM_ACTIVE);
    if !(1..=3).contains(&id_status) {
        return Err(WsError::bad_request(
            85,
            "Validation error: \"Invalid room status\"",
        ));
    }
    let now = shop.now();
    let id = existing.unwrap_or_else(|| shop.rooms.keys().next_back().copied().unwrap_or(0) + 1);
    let date_add = shop.rooms.get(&id).map_or(now, |r| r.date_add);
    // PUT replaces the whole object: optional fields left out become empty.
    shop.rooms.insert(
        id,
        Room {
            id,
            id_room_type: id_product,
            id_hotel,
            room_num: entity.field("room_num").unwrap_or_default(),
            id_status,
            floor: entity.field("floor").unwrap_or_default(),
            comment: entity.field("comment").unwrap_or_default(),
            date_add,
            date_upd: now,
        },
    );
    let mut echo = echo_fields(FIELDS, &entity);
    echo.insert("id".into(), json!(id.to_string()));
    echo.insert("id_hotel".into(), json!(id_hotel));
    echo.insert("date_add".into(), datetime_value(date_add));
    echo.insert("date_upd".into(), datetime_value(now));
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(Reply::with_status(status, json!({ "room": echo })))
}
