//! Starting a simulator and a client pointed at it.

use std::time::Duration;

use chrono::NaiveDate;
use qlo_client::{
    BookingAssociations, BookingRequest, ClientConfig, CustomerDetail, PaymentDetail, QloClient,
    RoomRequest, RoomTypeRequest,
};
use qlo_sim::{SimConfig, SimServer};

/// Which base URL form the client is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `http://127.0.0.1:PORT/api`
    Api,
    /// `http://127.0.0.1:PORT/webservice/dispatcher.php/` (with a trailing slash, on purpose)
    Dispatcher,
}

pub struct Env {
    pub sim: SimServer,
    pub client: QloClient,
}

/// Quick retries so HTTP tests stay short: 3 retries from 20 ms doubling to 200 ms, no jitter,
/// a 2 s timeout and a 200 ms breaker cool-down.
pub fn fast(config: &mut ClientConfig) {
    config.retry.initial_delay = Duration::from_millis(20);
    config.retry.max_delay = Duration::from_millis(200);
    config.retry.jitter = false;
    config.timeout = Duration::from_secs(2);
    config.breaker.cool_down = Duration::from_millis(200);
    config.rate_limit.capacity = 10_000;
}

pub fn client_for(sim: &SimServer, form: Form, tweak: impl FnOnce(&mut ClientConfig)) -> QloClient {
    let base = match form {
        Form::Api => sim.api_url(),
        Form::Dispatcher => format!("{}/", sim.dispatcher_url()),
    };
    let mut config = ClientConfig::new(base, sim.api_key(), 1);
    fast(&mut config);
    tweak(&mut config);
    QloClient::new(config).expect("valid client config")
}

pub async fn start_with(
    sim_config: SimConfig,
    form: Form,
    tweak: impl FnOnce(&mut ClientConfig),
) -> Env {
    let sim = SimServer::start(sim_config)
        .await
        .expect("simulator starts");
    let client = client_for(&sim, form, tweak);
    Env { sim, client }
}

pub async fn start(form: Form) -> Env {
    start_with(SimConfig::default(), form, |_| {}).await
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("YYYY-MM-DD")
}

/// A booking of `rooms` rooms of `room_type` for `from..to` (checkout exclusive).
pub fn booking(room_type: u64, from: &str, to: &str, rooms: u32) -> BookingRequest {
    BookingRequest {
        id_property: 1,
        currency: "USD".to_owned(),
        remark: Some("created by qlo-client tests".to_owned()),
        associations: BookingAssociations {
            customer_detail: CustomerDetail {
                firstname: "Jane".to_owned(),
                lastname: "Tester".to_owned(),
                email: "jane.tester@example.com".to_owned(),
                phone: Some("0123456789".to_owned()),
                ..CustomerDetail::default()
            },
            payment_detail: Some(PaymentDetail {
                payment_type: Some("pay at hotel".to_owned()),
                payment_method: Some("PMS".to_owned()),
                transaction_id: None,
            }),
            price_details: None,
            room_types: vec![RoomTypeRequest {
                id_room_type: room_type,
                checkin_date: day(from),
                checkout_date: day(to),
                number_of_rooms: rooms,
                rooms: (0..rooms)
                    .map(|_| RoomRequest {
                        adults: 2,
                        child: 1,
                        child_ages: vec![7],
                        unit_price_without_tax: Some(rust_decimal::Decimal::from(2000)),
                        ..RoomRequest::default()
                    })
                    .collect(),
            }],
        },
        ..BookingRequest::default()
    }
}

/// Orders in the simulator carrying `source`.
pub fn orders_with_source(sim: &SimServer, source: &str) -> Vec<u32> {
    sim.state()
        .read(|s| s.orders.orders_with_source(source).collect())
}

/// Active (not cancelled) room lines of an order: (room type, from, to).
pub fn active_lines(sim: &SimServer, order_id: u64) -> Vec<(u32, NaiveDate, NaiveDate)> {
    let id = u32::try_from(order_id).expect("small id");
    let mut lines: Vec<_> = sim.state().read(|s| {
        s.orders
            .lines_of_order(id)
            .filter(|l| !l.is_cancelled && !l.is_refunded)
            .map(|l| (l.id_room_type, l.date_from, l.date_to))
            .collect()
    });
    lines.sort();
    lines
}

/// The order's current state in the simulator.
pub fn order_state(sim: &SimServer, order_id: u64) -> u32 {
    let id = u32::try_from(order_id).expect("small id");
    sim.state()
        .read(|s| s.orders.order(id).map(|o| o.current_state))
        .expect("order exists")
}
