//! `hotel_ari` (`WebserviceSpecificManagementHotelAri`, v1.6.0+): availability, rates and
//! inventory of a hotel for a date range, computed from rooms, room lines and feature
//! prices. POST with an XML body; GET only with `schema` (else 405 code 23).

use chrono::NaiveDate;
use http::Method;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::availability::{blocking_lines, free_on};
use crate::dispatch::Ctx;
use crate::pricing::{nightly_price, nights, tax_of};
use crate::render::{Reply, WsError};
use crate::request::WsRequest;
use crate::routes::xml_input;
use crate::state::{RoomType, Shop};
use crate::values::{date, date_midnight, number, parse_date};

/// The parsed request.
struct AriRequest {
    id_hotel: u32,
    id_room_type: Option<u32>,
    raw_from: String,
    raw_to: String,
    from: NaiveDate,
    to: NaiveDate,
    available: bool,
    booked: bool,
    partial: bool,
    unavailable: bool,
    breakdown: bool,
    occupancies: usize,
}

pub fn handle(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match (&ws.method, ws.param("schema")) {
        (&Method::GET, Some(_)) => Ok(Reply::ok(json!({"hotel_ari": {
            "id_hotel": "", "id_room_type": "", "date_from": "", "date_to": "",
            "get_available_rooms": "", "get_booked_rooms": "", "get_partial_available_rooms": "",
            "get_unavailable_rooms": "", "date_wise_breakdown": "",
            "associations": {"room_occupancies": [{"adults": "", "children": ""}]}
        }}))),
        (&Method::POST, _) => {
            let req = parse(ws)?;
            let shop = ctx.state.lock();
            if !shop.hotels.contains_key(&req.id_hotel) {
                return Err(WsError::booking("Invalid hotel id (id_hotel)."));
            }
            Ok(Reply::ok(answer(&shop, &req)))
        }
        _ => Err(WsError::method_not_allowed(
            23,
            format!(
                "Method {} is not allowed for this resource. Use POST to search.",
                ws.method
            ),
        )),
    }
}

fn parse(ws: &WsRequest) -> Result<AriRequest, WsError> {
    let doc = xml_input(ws)?;
    let e = doc
        .child("hotel_ari")
        .or_else(|| doc.entity())
        .cloned()
        .unwrap_or_default();
    let flag = |name: &str| e.field(name).as_deref() == Some("1");
    let id_hotel = e
        .field("id_hotel")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WsError::booking("Invalid hotel id (id_hotel)."))?;
    let raw_from = e.field("date_from").unwrap_or_default();
    let raw_to = e.field("date_to").unwrap_or_default();
    let from =
        parse_date(&raw_from).ok_or_else(|| WsError::booking("Invalid date from (date_from)."))?;
    let to = parse_date(&raw_to).ok_or_else(|| WsError::booking("Invalid date to (date_to)."))?;
    if to <= from {
        return Err(WsError::booking("Date to must be after date from."));
    }
    let (mut available, booked, partial, unavailable) = (
        flag("get_available_rooms"),
        flag("get_booked_rooms"),
        flag("get_partial_available_rooms"),
        flag("get_unavailable_rooms"),
    );
    if !(available || booked || partial || unavailable) {
        available = true;
    }
    let occupancies = e
        .child("associations")
        .and_then(|a| a.child("room_occupancies"))
        .map_or(0, |o| o.children.len());
    Ok(AriRequest {
        id_hotel,
        id_room_type: e
            .field("id_room_type")
            .and_then(|v| v.parse().ok())
            .filter(|v| *v > 0),
        raw_from,
        raw_to,
        from,
        to,
        available,
        booked,
        partial,
        unavailable,
        breakdown: flag("date_wise_breakdown"),
        occupancies,
    })
}

fn answer(shop: &Shop, req: &AriRequest) -> Value {
    if !req.breakdown {
        return json!({ "hotel_ari": range_object(shop, req, req.from, req.to, &req.raw_from, &req.raw_to, false) });
    }
    let nights: Vec<Value> = nights(req.from, req.to)
        .map(|night| {
            let next = night.succ_opt().unwrap_or(night);
            range_object(shop, req, night, next, &date(night), &date(next), true)
        })
        .collect();
    json!({ "hotel_aris": nights })
}

