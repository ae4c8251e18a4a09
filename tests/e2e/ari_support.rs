//! Shared by the rates, availability and reconcile tests: the services on the stack's
//! database, direct PMS writes, and reads of the simulator.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use qlo_sim::SimServer;
use qlosync_tests::{Demo, Stack};
use rust_decimal::Decimal;
use serde_json::Value;
use sync_core::crypto::KeyRing;
use sync_core::domain::{ConfigId, RoomTypeId};
use sync_core::nightly::availability::AvailabilityService;
use sync_core::nightly::rates::RateService;
use sync_core::qlo_clients::{ClientSettings, QloClients};
use uuid::Uuid;

/// What `SimConfig::default()` adds to every `hotel_ari` price per night.
pub const AUTO_SERVICES: i64 = 250;

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("a YYYY-MM-DD date")
}

/// The nights `from..=to`.
pub fn nights(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|n| *n <= to).collect()
}

/// The services as a worker builds them (same key as the stack's processes).
pub struct Services {
    pub clients: Arc<QloClients>,
    pub rates: RateService,
    pub availability: AvailabilityService,
}

pub fn services(stack: &Stack) -> Services {
    let keys = Arc::new(KeyRing::single("e2e", [7u8; 32]));
    let mut settings = ClientSettings {
        timeout: Duration::from_secs(5),
        ..ClientSettings::default()
    };
    settings.rate_limit.capacity = 100_000;
    settings.retry.max_retries = 1;
    settings.retry.initial_delay = Duration::from_millis(20);
    let clients = Arc::new(QloClients::new(keys, settings, None));
    Services {
        rates: RateService::new(stack.pool.clone(), clients.clone()),
        availability: AvailabilityService::new(stack.pool.clone(), clients.clone()),
        clients,
    }
}

pub fn config_id(demo: &Demo) -> ConfigId {
    ConfigId(Uuid::parse_str(&demo.config_id).expect("uuid"))
}

/// PMS room type `i` (0..4), mapped to simulator room type `i + 1`.
pub fn room_type(demo: &Demo, i: usize) -> RoomTypeId {
    RoomTypeId(Uuid::parse_str(&demo.room_types[i]).expect("uuid"))
}

pub async fn set_rate(stack: &Stack, rt: RoomTypeId, from: &str, to: &str, rate: Decimal) {
    sync_core::db::rates::set_rates(&stack.pool, rt, d(from), d(to), rate)
        .await
        .expect("rates set");
}

pub async fn set_available(stack: &Stack, rt: RoomTypeId, from: &str, to: &str, available: i32) {
    sync_core::db::availability::set_availability(&stack.pool, rt, d(from), d(to), available)
        .await
        .expect("availability set");
}

