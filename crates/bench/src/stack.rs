//! One qlosync installation in this process, stood up as the e2e harness stands up its own
//! (`qlosync_stack::Stack`: the api with its outbox relay and outbound workers), on a bench
//! database and a random queue prefix of the machine's RabbitMQ, with the bench's tuning.
//! QloApps is a `qlo-sim` the scenario starts.

use std::ops::Deref;
use std::time::Duration;
use sync_core::domain::order_source::OrderSource;

use anyhow::bail;
use qlosync_stack::{Env, Installation};
use serde_json::Value;

use crate::db::BenchDb;

pub use qlosync_stack::rabbitmq_url;

/// The bearer token every bench stack accepts.
pub const TOKEN: &str = "bench-token-0123456789abcdef";
/// The encryption key of every bench stack (the pull child decrypts with it too).
pub const KEY: [u8; 32] = [7u8; 32];
pub const KEY_ID: &str = "bench";

/// What the bench's stacks tune beside the installation's own variables.
const TUNING: &[(&str, &str)] = &[
    ("DATABASE_MAX_CONNECTIONS", "8"),
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
];

/// A running api (with its relay) and any number of outbound workers, on `db`.
pub struct Stack {
    pub db: BenchDb,
    installation: qlosync_stack::Stack,
}

impl Deref for Stack {
    type Target = qlosync_stack::Stack;

    fn deref(&self) -> &qlosync_stack::Stack {
        &self.installation
    }
}

impl Stack {
    pub async fn start(db: BenchDb, overrides: &[(&str, &str)]) -> anyhow::Result<Stack> {
        let installation = Installation {
            database_url: &db.url,
            queue_prefix_tag: "bench",
            token: TOKEN,
            key: KEY,
            key_id: KEY_ID,
        };
        let env = Env::new(&installation, TUNING, overrides);
        let installation = qlosync_stack::Stack::start(env.clone(), &env).await?;
        Ok(Stack { db, installation })
    }

    pub async fn start_worker(&mut self) -> anyhow::Result<()> {
        let env = self.installation.env.clone();
        self.installation.start_worker(&env).await.map(|_| ())
    }

    /// Stops workers and the api, deletes the queues and drops the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let stopped = self.installation.stop().await;
        let dropped = self.db.drop_database().await;
        stopped.and(dropped)
    }
}

/// A property whose QloApps config points at a simulator, its four room types mapped to the
/// simulator's room types 1-4, and a guest (as an operator creates them through the api).
#[derive(Debug, Clone)]
pub struct Demo(qlosync_stack::Demo);

impl Deref for Demo {
    type Target = qlosync_stack::Demo;

    fn deref(&self) -> &qlosync_stack::Demo {
        &self.0
    }
}

impl Demo {
    pub async fn create(stack: &Stack, sim_api_url: &str, sim_key: &str) -> anyhow::Result<Demo> {
        qlosync_stack::Demo::create(stack, "Bench Hotel", sim_api_url, sim_key, 1)
            .await
            .map(Demo)
    }

    /// Reservation number `k`: one night, room type `k % 4`, five per room type and night so
    /// the simulator's 5 rooms per type always have one free.
    pub fn reservation_body(&self, k: usize) -> Value {
        let first = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap_or_default();
        let check_in = first + chrono::Days::new((k / 20) as u64);
        let check_out = check_in + chrono::Days::new(1);
        self.0.reservation_body(
            k % 4,
            &check_in.to_string(),
            &check_out.to_string(),
            "120.00",
        )
    }

    /// Creates reservation `k` through the api; returns its id.
    pub async fn reserve(&self, stack: &Stack, k: usize) -> anyhow::Result<String> {
        self.0
            .create_reservation(stack, &self.reservation_body(k))
            .await
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
