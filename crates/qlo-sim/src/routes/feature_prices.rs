//! `feature_prices` (`HotelRoomTypeFeaturePricing`): read, XML POST (201) / PUT (full
//! replacement, 200), DELETE (200, empty body).

use chrono::NaiveDate;
use http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::dispatch::Ctx;
use crate::listing::{i18n, plain, FieldDef, Listing};
use crate::render::{Reply, WsError};
use crate::request::WsRequest;
use crate::routes::{echo_fields, generic_get, method_not_allowed, put_target, url_id, xml_input};
use crate::state::{FeaturePrice, Shop};
use crate::values::{date, datetime_value, flag, money, parse_date};
use crate::xml::XmlNode;

pub struct FeaturePrices;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_product"),
    plain("id_cart"),
    plain("id_guest"),
    plain("id_room"),
    plain("date_from"),
    plain("date_to"),
    plain("impact_way"),
    plain("is_special_days_exists"),
    plain("date_selection_type"),
    plain("special_days"),
    plain("impact_type"),
    plain("impact_value"),
    plain("active"),
    plain("date_add"),
    plain("date_upd"),
    i18n("feature_price_name"),
];

impl Listing for FeaturePrices {
    type Row<'a> = &'a FeaturePrice;
    const SINGULAR: &'static str = "feature_price";
    const PLURAL: &'static str = "feature_prices";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.feature_prices.keys().copied())
    }

    fn row(shop: &Shop, id: u32) -> Option<&FeaturePrice> {
        shop.feature_prices.get(&id)
    }

    fn value(_shop: &Shop, fp: &&FeaturePrice, field: &str) -> Value {
        match field {
            "id" => json!(fp.id),
            "id_product" => json!(fp.id_product),
            "id_cart" => json!(fp.id_cart),
            "id_guest" => json!(fp.id_guest),
            "id_room" => json!(fp.id_room),
            "date_from" => json!(date(fp.date_from)),
            "date_to" => json!(date(fp.date_to)),
            "impact_way" => json!(fp.impact_way),
            "is_special_days_exists" => flag(fp.is_special_days_exists),
            "date_selection_type" => json!(fp.date_selection_type),
            "special_days" => json!(fp.special_days),
            "impact_type" => json!(fp.impact_type),
            "impact_value" => money(fp.impact_value),
            "active" => flag(fp.active),
            "date_add" => datetime_value(fp.date_add),
            "date_upd" => datetime_value(fp.date_upd),
            "feature_price_name" => json!(fp.name),
            _ => Value::Null,
        }
    }

    fn associations(_shop: &Shop, fp: &&FeaturePrice) -> serde_json::Map<String, Value> {
        let mut map = serde_json::Map::new();
        if !fp.groups.is_empty() {
            let groups: Vec<Value> = fp.groups.iter().map(|g| json!({ "id": g })).collect();
            map.insert("groups".into(), Value::Array(groups));
        }
        map
    }
}

pub fn handle(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match ws.method {
        Method::GET | Method::HEAD => generic_get::<FeaturePrices>(ctx, ws),
        Method::POST | Method::PUT => write(ctx, ws),
        Method::DELETE => {
            let mut shop = ctx.state.lock();
            match url_id(ws).and_then(|id| shop.feature_prices.remove(&id)) {
                Some(_) => Ok(Reply::empty(StatusCode::OK)),
                None => Err(WsError::new(
                    StatusCode::NOT_FOUND,
                    87,
                    format!("Id(s) not exists: {}", ws.id.clone().unwrap_or_default()),
                )),
            }
        }
        _ => Err(method_not_allowed(ws)),
    }
}

fn required(entity: &XmlNode) -> Result<(), WsError> {
    for name in [
        "id_product",
        "feature_price_name",
        "date_selection_type",
        "date_from",
        "impact_way",
        "impact_type",
        "impact_value",
    ] {
        if entity.field(name).filter(|v| !v.is_empty()).is_none() {
            return Err(WsError::bad_request(
                41,
                format!("parameter \"{name}\" required"),
            ));
        }
    }
    Ok(())
}

fn invalid(field: &str) -> WsError {
    WsError::bad_request(
        85,
        format!("Validation error: \"Property HotelRoomTypeFeaturePricing->{field} is not valid\""),
    )
}

