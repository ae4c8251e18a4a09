//! The end-to-end harness: one qlosync installation in-process, on the test's own database, its
//! own queue prefix and its own QloApps simulator: the `api` (with the outbox relay), any number
//! of outbound workers, and `qlo-sim`, all talking over real sockets to the machine's
//! PostgreSQL and RabbitMQ. The installation itself is `qlosync_stack::Stack` (the bench's too);
//! this adds the simulator, cuttable broker proxies and assertions.

mod demo;
mod env;
pub mod postgres;
mod processes;
mod rabbit;
mod rabbit_nodes;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use qlo_sim::{SimConfig, SimServer};
use serde_json::{json, Value};
use sqlx::PgPool;
use sync_core::testing::proxy::TcpProxy;

pub use demo::Demo;
pub use env::env;
pub use processes::{inbound_worker, scheduler, Process};
pub use qlosync_stack::Env;
pub use rabbit::{dead_letters, publish_raw, DeadLetter};
pub use rabbit_nodes::RabbitNodes;

/// The bearer token every stack accepts.
pub const TOKEN: &str = "e2e-token-0123456789abcdef";

/// A running api, relay and simulator; workers are started on demand.
pub struct Stack {
    pub pool: PgPool,
    pub sim: SimServer,
    pub api_url: String,
    pub http: reqwest::Client,
    pub env: Env,
    /// Between the api's relay and RabbitMQ, so a test can make the broker unreachable.
    pub relay_proxy: TcpProxy,
    installation: qlosync_stack::Stack,
    workers: Vec<Worker>,
}

/// What a test sees of one outbound worker; `proxy` is set when it reaches the broker
/// through one.
pub struct Worker {
    pub proxy: Option<TcpProxy>,
    /// Where its `/health`, `/ready` and `/metrics` answer.
    pub ops_url: String,
}

impl Stack {
    /// Starts the api (with its relay) on `pool`'s database and a simulator with `sim` config.
    pub async fn start(pool: PgPool, sim: SimConfig, overrides: &[(&str, &str)]) -> Stack {
        qlosync_service::telemetry::init_for_tests();
        let sim = SimServer::start(sim).await.expect("simulator starts");
        let env = env::env(&pool, overrides);
        let relay_proxy = TcpProxy::start(rabbit::broker_addr(&env))
            .await
            .expect("proxy starts");
        let relay_env = env.with(
            "RABBITMQ_URL",
            &relay_proxy.rewrite_url(&env.get("RABBITMQ_URL"), rabbit::broker_addr(&env)),
        );
        let installation = qlosync_stack::Stack::start(env.clone(), &relay_env)
            .await
            .expect("api starts");
        Stack {
            pool,
            sim,
            api_url: installation.api_url.clone(),
            http: installation.http.clone(),
            env,
            relay_proxy,
            installation,
            workers: Vec::new(),
        }
    }

    /// Starts an outbound worker; `via_proxy` puts a cuttable proxy between it and the broker.
    pub async fn start_worker(&mut self, via_proxy: bool) -> usize {
        let (env, proxy) = if via_proxy {
            let upstream = rabbit::broker_addr(&self.env);
            let proxy = TcpProxy::start(upstream).await.expect("proxy starts");
            let url = proxy.rewrite_url(&self.env.get("RABBITMQ_URL"), upstream);
            (self.env.with("RABBITMQ_URL", &url), Some(proxy))
        } else {
            (self.env.clone(), None)
        };
        let i = self
            .installation
            .start_worker(&env)
            .await
            .expect("worker starts");
        let ops_url = self
            .installation
            .worker(i)
            .map(|w| w.ops_url.clone())
            .expect("the worker just started");
        self.workers.push(Worker { proxy, ops_url });
        i
    }

    pub fn worker(&self, i: usize) -> &Worker {
        &self.workers[i]
    }

