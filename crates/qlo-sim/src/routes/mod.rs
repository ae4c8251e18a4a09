//! Routing a webservice request to its resource, and what generic resources share.

pub(crate) mod bookings;
mod configurations;
mod customers;
mod feature_prices;
mod hotel_ari;
mod hotel_rooms;
mod hotels;
mod order_histories;
mod order_states;
mod orders;
mod room_bookings;
mod room_types;

use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::dispatch::Ctx;
use crate::filters::Query;
use crate::listing::{self, Listing};
use crate::render::{Format, Payload, Reply, WsError};
use crate::request::WsRequest;

/// `GET /api/`: the resources the key may use.
pub fn resource_list(ctx: &Ctx, ws: &WsRequest, allowed: Option<&[String]>) -> Reply {
    match ws.format {
        Format::Json => Reply::ok(crate::resources::list_json(allowed)),
        Format::Xml => {
            let shop_name = ctx
                .state
                .read(|s| s.config("PS_SHOP_NAME").unwrap_or("QloApps").to_owned());
            Reply {
                status: StatusCode::OK,
                payload: Payload::Xml(crate::resources::list_xml(
                    allowed,
                    &ws.base_url,
                    &shop_name,
                )),
                headers: Vec::new(),
            }
        }
    }
}

/// Dispatches to the resource's handler.
pub fn route(ctx: &Ctx, ws: &WsRequest) -> Reply {
    let result = match ws.resource.as_str() {
        "orders" => read_only::<orders::Orders>(ctx, ws),
        "room_bookings" => read_only::<room_bookings::RoomBookings>(ctx, ws),
        "customers" => customers::handle(ctx, ws),
        "bookings" => bookings::handle(ctx, ws),
        "order_histories" => order_histories::handle(ctx, ws),
        "order_states" => read_only::<order_states::OrderStates>(ctx, ws),
        "room_types" => read_only::<room_types::RoomTypes>(ctx, ws),
        "hotel_room_types" => read_only::<hotels::HotelRoomTypes>(ctx, ws),
        "hotels" => read_only::<hotels::Hotels>(ctx, ws),
        "hotel_rooms" => hotel_rooms::handle(ctx, ws),
        "feature_prices" => feature_prices::handle(ctx, ws),
        "hotel_ari" => hotel_ari::handle(ctx, ws),
        "configurations" => read_only::<configurations::Configurations>(ctx, ws),
        _ => not_modelled(ws),
    };
    result.unwrap_or_else(Reply::from)
}

/// A known resource the simulator does not model: lists are empty, ids are missing.
fn not_modelled(ws: &WsRequest) -> Result<Reply, WsError> {
    match (&ws.method, &ws.id) {
        (&Method::GET, None) | (&Method::HEAD, None) => Ok(Reply::ok(json!([]))),
        (&Method::GET, Some(_)) | (&Method::HEAD, Some(_)) => {
            Ok(Reply::empty(StatusCode::NOT_FOUND))
        }
        _ => Err(method_not_allowed(ws)),
    }
}

/// 405 code 25 for a method the simulated key may not use on this resource.
pub fn method_not_allowed(ws: &WsRequest) -> WsError {
    WsError::method_not_allowed(
        25,
        format!(
            "Method {} is not valid for resource \"{}\"",
            ws.method, ws.resource
        ),
    )
}

/// A generic resource the sync only reads.
fn read_only<L: Listing>(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match ws.method {
        Method::GET | Method::HEAD => generic_get::<L>(ctx, ws),
        _ => Err(method_not_allowed(ws)),
    }
}

/// GET of a generic resource: schema, one object, or a list.
pub fn generic_get<L: Listing>(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    if let Some(schema) = ws.param("schema") {
        return schema_reply::<L>(schema);
    }
    let query = Query::parse(&ws.params)?;
    let shop = ctx.state.lock();
    match &ws.id {
        None => listing::list::<L>(&shop, &query),
        Some(raw) => match raw.parse::<u32>() {
            Ok(id) => listing::get_one::<L>(&shop, &query, id),
            Err(_) => Ok(Reply::empty(StatusCode::NOT_FOUND)),
        },
    }
}

/// `?schema=blank|synopsis` in JSON: every field as `""`.
pub fn schema_reply<L: Listing>(schema: &str) -> Result<Reply, WsError> {
    if schema != "blank" && schema != "synopsis" {
        return Err(WsError::bad_request(
            28,
            "Please select a schema of type 'synopsis' to get the whole schema informations (which fields are required, which kind of content...) or 'blank' to get an empty schema to fill before using POST request",
        ));
    }
    let fields: Map<String, Value> = L::FIELDS
        .iter()
        .map(|f| (f.name.to_owned(), json!("")))
        .collect();
    Ok(Reply::ok(json!({ L::SINGULAR: fields })))
}

/// Parses a URL id of a write request.
pub fn url_id(ws: &WsRequest) -> Option<u32> {
    ws.id.as_deref().and_then(|s| s.trim().parse().ok())
}

/// The XML body of a generic write; a JSON body is a 500 code 127 like `SimpleXMLElement`'s.
pub fn xml_input(ws: &WsRequest) -> Result<crate::xml::XmlNode, WsError> {
    let text = ws.body_text();
    if text.trim().is_empty() {
        return Err(WsError::bad_request(
            40,
            "Bad XML: the XML document is empty",
        ));
    }
    crate::xml::parse(&text)
}

/// The in-memory object a generic POST/PUT echoes: fields as sent (strings), `""` for the
/// ones left out.
pub fn echo_fields(
    fields: &[listing::FieldDef],
    entity: &crate::xml::XmlNode,
) -> Map<String, Value> {
    fields
        .iter()
        .map(|f| {
            (
                f.name.to_owned(),
                json!(entity.field(f.name).unwrap_or_default()),
            )
        })
        .collect()
}

/// The id a generic PUT targets: `<id>` is required (400 code 90) and must exist (404 code 92).
pub fn put_target(
    entity: &crate::xml::XmlNode,
    exists: impl Fn(u32) -> bool,
) -> Result<u32, WsError> {
    let id = entity
        .field("id")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| WsError::bad_request(90, "id is required when modifying a resource"))?;
    match id.parse::<u32>() {
        Ok(id) if exists(id) => Ok(id),
        _ => Err(WsError::new(
            StatusCode::NOT_FOUND,
            92,
            format!("Invalid ID: id = {id}"),
        )),
    }
}