/// One webservice call to the simulator, made by the test itself (not through qlo-client):
/// (HTTP status, JSON body).
pub async fn sim_call(
    sim: &SimServer,
    method: reqwest::Method,
    path: &str,
    body: String,
    xml: bool,
) -> (u16, Value) {
    let url = format!("{}/{path}?output_format=JSON&language=1", sim.api_url());
    let content_type = if xml {
        "application/xml"
    } else {
        "application/json"
    };
    let response = reqwest::Client::new()
        .request(method, url)
        .basic_auth(sim.api_key(), Some(""))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the simulator answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `hotel_ari` per night for one room type, nights `from..=to`, in chunks of 31 nights:
/// night -> (free rooms, price).
pub async fn sim_ari(
    sim: &SimServer,
    room_type: u64,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<NaiveDate, (usize, Decimal)> {
    let mut out = BTreeMap::new();
    let mut start = from;
    while start <= to {
        let end = (start + chrono::Days::new(31)).min(to.succ_opt().expect("date"));
        let xml = format!(
            "<qloapps><hotel_ari><id_hotel>1</id_hotel><date_from>{start}</date_from><date_to>{end}</date_to>\
             <id_room_type>{room_type}</id_room_type><get_available_rooms>1</get_available_rooms>\
             <date_wise_breakdown>1</date_wise_breakdown></hotel_ari></qloapps>"
        );
        let (status, body) = sim_call(sim, reqwest::Method::POST, "hotel_ari", xml, true).await;
        assert_eq!(status, 200, "{body}");
        for night in body["hotel_aris"].as_array().expect("nights") {
            let date = d(night["date_from"].as_str().expect("date"));
            let rt = &night["room_types"][0];
            let free = rt["rooms"]["available"].as_object().map_or(0, |m| m.len());
            let price: Decimal = rt["base_price"]
                .to_string()
                .trim_matches('"')
                .parse()
                .expect("price");
            out.insert(date, (free, price));
        }
        start = end;
    }
    out
}

/// QloApps' room price per night of a room type (`hotel_ari` per night minus the services).
pub async fn qloapps_prices(
    sim: &SimServer,
    room_type: u64,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<NaiveDate, Decimal> {
    sim_ari(sim, room_type, from, to)
        .await
        .into_iter()
        .map(|(n, (_, price))| (n, price - Decimal::from(AUTO_SERVICES)))
        .collect()
}

/// A guest booking made directly in QloApps (another channel) of `rooms` rooms: the order id,
/// or the error body when QloApps refuses it.
pub async fn book(
    sim: &SimServer,
    source: &str,
    room_type: u64,
    from: &str,
    to: &str,
    rooms: u32,
) -> Result<u64, Value> {
    let body = serde_json::json!({"booking": {
        "id_property": 1, "currency": "USD", "source": source,
        "associations": {
            "customer_detail": {"firstname": "Otto", "lastname": "Channel", "email": "otto@example.com", "phone": "0123456789"},
            "room_types": [{"id_room_type": room_type, "checkin_date": from, "checkout_date": to, "number_of_rooms": rooms}]
        }
    }});
    let (status, answer) = sim_call(
        sim,
        reqwest::Method::POST,
        "bookings",
        body.to_string(),
        false,
    )
    .await;
    match status {
        200 => Ok(answer["booking"]["id"].as_u64().expect("order id")),
        _ => Err(answer),
    }
}

/// Requests the simulator logged per (resource, method) since the log was last cleared.
pub fn calls(sim: &SimServer) -> HashMap<(String, String), u64> {
    sim.request_counts().into_iter().collect()
}

pub fn count(sim: &SimServer, resource: &str, method: &str) -> u64 {
    sim.request_count(resource, method)
}

/// The simulator's feature price rules of a room type: (id, name, from, to, value).
pub type SimRule = (u32, String, NaiveDate, NaiveDate, Decimal);

pub fn sim_rules(sim: &SimServer, room_type: u32) -> Vec<SimRule> {
    sim.state().read(|shop| {
        shop.feature_prices
            .values()
            .filter(|r| r.id_product == room_type)
            .map(|r| (r.id, r.name.clone(), r.date_from, r.date_to, r.impact_value))
            .collect()
    })
}

/// Orders of the simulator whose source starts with `prefix`: (id, source, state).
pub fn sim_orders(sim: &SimServer, prefix: &str) -> Vec<(u32, String, u32)> {
    sim.state().read(|shop| {
        shop.orders
            .orders()
            .filter(|o| o.source.starts_with(prefix))
            .map(|o| (o.id, o.source.clone(), o.current_state))
            .collect()
    })
}

/// A rule someone made in the QloApps back office (a feature price qlosync does not own).
pub fn foreign_rule(
    sim: &qlo_sim::SimServer,
    room_type: u32,
    from: &str,
    to: &str,
    value: i64,
) -> u32 {
    sim.state().write(|shop| {
        let id = shop.next_feature_price_id();
        let now = shop.now();
        shop.feature_prices.insert(
            id,
            qlo_sim::state::FeaturePrice {
                id,
                id_product: room_type,
                id_cart: 0,
                id_guest: 0,
                id_room: 0,
                name: "Winter promotion".into(),
                date_selection_type: 1,
                date_from: d(from),
                date_to: d(to),
                impact_way: 3,
                impact_type: 2,
                impact_value: Decimal::from(value),
                is_special_days_exists: false,
                special_days: String::new(),
                active: true,
                groups: vec![1, 2, 3],
                date_add: now,
                date_upd: now,
            },
        );
        id
    })
}

/// The rules qlosync made (by their name).
pub fn owned(rules: &[SimRule]) -> Vec<SimRule> {
    rules
        .iter()
        .filter(|r| r.1.starts_with("qlosync "))
        .cloned()
        .collect()
}
