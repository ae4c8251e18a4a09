//! Builds the scheduler from its config and runs it until shutdown.

use std::sync::Arc;

use anyhow::Context;
use qlosync_service::ops_server::OpsServer;
use sync_core::crypto::KeyRing;
use sync_core::pull::PullService;
use sync_core::qlo_clients::QloClients;
use tokio_util::sync::CancellationToken;

use crate::jobs::pull::JobContext;
use crate::jobs::reconcile::{self, ReconcileContext};
use crate::scheduler::Scheduler;
use crate::SchedulerConfig;

pub struct SyncScheduler {
    scheduler: Scheduler,
    ops: OpsServer,
    reconcile: ReconcileContext,
    /// The shared rate limit, for the `qlosync_rate_limit_available` gauge.
    rate_limit: qlo_client::RateLimitConfig,
    /// `QLOSYNC_GAUGES_INTERVAL_MS`: how often the database gauges are read.
    gauges_every: std::time::Duration,
}

impl SyncScheduler {
    pub async fn build(config: SchedulerConfig) -> anyhow::Result<Self> {
        let pool = sync_core::db::connect_lazy(&config.database)?;
        let keys = Arc::new(
            KeyRing::from_settings(&config.crypto).context("loading the encryption keys")?,
        );
        let heartbeat = qlosync_service::readiness::Heartbeat::default();
        // ready while the loop lists the configs: three ticks late, plus a slow query
        let max_tick_age = config.timing.tick * 3 + std::time::Duration::from_secs(10);
        let ops = OpsServer::bind(config.ops_addr, "sync-scheduler", pool.clone())
            .await
            .with_context(|| format!("binding OPS_LISTEN_ADDR {}", config.ops_addr))?
            .with_limits(config.ops_limits)
            .with_heartbeat(heartbeat.clone(), max_tick_age);
        crate::gauges::describe();
        sync_core::metrics_catalog::set_build_info(
            qlosync_build_info::VERSION,
            qlosync_build_info::COMMIT,
        );
        let rate_limit = config.client.rate_limit;
        let resilience = sync_core::shared::resilience::factory(pool.clone());
        let clients = Arc::new(QloClients::new(keys, config.client, Some(resilience)));
        let pull = PullService::new(pool.clone(), clients.clone(), config.pull);
        let reconcile = ReconcileContext {
            pool: pool.clone(),
            clients,
            settings: reconcile::settings_from_env().context("reconciliation settings")?,
        };
        let scheduler = Scheduler {
            ctx: Arc::new(JobContext { pull }),
            pool,
            timing: config.timing,
            max_concurrent: config.max_concurrent,
            shutdown_grace: config.shutdown_grace,
            heartbeat,
        };
        Ok(SyncScheduler {
            scheduler,
            ops,
            reconcile,
            rate_limit,
            gauges_every: config.gauges_interval,
        })
    }

    /// Where `/health`, `/ready` and `/metrics` are served.
    pub fn ops_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.ops.local_addr()
    }

    /// Schedules pulls until `shutdown` fires, then lets running pulls stop and closes.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let ops = tokio::spawn(self.ops.run(shutdown.child_token()));
        qlosync_service::systemd::started(&shutdown);
        let reconciling = reconcile::spawn(self.reconcile, shutdown.child_token());
        tokio::spawn(crate::gauges::run(
            self.scheduler.pool.clone(),
            self.rate_limit,
            self.scheduler.timing.interval,
            self.gauges_every,
            shutdown.child_token(),
        ));
        self.scheduler.run_until_stopped(shutdown.clone()).await;
        shutdown.cancel();
        if let Err(e) = reconciling.await {
            tracing::error!(error = %e, "the reconciliation task failed");
        }
        ops.await
            .context("ops server task")?
            .context("serving /health, /ready, /metrics")
    }
}

/// What `main` runs: the configuration from the environment, logging, then the process until
/// SIGTERM or Ctrl-C.
pub async fn run_from_env() -> anyhow::Result<()> {
    let config =
        crate::SchedulerConfig::from_env().context("reading the sync-scheduler configuration")?;
    qlosync_service::telemetry::init(&config.log);
    let process = SyncScheduler::build(config)
        .await
        .context("starting the sync scheduler")?;
    let stopped = process
        .run_until_stopped(qlosync_service::shutdown::on_signal())
        .await;
    // the spans of the last moments reach the collector (when OTLP export is on)
    qlosync_service::telemetry::shutdown().await;
    stopped
}
