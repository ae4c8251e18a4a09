//! A database with mapped configs pointing at one simulator, and schedulers to run over it.

use std::sync::Arc;
use std::time::Duration;

use qlo_sim::{SeedSpec, SimConfig, SimServer};
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::domain::{ConfigId, SyncState};
use sync_core::pull::{PullService, PullSettings};
use sync_core::qlo_clients::{ClientSettings, QloClients};
use sync_core::testing::fixtures::mapped_property;
use sync_scheduler::jobs::pull::JobContext;
use sync_scheduler::schedule::{BackoffPolicy, Timing};
use sync_scheduler::scheduler::Scheduler;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct World {
    pub pool: PgPool,
    pub sim: SimServer,
}

impl World {
    pub async fn start(pool: PgPool) -> World {
        qlosync_service::telemetry::init_for_tests();
        let sim = SimServer::start(SimConfig::default()).await.unwrap();
        World { pool, sim }
    }

    /// A property and config mapped to the simulator's hotel 1.
    pub async fn config(&self) -> ConfigId {
        let keys = KeyRing::single("t", [7; 32]);
        mapped_property(
            &self.pool,
            &keys,
            &self.sim.api_url(),
            self.sim.api_key(),
            1,
            4,
        )
        .await
        .config
    }

    pub fn seed(&self, count: u32) {
        self.sim.state().write(|shop| {
            shop.seed_bookings(&SeedSpec {
                count,
                ..SeedSpec::default()
            })
        });
    }

    pub fn scheduler(&self, timing: Timing, page_size: u32) -> Scheduler {
        let keys = Arc::new(KeyRing::single("t", [7; 32]));
        let mut client = ClientSettings {
            timeout: Duration::from_secs(5),
            ..ClientSettings::default()
        };
        client.retry.max_retries = 0;
        client.rate_limit.capacity = 1_000_000;
        client.breaker.cool_down = Duration::from_millis(100);
        let clients = Arc::new(QloClients::new(keys, client, None));
        let settings = PullSettings {
            page_size,
            ..PullSettings::default()
        };
        Scheduler {
            ctx: Arc::new(JobContext {
                pull: PullService::new(self.pool.clone(), clients, settings),
            }),
            pool: self.pool.clone(),
            timing,
            max_concurrent: 4,
            shutdown_grace: Duration::from_secs(5),
            heartbeat: Default::default(),
        }
    }

    pub async fn runs(&self, config: ConfigId) -> Vec<SyncState> {
        let mut runs = sync_core::db::qloapps_sync_state::list_runs(
            &self.pool,
            config,
            None,
            sync_core::db::Page {
                limit: 1000,
                offset: 0,
            },
        )
        .await
        .unwrap();
        runs.reverse();
        runs
    }

    pub async fn reservations(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM reservations")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

pub fn timing(interval_ms: u64, base_ms: u64, max_ms: u64) -> Timing {
    Timing {
        interval: Duration::from_millis(interval_ms),
        backoff: BackoffPolicy {
            base: Duration::from_millis(base_ms),
            max: Duration::from_millis(max_ms),
        },
        tick: Duration::from_millis(10),
    }
}

/// A scheduler running in a task, stoppable gracefully or killable.
pub struct Running {
    pub stop: CancellationToken,
    pub task: JoinHandle<()>,
}

pub fn spawn(scheduler: Scheduler) -> Running {
    let stop = CancellationToken::new();
    let task = tokio::spawn(scheduler.run_until_stopped(stop.clone()));
    Running { stop, task }
}

/// Polls `check` every 20 ms for up to `secs` seconds.
pub async fn wait_for<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
