//! `bookings` (`WebserviceSpecificManagementBookings`, v1.6.1): the booking id is the order
//! id. GET lists all order ids (no filters), GET one, POST creates, PUT replaces room
//! lines, DELETE is forbidden (405 code 101).

mod create;
mod input;
pub(crate) use input::BookingRequest;
mod output;
mod plan;
mod update;

use http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::dispatch::Ctx;
use crate::render::{Reply, WsError};
use crate::request::WsRequest;

pub fn handle(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match ws.method {
        Method::GET | Method::HEAD => get(ctx, ws),
        Method::POST | Method::PUT => {
            let req = input::parse(&ws.body_text())?;
            let mut shop = ctx.state.lock();
            let written = if ws.method == Method::POST {
                create::create(&mut shop, &req)
            } else {
                update::update(&mut shop, &req)
            };
            match written {
                Ok(id) => answer(&shop, id),
                // on PHP 8 the warnings of reading the body come before the refusal
                // (`real/put_booking_*_STRICTKEY.json`)
                Err(refusal) if ctx.settings.stock_php8() => {
                    Err(crate::php8::after_untaxed_room_warnings(refusal, &req))
                }
                Err(refusal) => Err(refusal),
            }
        }
        _ => Err(WsError::method_not_allowed(
            101,
            format!("Method {} is not allowed for this resource.", ws.method),
        )),
    }
}

fn answer(shop: &crate::state::Shop, id: u32) -> Result<Reply, WsError> {
    output::booking_json(shop, id)
        .map(Reply::ok)
        .ok_or_else(|| WsError::booking("Unable to read the booking back."))
}

fn get(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    if ws.param("schema").is_some() {
        return Ok(Reply::ok(schema_blank()));
    }
    let shop = ctx.state.lock();
    match &ws.id {
        None => {
            let ids: Vec<Value> = shop
                .orders
                .order_ids()
                .map(|id| json!({ "id": id }))
                .collect();
            if ids.is_empty() {
                return Ok(Reply::ok(json!([])));
            }
            Ok(Reply::ok(json!({ "bookings": ids })))
        }
        Some(raw) => Ok(raw
            .parse::<u32>()
            .ok()
            .and_then(|id| output::booking_json(&shop, id))
            .map(Reply::ok)
            .unwrap_or_else(|| Reply::empty(StatusCode::NOT_FOUND))),
    }
}

/// `bookings?schema=blank` (`renderJsonFields`; derived/bookings-schema-blank.json).
fn schema_blank() -> Value {
    json!({"booking": {
        "id_property": "", "currency": "", "booking_status": "", "payment_status": "",
        "source": "", "booking_date": "", "remark": "", "id_language": "",
        "associations": {
            "customer_detail": {"id_customer": "", "firstname": "", "lastname": "", "email": "",
                "phone": "", "address": "", "city": "", "zip": "", "state_code": "", "country_code": ""},
            "price_details": {"total_paid": "", "total_price_with_tax": ""},
            "payment_detail": {"payment_type": "", "payment_method": "", "transaction_id": ""},
            "cart_rules": [{"name": "", "code": "", "type": "", "value": "", "currency": ""}],
            "room_types": [{"id_room_type": "", "checkin_date": "", "checkout_date": "",
                "number_of_rooms": "", "rooms": [{"id_room": "", "adults": "", "child": "",
                "child_ages": [], "unit_price_without_tax": "", "id_tax_rules_group": "",
                "total_tax": "",
                "services": [{"id_service": "", "quantity": "", "price_mode": "", "name": "",
                    "unit_price_without_tax": "", "total_price_without_tax": "",
                    "id_tax_rules_group": "", "total_tax": ""}],
                "facilities": [{"id_facility": "", "id_option": "", "name": "",
                    "unit_price_without_tax": "", "id_tax_rules_group": ""}]}]}]
        }
    }})
}
