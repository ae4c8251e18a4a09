//! One qlosync installation in this process, as the e2e harness builds it (tests/harness): the
//! api with its outbox relay and outbound workers, on a bench database and a random queue
//! prefix of the machine's RabbitMQ. QloApps is a `qlo-sim` the scenario starts.

use std::collections::HashMap;
use std::time::Duration;
use sync_core::domain::order_source::OrderSource;

use anyhow::{bail, Context as _};
use base64::Engine as _;
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::db::BenchDb;

/// The bearer token every bench stack accepts.
pub const TOKEN: &str = "bench-token-0123456789abcdef";
/// The encryption key of every bench stack (the pull child decrypts with it too).
pub const KEY: [u8; 32] = [7u8; 32];
pub const KEY_ID: &str = "bench";

pub fn rabbitmq_url() -> String {
    std::env::var("RABBITMQ_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// The environment the stack's processes read.
#[derive(Debug, Clone)]
pub struct Env(HashMap<String, String>);

impl Env {
    pub fn new(db: &BenchDb, overrides: &[(&str, &str)]) -> Env {
        let prefix = format!(
            "bench-{}.",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let key = base64::engine::general_purpose::STANDARD.encode(KEY);
        let mut map: HashMap<String, String> = [
            ("DATABASE_URL", db.url.as_str()),
            ("DATABASE_MAX_CONNECTIONS", "8"),
            ("RABBITMQ_URL", &rabbitmq_url()),
            ("QLOSYNC_ENCRYPTION_KEY", &key),
            ("QLOSYNC_ENCRYPTION_KEY_ID", KEY_ID),
            ("API_TOKENS", TOKEN),
            ("API_LISTEN_ADDR", "127.0.0.1:0"),
            ("OPS_LISTEN_ADDR", "127.0.0.1:0"),
            ("QLOSYNC_QUEUE_PREFIX", &prefix),
            ("QLOSYNC_QUEUE_PREFETCH", "16"),
            ("QLOSYNC_QUEUE_RETRY_DELAY_MS", "200"),
            ("QLOSYNC_QUEUE_DEFER_DELAY_MS", "1000"),
            ("QLOSYNC_QUEUE_SHUTDOWN_GRACE_MS", "2000"),
            ("QLOSYNC_QUEUE_RECONNECT_MAX_MS", "500"),
            ("QLOAPPS_TIMEOUT_MS", "2000"),
            ("QLOAPPS_HTTP_RETRIES", "1"),
            ("QLOAPPS_HTTP_RETRY_DELAY_MS", "50"),
            ("QLOAPPS_BREAKER_COOLDOWN_MS", "5000"),
            // the limiter is not what these scenarios measure (issue: "limiter off")
            ("QLOAPPS_RATE_LIMIT", "100000000"),
            ("RUST_LOG", "error"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        Env(map)
    }

    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name| self.0.get(name).cloned().filter(|v| !v.is_empty())
    }
}

type Task = (CancellationToken, JoinHandle<anyhow::Result<()>>);

/// A running api (with its relay) and any number of outbound workers.
pub struct Stack {
    pub db: BenchDb,
    pub env: Env,
    pub api_url: String,
    pub http: reqwest::Client,
    api: Option<Task>,
    workers: Vec<Task>,
}

impl Stack {
    pub async fn start(db: BenchDb, overrides: &[(&str, &str)]) -> anyhow::Result<Stack> {
        let env = Env::new(&db, overrides);
        let settings = api::config::Settings::from_env(&env.lookup()).context("api settings")?;
        let application = api::Application::build(&settings)
            .await
            .context("building the api")?;
        let api_url = format!("http://127.0.0.1:{}", application.port());
        let cancel = CancellationToken::new();
        let task = tokio::spawn(application.run_until_stopped(cancel.clone()));
        Ok(Stack {
            db,
            env,
            api_url,
            http: reqwest::Client::new(),
            api: Some((cancel, task)),
            workers: Vec::new(),
        })
    }

    pub async fn start_worker(&mut self) -> anyhow::Result<()> {
        let config = outbound_worker::WorkerConfig::from_lookup(&self.env.lookup())
            .context("worker settings")?;
        let worker = outbound_worker::OutboundWorker::build(config)
            .await
            .context("building an outbound worker")?;
        let cancel = CancellationToken::new();
        let task = tokio::spawn(worker.run_until_stopped(cancel.clone()));
        self.workers.push((cancel, task));
        Ok(())
    }

    /// An authenticated api call: (status, body).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.api_url))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.context("calling the api")?;
        let status = response.status().as_u16();
        let text = response.text().await.context("reading the api's answer")?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// `call` that requires a 2xx.
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let (status, answer) = self.call(method.clone(), path, body).await?;
        if !(200..300).contains(&status) {
            bail!("{method} {path} → {status}: {answer}");
        }
        Ok(answer)
    }

    /// Stops workers and the api, deletes the queues and drops the database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for (cancel, task) in self.workers.drain(..) {
            cancel.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        if let Some((cancel, task)) = self.api.take() {
            cancel.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        crate::broker::delete_queues(&self.env).await?;
        self.db.drop_database().await
    }
}

/// A property whose QloApps config points at a simulator, its four room types mapped to the
/// simulator's room types 1-4, and a guest (as an operator creates them through the api).
#[derive(Debug, Clone)]
pub struct Demo {
    pub property_id: String,
    pub config_id: String,
    pub room_types: Vec<String>,
    pub guest_id: String,
}

impl Demo {
    pub async fn create(stack: &Stack, sim_api_url: &str, sim_key: &str) -> anyhow::Result<Demo> {
        use reqwest::Method;
        let id = |v: Value| -> anyhow::Result<String> {
            Ok(v["id"].as_str().context("id in response")?.to_owned())
        };
        let property = json!({"name": "Bench Hotel", "currency": "USD"});
        let property_id = id(stack
            .ok(Method::POST, "/properties", Some(&property))
            .await?)?;
        let mut room_types = Vec::new();
        for (i, name) in ["General", "Delux", "Executive", "Luxury"]
            .iter()
            .enumerate()
        {
            let body = json!({"code": format!("RT{}", i + 1), "name": name, "totalRooms": 5});
            let path = format!("/properties/{property_id}/room-types");
            room_types.push(id(stack.ok(Method::POST, &path, Some(&body)).await?)?);
        }
        let config = json!({
            "propertyId": property_id, "name": "QloApps (simulator)", "baseUrl": sim_api_url,
            "apiKey": sim_key, "qloappsHotelId": 1
        });
        let config_id = id(stack
            .ok(Method::POST, "/qloapps/configs", Some(&config))
            .await?)?;
        for (i, room_type) in room_types.iter().enumerate() {
            let body = json!({"localRoomTypeId": room_type, "qloappsRoomTypeId": i + 1});
            let path = format!("/qloapps/configs/{config_id}/room-type-mappings");
            stack.ok(Method::POST, &path, Some(&body)).await?;
        }
        let guest = json!({"firstName": "Anna", "lastName": "Keller",
            "email": "anna.keller@example.com", "phone": "+41 79 123 45 67"});
        let path = format!("/properties/{property_id}/guests");
        let guest_id = id(stack.ok(Method::POST, &path, Some(&guest)).await?)?;
        Ok(Demo {
            property_id,
            config_id,
            room_types,
            guest_id,
        })
    }

    /// Reservation number `k`: one night, room type `k % 4`, five per room type and night so
    /// the simulator's 5 rooms per type always have one free.
    pub fn reservation_body(&self, k: usize) -> Value {
        let first = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap_or_default();
        let check_in = first + chrono::Days::new((k / 20) as u64);
        let check_out = check_in + chrono::Days::new(1);
        json!({
            "roomTypeId": self.room_types[k % 4], "guestId": self.guest_id,
            "checkIn": check_in.to_string(), "checkOut": check_out.to_string(),
            "adults": 2, "totalPrice": "120.00", "currency": "USD"
        })
    }

    /// Creates reservation `k` through the api; returns its id.
    pub async fn reserve(&self, stack: &Stack, k: usize) -> anyhow::Result<String> {
        let path = format!("/properties/{}/reservations", self.property_id);
        let created = stack
            .ok(
                reqwest::Method::POST,
                &path,
                Some(&self.reservation_body(k)),
            )
            .await?;
        Ok(created["id"].as_str().context("reservation id")?.to_owned())
    }
}

/// Whether the simulator holds an order whose `source` is `pms:<reservation>`.
pub fn sim_has_order(sim: &qlo_sim::SimServer, reservation_id: &str) -> bool {
    let pushed = |source: &str| {
        OrderSource::parse(source)
            .reservation()
            .map(|r| r.0.to_string())
    };
    sim.state().read(|shop| {
        shop.orders
            .orders()
            .any(|o| pushed(&o.source).as_deref() == Some(reservation_id))
    })
}

/// Orders in the simulator pushed by qlosync.
pub fn sim_pushed_orders(sim: &qlo_sim::SimServer) -> usize {
    sim.state().read(|shop| {
        shop.orders
            .orders()
            .filter(|o| matches!(OrderSource::parse(&o.source), OrderSource::Pushed { .. }))
            .count()
    })
}

/// Waits (polling every millisecond) until reservation's order is in the simulator.
pub async fn wait_for_order(
    sim: &qlo_sim::SimServer,
    reservation_id: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    while !sim_has_order(sim, reservation_id) {
        if tokio::time::Instant::now() > deadline {
            bail!("reservation {reservation_id} not in the simulator after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}
