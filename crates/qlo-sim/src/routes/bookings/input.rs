//! The body of `POST`/`PUT bookings`: JSON or XML with a top-level `booking`, associations
//! nested or at top level (`formatRequestData` merges them), lists as arrays or as
//! `{"room_type":[..]}`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::render::WsError;
use crate::values::{decimal_of, string_of, u32_of};

/// `customer_detail`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerDetail {
    pub id_customer: Option<u32>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One `rooms[]` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomRequest {
    pub id_room: Option<u32>,
    /// `adult`, singular (what `formatOccupancyInRequestData` reads; `adults` is ignored).
    pub adult: Option<u32>,
    pub child: Option<u32>,
    pub child_ages: Option<Vec<u32>>,
    /// Whole-stay price excluding tax.
    pub unit_price_without_tax: Option<Decimal>,
    /// Neither `id_tax_rules_group` nor a non-empty `total_tax`: on PHP 8
    /// `formatRoomInRequestData` warns `Undefined array key "total_tax"` for such a room.
    pub untaxed: bool,
}

/// One `room_types[]` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomTypeRequest {
    pub id_room_type: Option<u32>,
    pub checkin_date: Option<String>,
    pub checkout_date: Option<String>,
    pub number_of_rooms: Option<u32>,
    pub rooms: Option<Vec<RoomRequest>>,
}

/// A parsed booking body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookingRequest {
    pub id: Option<u32>,
    pub id_property: Option<u32>,
    pub currency: Option<String>,
    pub booking_status: Option<u32>,
    pub payment_status: Option<u32>,
    pub source: Option<String>,
    pub booking_date: Option<String>,
    pub remark: Option<String>,
    pub id_language: Option<u32>,
    pub customer: Option<CustomerDetail>,
    pub total_paid: Option<Decimal>,
    pub payment_type: Option<String>,
    pub payment_method: Option<String>,
    pub transaction_id: Option<String>,
    pub room_types: Vec<RoomTypeRequest>,
}

/// Reads the body: JSON first (`json_decode`), then XML.
pub fn parse(body: &str) -> Result<BookingRequest, WsError> {
    let booking = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(mut top)) => top
            .remove("booking")
            .ok_or_else(|| WsError::booking("Invalid request: booking data not found."))?,
        Ok(_) => return Err(WsError::booking("Invalid request: booking data not found.")),
        Err(_) => {
            let doc = crate::xml::parse(body).map_err(|_| {
                WsError::booking("Invalid request: the body is neither JSON nor XML.")
            })?;
            let node = if doc.name == "booking" {
                Some(&doc)
            } else {
                doc.child("booking")
            };
            node.map(crate::xml::XmlNode::to_json)
                .ok_or_else(|| WsError::booking("Invalid request: booking data not found."))?
        }
    };
    let Value::Object(mut map) = booking else {
        return Err(WsError::booking("Invalid request: booking data not found."));
    };
    if let Some(Value::Object(assoc)) = map.remove("associations") {
        for (k, v) in assoc {
            map.entry(k).or_insert(v);
        }
    }
    Ok(from_map(&map))
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key)
        .and_then(string_of)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn id(map: &Map<String, Value>, key: &str) -> Option<u32> {
    map.get(key).and_then(u32_of)
}

/// A list given as an array, as `{"singular": [..]}` / `{"singular": {..}}`, or as one object.
pub fn list_of(v: Option<&Value>, singular: &str) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(obj)) => match obj.get(singular) {
            Some(Value::Array(items)) => items.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ if obj.is_empty() => Vec::new(),
            _ => vec![Value::Object(obj.clone())],
        },
        _ => Vec::new(),
    }
}

fn from_map(map: &Map<String, Value>) -> BookingRequest {
    let empty = Map::new();
    let obj = |key: &str| match map.get(key) {
        Some(Value::Object(o)) => o,
        _ => &empty,
    };
    let customer = match map.get("customer_detail") {
        Some(Value::Object(c)) => Some(CustomerDetail {
            id_customer: id(c, "id_customer").filter(|i| *i > 0),
            firstname: text(c, "firstname"),
            lastname: text(c, "lastname"),
            email: text(c, "email"),
            phone: text(c, "phone"),
        }),
        _ => None,
    };
    let prices = obj("price_details");
    let payment = obj("payment_detail");
    let room_types = list_of(map.get("room_types"), "room_type")
        .iter()
        .filter_map(Value::as_object)
        .map(room_type)
        .collect();
    BookingRequest {
        id: id(map, "id"),
        id_property: id(map, "id_property"),
        currency: text(map, "currency"),
        booking_status: id(map, "booking_status"),
        payment_status: id(map, "payment_status"),
        source: text(map, "source"),
        booking_date: text(map, "booking_date"),
        remark: text(map, "remark"),
        id_language: id(map, "id_language"),
        customer,
        total_paid: prices.get("total_paid").and_then(decimal_of),
        payment_type: text(payment, "payment_type"),
        payment_method: text(payment, "payment_method"),
        transaction_id: text(payment, "transaction_id"),
        room_types,
    }
}

fn room_type(m: &Map<String, Value>) -> RoomTypeRequest {
    let rooms = m.get("rooms").map(|r| {
        list_of(Some(r), "room")
            .iter()
            .filter_map(Value::as_object)
            .map(|room| RoomRequest {
                id_room: id(room, "id_room").filter(|i| *i > 0),
                adult: id(room, "adult"),
                child: id(room, "child"),
                child_ages: room.get("child_ages").map(|a| {
                    list_of(Some(a), "child_age")
                        .iter()
                        .filter_map(u32_of)
                        .collect()
                }),
                unit_price_without_tax: room.get("unit_price_without_tax").and_then(decimal_of),
                untaxed: !room.contains_key("id_tax_rules_group")
                    && room
                        .get("total_tax")
                        .and_then(string_of)
                        .is_none_or(|t| t.is_empty() || t == "0"),
            })
            .collect()
    });
    RoomTypeRequest {
        id_room_type: id(m, "id_room_type"),
        checkin_date: text(m, "checkin_date"),
        checkout_date: text(m, "checkout_date"),
        number_of_rooms: id(m, "number_of_rooms"),
        rooms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_sample_request() {
        let body = include_str!("../../../tests/fixtures/real/post_booking_request.json");
        let req = parse(body).expect("sample parses");
        assert_eq!(req.id_property, Some(1));
        assert_eq!(req.currency.as_deref(), Some("USD"));
        assert_eq!(req.room_types.len(), 1);
        let rooms = req.room_types[0].rooms.clone().expect("rooms");
        // The sample sends `adults`, which QloApps ignores.
        assert_eq!(rooms[0].adult, None);
        assert!(rooms[0].untaxed, "the sample sends no total_tax");
        assert_eq!(
            req.customer.and_then(|c| c.email).as_deref(),
            Some("jane.tester@example.com")
        );
    }

    #[test]
    fn reads_xml_bodies() {
        let body = "<qloapps><booking><id_property>1</id_property><currency>USD</currency>\
            <associations><room_types><room_type><id_room_type>2</id_room_type>\
            <checkin_date>2026-01-01</checkin_date><checkout_date>2026-01-03</checkout_date>\
            <number_of_rooms>1</number_of_rooms></room_type></room_types></associations>\
            </booking></qloapps>";
        let req = parse(body).expect("xml parses");
        assert_eq!(req.room_types[0].id_room_type, Some(2));
        assert_eq!(req.room_types[0].rooms, None);
    }
}
