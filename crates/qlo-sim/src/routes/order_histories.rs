//! `order_histories` (`OrderHistory::addWs`): POST XML moves an order's state; the hotel
//! module's hook frees the rooms for Canceled / Refund / Error.

use http::Method;
use serde_json::{json, Value};

use crate::booking::set_order_state;
use crate::dispatch::Ctx;
use crate::listing::{plain, FieldDef, Listing};
use crate::render::{Reply, WsError};
use crate::request::WsRequest;
use crate::routes::{generic_get, method_not_allowed, xml_input};
use crate::state::{OrderHistory, Shop};
use crate::values::datetime_value;

pub struct OrderHistories;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_employee"),
    plain("id_order_state"),
    plain("id_order"),
    plain("date_add"),
];

impl Listing for OrderHistories {
    type Row<'a> = &'a OrderHistory;
    const SINGULAR: &'static str = "order_history";
    const PLURAL: &'static str = "order_histories";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.orders.history_ids())
    }

    fn row(shop: &Shop, id: u32) -> Option<&OrderHistory> {
        shop.orders.history(id)
    }

    fn value(_shop: &Shop, h: &&OrderHistory, field: &str) -> Value {
        match field {
            "id" => json!(h.id),
            "id_employee" => json!(h.id_employee),
            "id_order_state" => json!(h.id_order_state),
            "id_order" => json!(h.id_order),
            "date_add" => datetime_value(h.date_add),
            _ => Value::Null,
        }
    }
}

pub fn handle(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match ws.method {
        Method::GET | Method::HEAD => generic_get::<OrderHistories>(ctx, ws),
        Method::POST => create(ctx, ws),
        _ => Err(method_not_allowed(ws)),
    }
}

/// POST: `<order_history><id_order>..</id_order><id_order_state>..</id_order_state>`; 201
/// echoes `{"id":"3","id_employee":"","id_order_state":4,"id_order":"2","date_add":".."}`.
fn create(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    let doc = xml_input(ws)?;
    let entity = doc.entity().cloned().unwrap_or_default();
    if entity.child("id").is_some() {
        return Err(WsError::bad_request(
            91,
            "id is forbidden when adding a new resource",
        ));
    }
    for name in ["id_order", "id_order_state"] {
        if entity.field(name).filter(|v| !v.is_empty()).is_none() {
            return Err(WsError::bad_request(
                41,
                format!("parameter \"{name}\" required"),
            ));
        }
    }
    let raw_order = entity.field("id_order").unwrap_or_default();
    let id_order: u32 = raw_order.parse().unwrap_or(0);
    let state: u32 = entity
        .field("id_order_state")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut shop = ctx.state.lock();
    if shop.orders.order(id_order).is_none() {
        return Err(WsError::bad_request(
            85,
            "Validation error: \"The order ID is invalid.\"",
        ));
    }
    if shop.order_state(state).is_none() {
        return Err(WsError::bad_request(
            85,
            "Validation error: \"The new order status is invalid.\"",
        ));
    }
    let id = set_order_state(&mut shop, id_order, state).ok_or_else(|| {
        WsError::bad_request(85, "Validation error: \"The order ID is invalid.\"")
    })?;
    let date_add = shop
        .orders
        .history(id)
        .map(|h| h.date_add)
        .unwrap_or_else(|| shop.now());
    Ok(Reply::created(json!({"order_history": {
        "id": id.to_string(),
        "id_employee": entity.field("id_employee").unwrap_or_default(),
        "id_order_state": state,
        "id_order": raw_order,
        "date_add": datetime_value(date_add),
    }})))
}
