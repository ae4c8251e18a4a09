//! `customers` (`classes/Customer.php`): reads with filters, XML create.

use http::Method;
use serde_json::{json, Map, Value};

use crate::booking::random_hex;
use crate::dispatch::Ctx;
use crate::filters::{FilterOp, Query};
use crate::listing::{id_filter, plain, CandidateOrder, Candidates, FieldDef, Listing};
use crate::render::{Reply, WsError};
use crate::request::WsRequest;
use crate::routes::{generic_get, method_not_allowed, xml_input};
use crate::state::{Customer, Shop};
use crate::values::{datetime_value, flag};

pub struct Customers;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_default_group"),
    plain("id_lang"),
    plain("newsletter_date_add"),
    plain("ip_registration_newsletter"),
    plain("last_passwd_gen"),
    plain("secure_key"),
    plain("deleted"),
    plain("passwd"),
    plain("lastname"),
    plain("firstname"),
    plain("email"),
    plain("phone"),
    plain("id_gender"),
    plain("birthday"),
    plain("newsletter"),
    plain("optin"),
    plain("website"),
    plain("company"),
    plain("siret"),
    plain("ape"),
    plain("outstanding_allow_amount"),
    plain("show_public_prices"),
    plain("id_risk"),
    plain("max_payment_days"),
    plain("active"),
    plain("note"),
    plain("is_guest"),
    plain("id_shop"),
    plain("id_shop_group"),
    plain("date_add"),
    plain("date_upd"),
];

impl Listing for Customers {
    type Row<'a> = &'a Customer;
    const SINGULAR: &'static str = "customer";
    const PLURAL: &'static str = "customers";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.customers.ids())
    }

    fn row(shop: &Shop, id: u32) -> Option<&Customer> {
        shop.customers.get(id)
    }

    fn value(_shop: &Shop, c: &&Customer, field: &str) -> Value {
        match field {
            "id" => json!(c.id),
            "id_default_group" => json!(c.id_default_group),
            "id_lang" => json!(c.id_lang),
            "newsletter_date_add" | "last_passwd_gen" => datetime_value(c.date_add),
            "ip_registration_newsletter" | "website" | "siret" | "ape" => Value::Null,
            "secure_key" => json!(c.secure_key),
            "deleted" => flag(c.deleted),
            "passwd" => json!(c.passwd),
            "lastname" => json!(c.lastname),
            "firstname" => json!(c.firstname),
            "email" => json!(c.email),
            "phone" => json!(c.phone),
            "id_gender" => json!(c.id_gender),
            "birthday" => json!(c.birthday),
            "newsletter" => flag(c.newsletter),
            "optin" => flag(c.optin),
            "company" => json!(c.company),
            "outstanding_allow_amount" => json!("0.000000"),
            "show_public_prices" | "id_risk" | "max_payment_days" => json!(0),
            "active" => flag(c.active),
            "note" => json!(c.note),
            "is_guest" => flag(c.is_guest),
            "id_shop" | "id_shop_group" => json!(1),
            "date_add" => datetime_value(c.date_add),
            "date_upd" => datetime_value(c.date_upd),
            _ => Value::Null,
        }
    }

    fn associations(_shop: &Shop, c: &&Customer) -> Map<String, Value> {
        let mut map = Map::new();
        if !c.groups.is_empty() {
            let groups: Vec<Value> = c.groups.iter().map(|g| json!({ "id": g })).collect();
            map.insert("groups".into(), Value::Array(groups));
        }
        map
    }

    fn candidates<'a>(shop: &'a Shop, query: &Query) -> Option<Candidates<'a>> {
        if let Some(ids) = id_filter(query) {
            return Some(Candidates {
                ids: Box::new(ids.into_iter()),
                order: CandidateOrder::IdAsc,
            });
        }
        let emails = query
            .filters
            .iter()
            .find_map(|f| match (&f.field[..], &f.op) {
                ("email", FilterOp::AnyOf(alts)) => Some(alts.clone()),
                _ => None,
            })?;
        let mut ids: Vec<u32> = shop
            .customers
            .iter()
            .filter(|c| {
                emails
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(c.email.trim()))
            })
            .map(|c| c.id)
            .collect();
        ids.sort_unstable();
        Some(Candidates {
            ids: Box::new(ids.into_iter()),
            order: CandidateOrder::IdAsc,
        })
    }
}

pub fn handle(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    match ws.method {
        Method::GET | Method::HEAD => generic_get::<Customers>(ctx, ws),
        Method::POST => create(ctx, ws),
        _ => Err(method_not_allowed(ws)),
    }
}

/// POST XML: `firstname`, `lastname`, `email`, `passwd` required (400 code 41).
fn create(ctx: &Ctx, ws: &WsRequest) -> Result<Reply, WsError> {
    let doc = xml_input(ws)?;
    let entity = doc.entity().cloned().unwrap_or_default();
    if entity.child("id").is_some() {
        return Err(WsError::bad_request(
            91,
            "id is forbidden when adding a new resource",
        ));
    }
    let mut shop = ctx.state.lock();
    let phone_required = shop.config("PS_ONE_PHONE_AT_LEAST") == Some("1");
    let mut required = vec!["lastname", "firstname", "email", "passwd"];
    if phone_required {
        required.push("phone");
    }
    for name in required {
        if entity.field(name).filter(|v| !v.is_empty()).is_none() {
            return Err(WsError::bad_request(
                41,
                format!("parameter \"{name}\" required"),
            ));
        }
    }
    let text = |name: &str| entity.field(name).unwrap_or_default();
    let email = text("email");
    if !email.contains('@') {
        return Err(WsError::bad_request(
            85,
            "Validation error: \"Property Customer->email is not valid\"",
        ));
    }
    let now = shop.now();
    let mut groups: Vec<u32> = entity
        .association_ids("groups")
        .iter()
        .filter_map(|g| g.parse().ok())
        .collect();
    let id_default_group = text("id_default_group").parse().unwrap_or(3);
    if groups.is_empty() {
        groups.push(id_default_group);
    }
    let passwd = format!("$2y$10${}", random_hex(53));
    let secure_key = random_hex(32);
    let id = shop.customers.insert(Customer {
        id: 0,
        firstname: text("firstname"),
        lastname: text("lastname"),
        email,
        phone: text("phone"),
        passwd: passwd.clone(),
        secure_key: secure_key.clone(),
        id_default_group,
        groups,
        id_lang: text("id_lang").parse().unwrap_or(1),
        id_gender: text("id_gender").parse().unwrap_or(0),
        birthday: entity
            .field("birthday")
            .unwrap_or_else(|| "0000-00-00".into()),
        newsletter: text("newsletter") == "1",
        optin: text("optin") == "1",
        active: entity.field("active").is_none_or(|a| a != "0"),
        is_guest: text("is_guest") == "1",
        deleted: false,
        company: text("company"),
        note: text("note"),
        date_add: now,
        date_upd: now,
    });
    let mut echo = crate::routes::echo_fields(FIELDS, &entity);
    echo.insert("id".into(), json!(id.to_string()));
    echo.insert("passwd".into(), json!(passwd));
    echo.insert("secure_key".into(), json!(secure_key));
    echo.insert("date_add".into(), datetime_value(now));
    echo.insert("date_upd".into(), datetime_value(now));
    Ok(Reply::created(json!({ "customer": echo })))
}