fn number(entity: &XmlNode, name: &str, default: u32) -> Result<u32, WsError> {
    match entity.field(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| invalid(name)),
    }
}

fn write(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    let doc = xml_input(ws)?;
    let entity = doc.entity().cloned().unwrap_or_default();
    let mut shop = ctx.state.lock();
    let existing = if ws.method == Method::PUT {
        Some(put_target(&entity, |id| {
            shop.feature_prices.contains_key(&id)
        })?)
    } else if entity.child("id").is_some() {
        return Err(WsError::bad_request(
            91,
            "id is forbidden when adding a new resource",
        ));
    } else {
        None
    };
    required(&entity)?;
    let id_product = number(&entity, "id_product", 0)?;
    if !shop.room_types.contains_key(&id_product) {
        return Err(invalid("id_product"));
    }
    let date_selection_type = number(&entity, "date_selection_type", 1)?;
    let impact_way = number(&entity, "impact_way", 3)?;
    let impact_type = number(&entity, "impact_type", 2)?;
    if !(1..=2).contains(&date_selection_type) {
        return Err(invalid("date_selection_type"));
    }
    if !(1..=3).contains(&impact_way) || !(1..=2).contains(&impact_type) {
        return Err(invalid("impact_way"));
    }
    let date_from = entity
        .field("date_from")
        .as_deref()
        .and_then(parse_date)
        .ok_or_else(|| invalid("date_from"))?;
    let date_to: NaiveDate = match entity.field("date_to").filter(|v| !v.is_empty()) {
        Some(v) => parse_date(&v).ok_or_else(|| invalid("date_to"))?,
        None => date_from,
    };
    if date_to < date_from {
        return Err(invalid("date_to"));
    }
    let impact_value = entity
        .field("impact_value")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| invalid("impact_value"))?;
    let is_special = entity.field("is_special_days_exists").as_deref() == Some("1");
    let special_days = entity.field("special_days").unwrap_or_default();
    if is_special {
        let days: Vec<String> =
            serde_json::from_str(&special_days).map_err(|_| invalid("special_days"))?;
        let known = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        if days.is_empty()
            || days
                .iter()
                .any(|d| !known.contains(&d.to_lowercase().as_str()))
        {
            return Err(invalid("special_days"));
        }
    }
    let groups: Vec<u32> = entity
        .association_ids("groups")
        .iter()
        .filter_map(|g| g.parse().ok())
        .collect();
    let now = shop.now();
    let id = existing.unwrap_or_else(|| shop.next_feature_price_id());
    let date_add = shop.feature_prices.get(&id).map_or(now, |fp| fp.date_add);
    shop.feature_prices.insert(
        id,
        FeaturePrice {
            id,
            id_product,
            id_cart: number(&entity, "id_cart", 0)?,
            id_guest: number(&entity, "id_guest", 0)?,
            id_room: number(&entity, "id_room", 0)?,
            name: entity.field("feature_price_name").unwrap_or_default(),
            date_selection_type,
            date_from,
            date_to,
            impact_way,
            impact_type,
            impact_value,
            is_special_days_exists: is_special,
            special_days,
            // `active` defaults to 0 in the table when left out.
            active: entity.field("active").as_deref() == Some("1"),
            groups,
            date_add,
            date_upd: now,
        },
    );
    let mut echo = echo_fields(FIELDS, &entity);
    echo.insert("id".into(), json!(id.to_string()));
    echo.insert("date_add".into(), datetime_value(date_add));
    echo.insert("date_upd".into(), datetime_value(now));
    let single = ws
        .param("language")
        .is_some_and(|l| l.trim().parse::<u32>().is_ok());
    if !(single || shop.single_language) {
        let name = echo.get("feature_price_name").cloned().unwrap_or_default();
        echo.insert(
            "feature_price_name".into(),
            json!([{ "id": "1", "value": name }]),
        );
    }
    let groups: Vec<Value> = entity
        .association_ids("groups")
        .into_iter()
        .map(|g| json!({ "id": g }))
        .collect();
    if !groups.is_empty() {
        echo.insert("associations".into(), json!({ "groups": groups }));
    }
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(Reply::with_status(status, json!({ "feature_price": echo })))
}