    /// Kills worker `i` the hard way: its broker connection is cut and its task aborted, so
    /// whatever it had not acked is redelivered, as after `kill -9`.
    pub async fn kill_worker(&mut self, i: usize) {
        self.installation.abort_worker(i);
        if let Some(proxy) = &self.workers[i].proxy {
            proxy.set_reachable(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// An authenticated api call; panics on a transport error.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.installation
            .call(method, path, body.as_ref())
            .await
            .expect("api answers")
    }

    /// `call` that expects a 2xx and returns the body.
    pub async fn ok(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.call(method.clone(), path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path} → {status}: {body}"
        );
        body
    }

    /// The installation under this stack, for what takes a `qlosync_stack::Stack`.
    pub fn installation(&self) -> &qlosync_stack::Stack {
        &self.installation
    }

    /// A property whose QloApps config points at this stack's simulator, with the four PMS
    /// room types mapped to the simulator's room types 1-4.
    pub async fn demo(&self) -> Demo {
        Demo::create(self, &self.sim, 1).await
    }

    /// The QloApps order id mapped to a reservation, if pushed.
    pub async fn mapped_order(&self, reservation_id: &str) -> Option<i64> {
        let id = uuid::Uuid::parse_str(reservation_id).expect("uuid");
        sqlx::query_scalar("SELECT qloapps_booking_id FROM qloapps_reservation_mappings WHERE local_reservation_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .expect("mapping query")
    }

    /// The simulator's orders whose `source` is `pms:<reservation>`.
    pub fn sim_orders_for(&self, reservation_id: &str) -> Vec<SimOrder> {
        let source = format!("pms:{reservation_id}");
        self.sim.state().read(|shop| {
            shop.orders
                .orders()
                .filter(|o| o.source == source)
                .map(|o| SimOrder::of(shop, o))
                .collect()
        })
    }

    /// Messages in the dead-letter queue, read without consuming them.
    pub async fn dead_letters(&self) -> Vec<DeadLetter> {
        rabbit::dead_letters(&self.env).await
    }

    /// Unsent outbox rows.
    pub async fn outbox_backlog(&self) -> i64 {
        sync_queue::relay::outbox_backlog(&self.pool)
            .await
            .expect("backlog")
            .count
    }

    /// Stops workers and the api, then deletes this stack's queues from the broker (a broker
    /// a test left unreachable only leaves them behind) and stops the simulator.
    pub async fn stop(self) {
        let _ = self.installation.stop().await;
        self.sim.shutdown().await;
    }
}

/// What a test needs to know of one simulator order.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOrder {
    pub id: u32,
    pub current_state: u32,
    pub customer_email: String,
    /// (room type, first night, check-out) of each active (not cancelled) room line
    pub lines: Vec<(u32, String, String)>,
    /// Sum of the active lines' prices excluding tax.
    pub total_tax_excl: rust_decimal::Decimal,
}

impl SimOrder {
    fn of(shop: &qlo_sim::Shop, order: &qlo_sim::state::Order) -> SimOrder {
        let active: Vec<_> = shop
            .orders
            .lines_of_order(order.id)
            .filter(|l| !l.is_cancelled)
            .collect();
        let mut lines: Vec<(u32, String, String)> = active
            .iter()
            .map(|l| {
                (
                    l.id_room_type,
                    l.date_from.to_string(),
                    l.date_to.to_string(),
                )
            })
            .collect();
        lines.sort();
        SimOrder {
            id: order.id,
            current_state: order.current_state,
            customer_email: order.guest.email.clone(),
            lines,
            total_tax_excl: active.iter().map(|l| l.total_price_tax_excl).sum(),
        }
    }
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after `timeout` naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A JSON body for `POST /properties/{id}/reservations`.
pub fn reservation_body(
    room_type_id: &str,
    guest_id: &str,
    check_in: &str,
    check_out: &str,
    total: &str,
) -> Value {
    json!({
        "roomTypeId": room_type_id, "guestId": guest_id, "checkIn": check_in, "checkOut": check_out,
        "adults": 2, "totalPrice": total, "currency": "USD"
    })
}

/// Counts by key, for assertions on request logs.
pub fn tally<K: std::hash::Hash + Eq>(items: impl IntoIterator<Item = K>) -> HashMap<K, usize> {
    let mut map = HashMap::new();
    for item in items {
        *map.entry(item).or_insert(0) += 1;
    }
    map
}

/// The broker's address, parsed from `RABBITMQ_URL` (its first node when it lists several).
pub fn socket_addr(url: &str) -> SocketAddr {
    let first = sync_queue::queue::broker_urls(url)
        .first()
        .map(|u| u.to_string())
        .unwrap_or_default();
    let parsed = url::Url::parse(&first).expect("RABBITMQ_URL parses");
    let host = parsed.host_str().unwrap_or("127.0.0.1");
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{}", parsed.port().unwrap_or(5672))
        .parse()
        .expect("broker address")
}