/// One result object for `from..to`.
fn range_object(
    shop: &Shop,
    req: &AriRequest,
    from: NaiveDate,
    to: NaiveDate,
    raw_from: &str,
    raw_to: &str,
    compact: bool,
) -> Value {
    let room_types: Vec<&RoomType> = shop
        .room_types_of_hotel(req.id_hotel)
        .filter(|rt| rt.active && req.id_room_type.is_none_or(|id| id == rt.id))
        .collect();
    let mut totals = [0usize; 4];
    let mut total_rooms = 0;
    let mut types_json = Vec::new();
    for rt in room_types {
        let maps = classify(shop, rt, from, to, compact);
        total_rooms += shop.rooms_of_type(rt.id).count();
        let mut rooms = Map::new();
        let wanted = [req.available, req.booked, req.partial, req.unavailable];
        let names = ["available", "booked", "partially_available", "unavailable"];
        for (i, map) in maps.into_iter().enumerate() {
            if wanted[i] {
                totals[i] += map.len();
                rooms.insert(
                    names[i].into(),
                    if map.is_empty() {
                        json!([])
                    } else {
                        Value::Object(map)
                    },
                );
            }
        }
        let night_count = Decimal::from(nights(from, to).count().max(1));
        // Visitor group: the API has no customer. Auto-added services count in these prices.
        let total: Decimal = nights(from, to)
            .map(|n| nightly_price(shop, rt, n, &[1]) + rt.auto_services_per_night)
            .sum();
        let base = (total / night_count).round_dp(2);
        let occupancies = Decimal::from(req.occupancies.max(1));
        let total = total * occupancies;
        types_json.push(json!({
            "id_room_type": rt.id,
            "base_price": number(base),
            "base_price_with_tax": number(base + tax_of(base)),
            "total_price": number(total),
            "total_price_with_tax": number(total + tax_of(total)),
            "name": rt.name,
            "rooms": rooms,
        }));
    }
    let mut out = Map::new();
    out.insert("id_hotel".into(), json!(req.id_hotel.to_string()));
    out.insert("date_from".into(), json!(raw_from));
    out.insert("date_to".into(), json!(raw_to));
    out.insert(
        "currency".into(),
        json!(shop
            .currency(1)
            .map(|c| c.iso_code.clone())
            .unwrap_or_default()),
    );
    out.insert("total_rooms".into(), json!(total_rooms));
    let counters = [
        (req.available, "total_available_rooms", totals[0]),
        (req.unavailable, "total_unavailable_rooms", totals[3]),
        (req.partial, "total_partial_available_rooms", totals[2]),
        (req.booked, "total_booked_rooms", totals[1]),
    ];
    for (wanted, name, count) in counters {
        if wanted {
            out.insert(name.into(), json!(count));
        }
    }
    out.insert("room_types".into(), Value::Array(types_json));
    Value::Object(out)
}

/// Rooms of a room type as [available, booked, partially available, unavailable] maps keyed
/// by room id.
fn classify(
    shop: &Shop,
    rt: &RoomType,
    from: NaiveDate,
    to: NaiveDate,
    compact: bool,
) -> [Map<String, Value>; 4] {
    let mut maps: [Map<String, Value>; 4] = Default::default();
    for room in shop.rooms_of_type(rt.id) {
        let key = room.id.to_string();
        let short = json!({"id_room": room.id, "room_num": room.room_num});
        if !room.is_active() {
            let v = if compact {
                short
            } else {
                json!({"id_product": rt.id, "id_room": room.id, "id_hotel": room.id_hotel, "room_num": room.room_num})
            };
            maps[3].insert(key, v);
            continue;
        }
        let lines: Vec<_> = blocking_lines(shop, room.id, from, to).collect();
        if lines.is_empty() {
            let v = if compact {
                short
            } else {
                json!({"id_room": room.id, "id_product": rt.id, "id_hotel": room.id_hotel,
                    "room_num": room.room_num, "room_comment": room.comment,
                    "max_adult": rt.max_adults, "max_children": rt.max_children,
                    "max_occupancy": rt.max_guests})
            };
            maps[0].insert(key, v);
            continue;
        }
        let detail: Vec<Value> = lines
            .iter()
            .map(|l| json!({"id_htl_booking": l.id, "date_from": date_midnight(l.date_from),
                "date_to": date_midnight(l.date_to), "id_customer": l.id_customer,
                "booking_type": l.booking_type, "booking_status": l.id_status, "comment": l.comment}))
            .collect();
        let v = if compact {
            short.clone()
        } else {
            json!({"id_product": rt.id, "id_room": room.id, "id_hotel": room.id_hotel,
                "room_num": room.room_num, "detail": detail})
        };
        maps[1].insert(key.clone(), v);
        let free_nights: Vec<NaiveDate> = nights(from, to)
            .filter(|n| free_on(shop, room.id, *n))
            .collect();
        if !free_nights.is_empty() {
            let v = if compact {
                short
            } else {
                let dates: Vec<Value> = free_nights
                    .iter()
                    .map(|n| json!({"date_from": date(*n), "date_to": date(n.succ_opt().unwrap_or(*n))}))
                    .collect();
                json!({"id_room": room.id, "id_product": rt.id, "id_hotel": room.id_hotel,
                    "room_num": room.room_num, "available_dates": dates})
            };
            maps[2].insert(key, v);
        }
    }
    maps
}
